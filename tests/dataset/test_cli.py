import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.dataset.helpers import conversation, message, write_messages
from twinchat.cli import cli

DIALOGUE = [
    ("user2", "hi, anyone know how to fix grub?"),
    ("user1", "reinstall it from a live cd"),
    ("user3", "or boot repair"),
    ("user1", "that works too"),
    ("user2", "thanks!"),
    ("user1", "np"),
]


@pytest.fixture
def messages_file(tmp_path: Path) -> Path:
    later = [(author, f"{text} (day two)") for author, text in DIALOGUE]
    messages = conversation(DIALOGUE)
    messages += [
        message(20 + number, author, text, minutes=600 + number)
        for number, (author, text) in enumerate(later)
    ]
    return write_messages(tmp_path / "messages.jsonl", messages)


def run(*arguments: str):
    return CliRunner().invoke(cli, ["prepare", *arguments])


def test_cli_writes_dataset(messages_file: Path, tmp_path: Path) -> None:
    from datasets import load_from_disk

    out = tmp_path / "out"
    result = run(str(messages_file), "--persona", "user1", "--out", str(out))
    assert result.exit_code == 0, result.output
    dataset = load_from_disk(str(out / "dataset"))
    assert set(dataset) == {"train", "validation"}
    assert dataset["train"].column_names == [
        "example_id",
        "chat_id",
        "session_id",
        "group_chat",
        "persona",
        "context",
        "target",
        "target_ts",
    ]
    assert len(dataset["train"]) == 3
    assert len(dataset["validation"]) == 3
    assert dataset["train"][0]["context"][0]["speaker"] == "[NAME_1]"


