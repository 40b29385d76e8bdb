"""Cut each chat into sessions at long silences, and sessions into bursts of one speaker."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(slots=True)
class DialogueMessage:
    """A message that passed the filters, with redacted text and a comparable time.

    `order` is the position in the input and breaks ties between equal timestamps, so
    messages sent within one second keep the order the export gave them.
    """

    chat_id: str
    id: str
    ts: datetime
    ts_text: str
    author_id: str
    speaker: str
    is_persona: bool
    text: str
    reply_to: str | None = None
    order: int = 0


@dataclass(slots=True)
class Burst:
    """Consecutive messages of one speaker, kept as separate messages."""

    speaker: str
    is_persona: bool
    messages: list[DialogueMessage] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return self.messages[0].ts

    @property
    def end(self) -> datetime:
        return self.messages[-1].ts

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.messages]


@dataclass(slots=True)
class Session:
    """A stretch of one chat without a silence longer than the session gap."""

    session_id: str
    chat_id: str
    bursts: list[Burst]

    @property
    def start(self) -> datetime:
        return self.bursts[0].start

    @property
    def end(self) -> datetime:
        return self.bursts[-1].end


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 time into a naive datetime that compares across exports.

    Times with a UTC offset are converted to UTC and times without one are taken as
    written, so aware and naive values never meet in a comparison. Raises ValueError
    for text that is not ISO 8601.
    """
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        # NOTE: a chat whose export mixes offset-carrying and local wall-clock times is
        # compared in two different clocks, so its gaps can be off by the local UTC offset.
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def seconds_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds()


def split_sessions(
    messages: list[DialogueMessage], gap_seconds: float
) -> list[list[DialogueMessage]]:
    """Split time-ordered messages of one chat wherever the silence exceeds `gap_seconds`."""
    sessions: list[list[DialogueMessage]] = []
    for message in messages:
        if sessions and seconds_between(sessions[-1][-1].ts, message.ts) <= gap_seconds:
            sessions[-1].append(message)
        else:
            sessions.append([message])
    return sessions


def group_bursts(messages: list[DialogueMessage], gap_seconds: float) -> list[Burst]:
    """Merge consecutive messages of one speaker sent at most `gap_seconds` apart.

    Every persona author id counts as one speaker, because aliases of the persona are
    one person.
    """
    bursts: list[Burst] = []
    previous_key: str | None = None
    for message in messages:
        key = "\0persona" if message.is_persona else message.author_id
        last = bursts[-1] if bursts else None
        if (
            last is not None
            and key == previous_key
            and seconds_between(last.end, message.ts) <= gap_seconds
        ):
            last.messages.append(message)
        else:
            bursts.append(Burst(message.speaker, message.is_persona, [message]))
        previous_key = key
    return bursts


def build_sessions(
    messages: Iterable[DialogueMessage], session_gap_seconds: float, burst_gap_seconds: float
) -> list[Session]:
    """Group messages by chat, order them in time, and cut them into sessions of bursts.

    Sessions are returned ordered by chat id and then by time. A session id is the chat
    id followed by the session's number within its chat.
    """
    chats: dict[str, list[DialogueMessage]] = {}
    for message in messages:
        chats.setdefault(message.chat_id, []).append(message)
    sessions: list[Session] = []
    for chat_id in sorted(chats):
        ordered = sorted(chats[chat_id], key=lambda message: (message.ts, message.order))
        for number, part in enumerate(split_sessions(ordered, session_gap_seconds)):
            bursts = group_bursts(part, burst_gap_seconds)
            sessions.append(Session(f"{chat_id}/{number}", chat_id, bursts))
    return sessions
