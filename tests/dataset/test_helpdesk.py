"""The prepare run on a real Telegram group export of a Linux help channel.

The export holds 42,904 messages from 4,118 people; the persona `user1000001` wrote 2,111.
"""

import itertools
import re
from pathlib import Path

import pytest

from trainer.dataset import PrepareConfig, prepare_dataset
from trainer.dataset.build import read_messages
from trainer.dataset.sessions import parse_timestamp
from trainer.formatting import build_messages
from trainer.ingest.participants import collect_participants

pytestmark = pytest.mark.shared
PERSONA = "user1000001"


@pytest.fixture(scope="module")
def export(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "helpdesk" / "result.json"


@pytest.fixture(scope="module")
def result(export: Path):
    return prepare_dataset([export], PrepareConfig(persona_ids=(PERSONA,)))


@pytest.fixture(scope="module")
def messages(export: Path):
    return read_messages([export])


@pytest.fixture(scope="module")
def examples(result):
    return result.split.train + result.split.validation


def test_helpdesk_counts(result) -> None:
    stats = result.stats
    assert stats["messages"]["input"] == 42904
    assert stats["messages"]["persona_input"] == 2111
    assert stats["persona"]["name"] == "Arlo Finch"
    assert stats["examples"]["train"] > 1000
    assert stats["examples"]["validation"] > 0


def test_helpdesk_targets_by_persona(examples, messages) -> None:
    authors = {(item.chat_id, item.id): item.author_id for item in messages}
    for example in examples:
        for message_id in example.target_message_ids:
            assert authors[(example.chat_id, message_id)] == PERSONA, example.example_id


def test_helpdesk_context_before_target(examples, messages) -> None:
    position = {
        (item.chat_id, item.id): (parse_timestamp(item.ts), index)
        for index, item in enumerate(messages)
    }
    for example in examples:
        target = position[(example.chat_id, example.target_message_ids[0])]
        for message_id in example.context_message_ids:
            assert position[(example.chat_id, message_id)] < target, example.example_id


def test_helpdesk_sessions_disjoint(result) -> None:
    split = result.split
    assert not set(split.train_sessions) & set(split.validation_sessions)
    assert {example.session_id for example in split.validation} == set(split.validation_sessions)


def test_helpdesk_validation_is_later(result) -> None:
    latest_train = max(parse_timestamp(example.target_ts) for example in result.split.train)
    earliest_validation = min(
        parse_timestamp(example.target_ts) for example in result.split.validation
    )
    assert latest_train < earliest_validation


def test_helpdesk_no_full_names_left(examples, messages) -> None:
    # Every two-word display name of another participant, as lower-case word pairs.
    full_names = {
        tuple(name.casefold().split())
        for person in collect_participants(messages)
        if person.author_id != PERSONA
        for name in person.names
        if len(name.split()) == 2
    }
    leaks = []
    for example in examples:
        texts = [text for turn in example.context for text in turn["messages"]] + example.target
        for text in texts:
            words = re.findall(r"\w+", text.casefold())
            leaks += [pair for pair in itertools.pairwise(words) if pair in full_names]
    assert leaks == []


def test_helpdesk_speakers_are_placeholders(examples) -> None:
    speakers = {turn["speaker"] for example in examples for turn in example.context}
    others = {speaker for speaker in speakers if speaker != "Arlo Finch"}
    assert all(re.fullmatch(r"\[NAME_\d+\]", speaker) for speaker in others)


def test_helpdesk_rows_format(examples) -> None:
    row = examples[0].to_row()
    messages = build_messages(row["context"], row["persona"], row["group_chat"], row["target"])
    assert messages[0]["role"] == "system"
    assert messages[-1]["role"] == "assistant"
    assert row["group_chat"] is True
