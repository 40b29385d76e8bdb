from datetime import datetime

from tests.dataset.helpers import dialogue
from trainer.dataset.sessions import (
    build_sessions,
    group_bursts,
    parse_timestamp,
    split_sessions,
)


def test_parse_timestamp_aware_to_utc() -> None:
    assert parse_timestamp("2024-03-01T12:00:00+03:00") == datetime(2024, 3, 1, 9, 0)


def test_parse_timestamp_naive_kept() -> None:
    assert parse_timestamp("2024-03-01T12:00:00") == datetime(2024, 3, 1, 12, 0)


def test_parse_timestamp_mixed_compare() -> None:
    aware = parse_timestamp("2024-03-01T12:00:00Z")
    naive = parse_timestamp("2024-03-01T12:30:00")
    assert (naive - aware).total_seconds() == 1800


def test_split_sessions_at_gap() -> None:
    messages = [
        dialogue(1, "user2", "a", 0),
        dialogue(2, "user1", "b", 59),
        dialogue(3, "user2", "c", 121),
    ]
    sessions = split_sessions(messages, gap_seconds=3600)
    assert [[item.id for item in part] for part in sessions] == [["1", "2"], ["3"]]


def test_split_sessions_gap_is_inclusive() -> None:
    messages = [dialogue(1, "user2", "a", 0), dialogue(2, "user1", "b", 60)]
    assert len(split_sessions(messages, gap_seconds=3600)) == 1


def test_split_sessions_counts_whole_days() -> None:
    # Exactly one day plus one minute apart: timedelta.seconds alone would read 60 seconds.
    messages = [dialogue(1, "user2", "a", 0), dialogue(2, "user1", "b", 24 * 60 + 1)]
    assert len(split_sessions(messages, gap_seconds=3600)) == 2


def test_group_bursts_merges_one_speaker() -> None:
    messages = [
        dialogue(1, "user2", "hi", 0),
        dialogue(2, "user2", "are you there?", 1),
        dialogue(3, "user1", "yes", 2),
    ]
    bursts = group_bursts(messages, gap_seconds=600)
    assert [burst.texts for burst in bursts] == [["hi", "are you there?"], ["yes"]]


def test_group_bursts_splits_at_gap() -> None:
    messages = [dialogue(1, "user1", "one", 0), dialogue(2, "user1", "two", 11)]
    assert len(group_bursts(messages, gap_seconds=600)) == 2


def test_group_bursts_persona_aliases_merge() -> None:
    first = dialogue(1, "user1", "from the phone", 0)
    second = dialogue(2, "user9", "from the laptop", 1)
    second.is_persona = True
    bursts = group_bursts([first, second], gap_seconds=600)
    assert [burst.texts for burst in bursts] == [["from the phone", "from the laptop"]]


def test_group_bursts_other_speakers_separate() -> None:
    messages = [dialogue(1, "user2", "a", 0), dialogue(2, "user3", "b", 1)]
    assert len(group_bursts(messages, gap_seconds=600)) == 2


def test_build_sessions_orders_by_time() -> None:
    messages = [dialogue(2, "user1", "second", 5), dialogue(1, "user2", "first", 1)]
    sessions = build_sessions(messages, 3600, 600)
    assert [burst.texts for burst in sessions[0].bursts] == [["first"], ["second"]]


def test_build_sessions_equal_times_keep_order() -> None:
    messages = [dialogue(1, "user2", "first", 1), dialogue(2, "user1", "second", 1)]
    sessions = build_sessions(messages, 3600, 600)
    assert [burst.texts for burst in sessions[0].bursts] == [["first"], ["second"]]


def test_build_sessions_per_chat_ids() -> None:
    messages = [
        dialogue(1, "user2", "a", 0, chat_id="telegram:1"),
        dialogue(2, "user2", "b", 0, chat_id="whatsapp:x"),
        dialogue(3, "user2", "c", 300, chat_id="telegram:1"),
    ]
    ids = [session.session_id for session in build_sessions(messages, 3600, 600)]
    assert ids == ["telegram:1/0", "telegram:1/1", "whatsapp:x/0"]
