import pytest

from tests.dataset.helpers import message
from trainer.dataset.config import PrepareConfig
from trainer.dataset.filters import filter_messages, has_script, letter_scripts

PASTE = "x" * 2001


def run(messages, **config):
    return filter_messages(messages, PrepareConfig(**config), persona_ids={"user1"})


@pytest.mark.parametrize(
    ("reason", "dropped"),
    [
        ("system", message(1, "user2", "Greta joined the group", kind="system")),
        ("deleted", message(1, "user2", "", kind="deleted")),
        ("media_without_caption", message(1, "user2", "", kind="media", attachment="photo")),
        ("empty", message(1, "user2", "   ")),
        ("bot", message(1, "user2", "I am a bot", is_bot=True)),
        ("forwarded", message(1, "user2", "look at this", forwarded=True)),
        ("long_paste", message(1, "user2", PASTE)),
        ("link_only", message(1, "user2", "https://example.com/page")),
        ("link_only", message(1, "user2", "www.example.com, https://example.org/a")),
    ],
)
def test_filter_reason_counted(reason: str, dropped) -> None:
    result = run([dropped, message(2, "user2", "a normal message")])
    assert result.counts[reason] == 1
    assert [item.id for item, _ in result.kept] == ["2"]


def test_filter_media_with_caption_kept() -> None:
    result = run([message(1, "user2", "my cat", kind="media", attachment="photo")])
    assert len(result.kept) == 1


def test_filter_invalid_timestamp() -> None:
    broken = message(1, "user2", "hello")
    broken.ts = "yesterday"
    assert run([broken]).counts["invalid_timestamp"] == 1


def test_filter_bot_author_ids() -> None:
    result = run([message(1, "user7", "!factoid")], bot_author_ids=("user7",))
    assert result.counts["bot"] == 1


def test_filter_persona_never_bot() -> None:
    result = run([message(1, "user1", "hi", is_bot=True)])
    assert len(result.kept) == 1


def test_filter_duplicate_record() -> None:
    original = message(1, "user2", "ok")
    result = run([original, message(1, "user2", "ok")])
    assert result.counts["duplicate"] == 1


def test_filter_duplicate_long_text() -> None:
    text = "how do I install nvidia drivers on hardy?"
    result = run([message(1, "user2", text), message(2, "user2", text, minutes=5)])
    assert result.counts["duplicate"] == 1


def test_filter_short_repeats_kept() -> None:
    result = run([message(1, "user2", "ok"), message(2, "user2", "ok", minutes=1)])
    assert len(result.kept) == 2


def test_filter_same_text_other_author_kept() -> None:
    text = "how do I install nvidia drivers on hardy?"
    result = run([message(1, "user2", text), message(2, "user3", text, minutes=1)])
    assert len(result.kept) == 2


def test_filter_switches_off() -> None:
    messages = [
        message(1, "user2", "fwd", forwarded=True),
        message(2, "user2", "bot", is_bot=True),
        message(3, "user2", "https://example.com"),
        message(4, "user2", PASTE),
    ]
    result = run(
        messages,
        drop_forwarded=False,
        drop_bots=False,
        drop_link_only=False,
        max_message_chars=0,
    )
    assert len(result.kept) == 4


def test_filter_other_script() -> None:
    messages = [
        message(1, "user2", "привет, как дела?"),
        message(2, "user2", "hello there"),
        message(3, "user2", "ok 👍"),
    ]
    result = run(messages, keep_scripts=("latin",))
    assert result.counts["other_script"] == 1
    assert [item.id for item, _ in result.kept] == ["2", "3"]


def test_filter_persona_counts() -> None:
    result = run([message(1, "user1", "", kind="media"), message(2, "user2", "", kind="media")])
    assert result.counts["media_without_caption"] == 2
    assert result.persona_counts["media_without_caption"] == 1


def test_filter_examples_limited() -> None:
    result = run([message(n, "user2", "", kind="deleted") for n in range(10)])
    assert len(result.examples["deleted"]) == 3


def test_letter_scripts_counts() -> None:
    assert letter_scripts("abc где") == {"latin": 3, "cyrillic": 3}


def test_has_script_short_text_passes() -> None:
    assert has_script("да", ["latin"], 0.5)


def test_has_script_mixed_share() -> None:
    assert has_script("Ubuntu на ноутбуке", ["cyrillic"], 0.5)
