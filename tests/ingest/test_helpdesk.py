"""The helpdesk corpus, a real 42,904-message group chat, ingests completely."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from trainer.ingest import IngestReport, iter_messages
from trainer.ingest.participants import collect_participants
from trainer.ingest.records import Message

pytestmark = pytest.mark.shared

PERSONA_ID = "user1000001"


@pytest.fixture(scope="module")
def helpdesk(shared_dir: Path) -> tuple[list[Message], IngestReport]:
    """The corpus parsed once for this module, because parsing takes about a second."""
    report = IngestReport()
    path = shared_dir / "corpus" / "helpdesk" / "result.json"
    return list(iter_messages([path], "auto", report)), report


def test_helpdesk_message_count(helpdesk) -> None:
    messages, report = helpdesk
    assert len(messages) == 42_904
    assert report.skipped == []
    assert report.warnings == []


def test_helpdesk_chat(helpdesk) -> None:
    messages, _ = helpdesk
    assert {m.chat_id for m in messages} == {"telegram:1987654321"}
    assert {m.chat_name for m in messages} == {"Linux Help Desk"}
    assert Counter(m.kind for m in messages) == {"text": 42_904}


def test_helpdesk_replies(helpdesk) -> None:
    messages, _ = helpdesk
    assert sum(1 for m in messages if m.reply_to is not None) == 10_124


def test_helpdesk_persona_participant(helpdesk) -> None:
    messages, _ = helpdesk
    people = {person.author_id: person for person in collect_participants(messages)}
    persona = people[PERSONA_ID]
    assert persona.messages == 2_111
    assert persona.name == "Arlo Finch"
    assert sum(persona.names.values()) == 2_111
    assert len(people) == 4_118


def test_helpdesk_persona_is_most_active(helpdesk) -> None:
    messages, _ = helpdesk
    assert collect_participants(messages)[0].author_id == PERSONA_ID