def test_cli_writes_preview_and_stats(messages_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(str(messages_file), "--persona", "user1", "--out", str(out), "--set", "preview_examples=2")
    preview = [json.loads(line) for line in (out / "preview.jsonl").read_text().splitlines()]
    stats = json.loads((out / "stats.json").read_text())
    assert [row["target"] for row in preview] == [
        ["reinstall it from a live cd"],
        ["that works too"],
    ]
    assert stats["sessions"] == {
        "total": 2,
        "with_examples": 2,
        "train": 1,
        "validation": 1,
        "in_both_splits": 0,
    }
    assert stats["examples"]["train"] == 3
    assert stats["persona_tokens"]["method"].startswith("approximate")
    assert stats["style"]["messages"] == 6


def test_cli_replaces_earlier_output(messages_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(str(messages_file), "--persona", "user1", "--out", str(out))
    result = run(
        str(messages_file), "--persona", "user1", "--out", str(out), "--set", "val_share=0"
    )
    stats = json.loads((out / "stats.json").read_text())
    assert result.exit_code == 0, result.output
    assert stats["examples"]["validation"] == 0
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_cli_failed_write_keeps_old_output(
    messages_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datasets import DatasetDict

    out = tmp_path / "out"
    run(str(messages_file), "--persona", "user1", "--out", str(out))
    before = (out / "stats.json").read_text()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(DatasetDict, "save_to_disk", fail)
    result = run(
        str(messages_file), "--persona", "user1", "--out", str(out), "--set", "val_share=0"
    )
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert "Traceback" not in result.output
    assert (out / "stats.json").read_text() == before
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_cli_report_writes_nothing(messages_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(str(messages_file), "--persona", "user1", "--report", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "examples: train 3, validation 3" in result.output
    assert not out.exists()


def test_cli_report_shows_filter_examples(tmp_path: Path) -> None:
    messages = conversation(DIALOGUE)
    messages.append(message(50, "user2", "see https://example.com/a?token=abc123", minutes=7))
    messages.append(
        message(51, "user3", "mail greta.lowell@example.com", minutes=8, forwarded=True)
    )
    path = write_messages(tmp_path / "m.jsonl", messages)
    result = run(str(path), "--persona", "user1", "--report", "--set", "drop_link_only=true")
    assert "  forwarded: 1 / 0" in result.output
    assert "[NAME_2]: mail [EMAIL_1]" in result.output
    assert "greta.lowell@example.com" not in result.output


def test_cli_persona_by_name(messages_file: Path) -> None:
    result = run(str(messages_file), "--persona-name", "arlo finch", "--report")
    assert result.exit_code == 0, result.output
    assert "persona: Arlo Finch (user1)" in result.output


def test_cli_persona_aliases(tmp_path: Path) -> None:
    messages = conversation(DIALOGUE)
    messages.append(message(40, "user9", "one more tip", minutes=7, author="Arlo (laptop)"))
    messages.insert(6, message(39, "user2", "any other tips?", minutes=6.5))
    path = write_messages(tmp_path / "m.jsonl", messages)
    result = run(str(path), "--persona", "user1", "--persona", "user9", "--report")
    assert "persona: Arlo Finch (user1, user9)" in result.output
    assert "examples: train 3, validation 1" in result.output


@pytest.mark.parametrize(
    ("arguments", "message_part"),
    [
        (["--persona", "user404", "--report"], "persona 'user404' not found"),
        (["--persona-name", "Nobody", "--report"], "no author has the display name 'Nobody'"),
        (["--persona", "user1", "--set", "val_share=2"], "invalid val_share: 2.0"),
        (["--persona", "user1", "--set", "session_gap_seconds=-1"], "invalid session_gap_seconds"),
        (["--persona", "user1", "--set", "colour=blue"], "unknown parameter prepare.colour"),
        (["--persona", "user1"], "missing --out"),
        (["--report"], "no persona chosen"),
    ],
)
def test_cli_user_errors(messages_file: Path, arguments: list[str], message_part: str) -> None:
    result = run(str(messages_file), *arguments)
    assert result.exit_code == 2
    assert message_part in result.output
    assert "Traceback" not in result.output


def test_cli_unknown_persona_lists_participants(messages_file: Path) -> None:
    result = run(str(messages_file), "--persona", "user404", "--report")
    assert "user1  'Arlo Finch', 6 messages" in result.output


def test_cli_ambiguous_name(tmp_path: Path) -> None:
    messages = conversation(DIALOGUE)
    messages.append(message(30, "user8", "me too", minutes=9, author="Arlo Finch"))
    path = write_messages(tmp_path / "m.jsonl", messages)
    result = run(str(path), "--persona-name", "Arlo Finch", "--report")
    assert result.exit_code == 2
    assert "belongs to 2 authors" in result.output
    assert "user8" in result.output


def test_cli_empty_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = run(str(empty), "--persona", "user1", "--report")
    assert result.exit_code == 2
    assert "empty.jsonl is empty" in result.output


def test_cli_persona_without_targets(tmp_path: Path) -> None:
    path = write_messages(
        tmp_path / "m.jsonl", [message(1, "user1", "anyone?"), message(2, "user2", "yes", 1)]
    )
    result = run(str(path), "--persona", "user1", "--report")
    assert result.exit_code == 2
    assert "has no training examples" in result.output
    assert "require_reply" in result.output


def test_cli_out_is_file(messages_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("keep me")
    result = run(str(messages_file), "--persona", "user1", "--out", str(target))
    assert result.exit_code == 2
    assert target.read_text() == "keep me"


def test_cli_out_foreign_folder_untouched(messages_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.txt").write_text("keep me")
    result = run(str(messages_file), "--persona", "user1", "--out", str(folder))
    assert result.exit_code == 2
    assert "folder with other files" in result.output
    assert (folder / "thesis.txt").read_text() == "keep me"


def test_cli_config_file(messages_file: Path, tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("prepare:\n  persona_ids: [user1]\n  val_share: 0\n")
    result = run(str(messages_file), "--config", str(params), "--report")
    assert result.exit_code == 0, result.output
    assert "examples: train 6, validation 0" in result.output


def test_cli_tokenizer_counts(messages_file: Path, tmp_path: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    # A word-level tokenizer: one token per word or punctuation mark.
    vocabulary = {"[UNK]": 0, "np": 1}
    tokenizer = Tokenizer(models.WordLevel(vocabulary, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    folder = tmp_path / "tokenizer"
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]").save_pretrained(folder)
    out = tmp_path / "out"
    result = run(
        str(messages_file), "--persona", "user1", "--out", str(out), "--set", f"tokenizer={folder}"
    )
    stats = json.loads((out / "stats.json").read_text())
    assert result.exit_code == 0, result.output
    assert stats["persona_tokens"]["method"] == f"tokenizer: {folder}"
    # "reinstall it from a live cd", "that works too" and "np" are 6 + 3 + 1 words.
    assert stats["persona_tokens"]["train"] == 10


def test_cli_tokenizer_missing(messages_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-tokenizer"
    result = run(
        str(messages_file), "--persona", "user1", "--report", "--set", f"tokenizer={missing}"
    )
    assert result.exit_code == 2
    assert f"the tokenizer folder {missing} does not exist" in result.output


def test_cli_single_session_loads(tmp_path: Path) -> None:
    from datasets import load_from_disk

    path = write_messages(tmp_path / "m.jsonl", conversation(DIALOGUE))
    out = tmp_path / "out"
    result = run(str(path), "--persona", "user1", "--out", str(out))
    dataset = load_from_disk(str(out / "dataset"))
    stats = json.loads((out / "stats.json").read_text())
    assert result.exit_code == 0, result.output
    assert dataset.num_rows == {"train": 2, "validation": 1}
    assert stats["sessions"]["in_both_splits"] == 1
    assert "both splits share this session" in stats["split_note"]
    assert "both splits share this session" in result.output


def test_cli_empty_validation_loads(messages_file: Path, tmp_path: Path) -> None:
    from datasets import load_from_disk

    out = tmp_path / "out"
    run(str(messages_file), "--persona", "user1", "--out", str(out), "--set", "val_share=0")
    dataset = load_from_disk(str(out / "dataset"))
    assert dataset.num_rows == {"train": 6, "validation": 0}
    assert dataset["validation"].features == dataset["train"].features


@pytest.mark.parametrize("value", ["yes-please", "[email]"])
def test_cli_invalid_redact_config(messages_file: Path, tmp_path: Path, value: str) -> None:
    params = tmp_path / "params.yaml"
    params.write_text(f"prepare:\n  redact: {value}\n")
    result = run(str(messages_file), "--persona", "user1", "--config", str(params), "--report")
    assert result.exit_code == 2
    assert "error: invalid prepare.redact" in result.output
    assert "Traceback" not in result.output


def test_cli_redact_false_keeps_names(messages_file: Path) -> None:
    result = run(str(messages_file), "--persona", "user1", "--report", "--set", "redact=false")
    assert result.exit_code == 0, result.output
    assert "  name: 0, 0 (off)" in result.output
    assert "  email: 0, 0 (off)" in result.output


def test_cli_help_out_and_set() -> None:
    from trainer.dataset.config import parameter_names

    result = run("--help")
    text = " ".join(result.output.split())
    assert "Required unless --report is given." in text
    assert "docs/dataset.md" in text
    for name in parameter_names():
        assert name in text
