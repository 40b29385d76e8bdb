"""The prepare run on a real Telegram group export of a Linux help channel.

The export contains 42,904 messages from 4,118 people; the persona `user1000001` wrote 2,111.
"""

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


def example_words(example) -> list[list[str]]:
    texts = [text for turn in example.context for text in turn["messages"]] + example.target
    return [re.findall(r"\w+", text) for text in texts]


def test_helpdesk_no_full_names_left(examples, messages) -> None:
    # Other participants' names as word sequences, with and without the middle initial.
    full_names = set()
    for person in collect_participants(messages):
        if person.author_id == PERSONA:
            continue
        for name in person.names:
            words = tuple(re.findall(r"\w+", name.casefold()))
            full_names.add(words)
            full_names.add(tuple(word for word in words if len(word) > 1))
    leaks = []
    for example in examples:
        for words in example_words(example):
            folded = [word.casefold() for word in words]
            for length in (2, 3):
                for start in range(len(folded) - length + 1):
                    if tuple(folded[start : start + length]) in full_names:
                        leaks.append(" ".join(words[start : start + length]))
    assert leaks == []


def test_helpdesk_no_capitalized_name_words(examples, messages) -> None:
    persona_words = {"Arlo", "Finch"}
    name_words = set()
    for person in collect_participants(messages):
        if person.author_id != PERSONA:
            for name in person.names:
                name_words.update(word for word in re.findall(r"\w+", name) if len(word) > 1)
    name_words -= persona_words
    leaks = {
        word
        for example in examples
        for words in example_words(example)
        for word in words
        if word in name_words
    }
    assert leaks == set()


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
