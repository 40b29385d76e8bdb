from datetime import timedelta

from tests.dataset.helpers import START
from trainer.dataset.examples import Example
from trainer.dataset.sessions import Burst, DialogueMessage, Session
from trainer.dataset.split import split_by_time


def session_with(index: int, count: int) -> tuple[Session, list[Example]]:
    moment = START + timedelta(days=index)
    first = DialogueMessage("c", str(index), moment, moment.isoformat(), "u", "U", False, "x")
    session = Session(f"c/{index}", "c", [Burst("U", False, [first])])
    examples = [
        Example(f"c/{index}/{n}", "c", f"c/{index}", False, "P", [], ["y"], "", 1)
        for n in range(count)
    ]
    return session, examples


def test_split_latest_sessions_validation() -> None:
    split = split_by_time([session_with(day, 10) for day in range(10)], 0.2)
    assert split.validation_sessions == ["c/8", "c/9"]
    assert len(split.validation) == 20


def test_split_sessions_disjoint() -> None:
    split = split_by_time([session_with(day, 3) for day in range(7)], 0.3)
    assert not set(split.train_sessions) & set(split.validation_sessions)
    assert {example.session_id for example in split.train} == set(split.train_sessions)


def test_split_orders_by_time_not_input() -> None:
    sessions = [session_with(day, 5) for day in (3, 1, 2, 0)]
    split = split_by_time(sessions, 0.25)
    assert split.validation_sessions == ["c/3"]


def test_split_keeps_one_train_session() -> None:
    split = split_by_time([session_with(0, 1), session_with(1, 1)], 0.9)
    assert split.train_sessions == ["c/0"]
    assert split.validation_sessions == ["c/1"]


def test_split_single_session_fallback() -> None:
    session, examples = session_with(0, 20)
    split = split_by_time([(session, examples)], 0.1)
    assert split.train == examples[:18]
    assert split.validation == examples[18:]
    assert split.shared_sessions == ["c/0"]
    assert "latest 2 of 20 examples" in split.note


def test_split_single_session_holds_one() -> None:
    session, examples = session_with(0, 3)
    split = split_by_time([(session, examples)], 0.1)
    assert split.validation == examples[2:]
    assert len(split.train) == 2


def test_split_single_session_keeps_train() -> None:
    split = split_by_time([session_with(0, 2)], 0.9)
    assert len(split.train) == 1
    assert len(split.validation) == 1


def test_split_single_example_empty_validation() -> None:
    split = split_by_time([session_with(0, 1)], 0.1)
    assert len(split.train) == 1
    assert split.validation == []
    assert split.validation_sessions == []
    assert "validation split is empty" in split.note


def test_split_two_sessions_share_nothing() -> None:
    split = split_by_time([session_with(0, 20), session_with(1, 1)], 0.5)
    assert split.shared_sessions == []


def test_split_zero_share() -> None:
    split = split_by_time([session_with(day, 2) for day in range(3)], 0.0)
    assert split.validation == []
    assert split.note is None


def test_split_zero_share_single_session() -> None:
    split = split_by_time([session_with(0, 5)], 0.0)
    assert split.validation == []
    assert split.note is None


def test_split_skips_empty_sessions() -> None:
    split = split_by_time([session_with(0, 4), session_with(1, 0), session_with(2, 1)], 0.2)
    assert split.validation_sessions == ["c/2"]
    assert "c/1" not in split.train_sessions


def test_split_notes_oversized_validation() -> None:
    split = split_by_time([session_with(0, 2), session_with(1, 50)], 0.1)
    assert len(split.validation) == 50
    assert "whole sessions" in split.note
