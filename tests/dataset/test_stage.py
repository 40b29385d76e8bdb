"""The DVC stage script `pipelines/prepare.py`."""

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from tests.dataset.helpers import conversation, write_messages

STAGE = Path(__file__).resolve().parents[2] / "pipelines" / "prepare.py"


def load_stage() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stage_prepare", STAGE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def messages_file(tmp_path: Path) -> Path:
    turns = [("user2", "hi"), ("user1", "hey"), ("user2", "how is it going?"), ("user1", "fine")]
    return write_messages(tmp_path / "messages.jsonl", conversation(turns))


def test_stage_reads_prepare_section(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("prepare:\n  persona_ids: [user1]\n  preview_examples: 1\ntrain: {}\n")
    out = tmp_path / "processed"
    argv = ["--params", str(params), "--messages", str(messages_file(tmp_path)), "--out", str(out)]
    assert load_stage().main(argv) == 0
    stats = json.loads((out / "stats.json").read_text())
    assert stats["config"]["preview_examples"] == 1
    assert (out / "dataset" / "dataset_dict.json").is_file()
    assert len((out / "preview.jsonl").read_text().splitlines()) == 1


def test_stage_invalid_parameter(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("prepare:\n  persona_ids: [user1]\n  val_share: 1.5\n")
    out = tmp_path / "processed"
    argv = ["--params", str(params), "--messages", str(messages_file(tmp_path)), "--out", str(out)]
    assert load_stage().main(argv) == 2
    assert not out.exists()


def test_stage_documents_every_parameter() -> None:
    from trainer.dataset import PrepareConfig, RedactConfig

    header = STAGE.read_text().split('"""')[1]
    documented = set()
    for line in header.splitlines():
        if ":" in line and line.startswith("      "):
            documented.add(line.split(":")[0].strip())
    fields = set(PrepareConfig.__dataclass_fields__) | set(RedactConfig.__dataclass_fields__)
    assert fields <= documented
