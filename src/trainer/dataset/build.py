"""The whole prepare run: read messages, pick the persona, filter, redact, build and split."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from trainer.dataset.config import PrepareConfig, PrepareError
from trainer.dataset.examples import ExampleBuilder, ExampleOptions, TokenCounter
from trainer.dataset.filters import FilterResult, filter_messages
from trainer.dataset.hints import no_examples_message
from trainer.dataset.names import NameMatcher, Person
from trainer.dataset.output import STATS_FORMAT, preview_rows, write_output
from trainer.dataset.persona import Persona, alias_warning, resolve_persona
from trainer.dataset.redaction import Redactor
from trainer.dataset.sessions import DialogueMessage, Session, build_sessions
from trainer.dataset.split import Split, split_by_time
from trainer.dataset.stats import style_stats
from trainer.dataset.tokenizer import load_token_counter
from trainer.formatting import clean_message
from trainer.ingest import IngestError, IngestReport, Message, iter_messages
from trainer.ingest.participants import Participant, collect_participants
from trainer.ingest.report import plural

logger = logging.getLogger(__name__)


@dataclass
class PrepareResult:
    """Everything a prepare run produced, before or after it is written."""

    persona: Persona
    split: Split
    stats: dict[str, Any]
    filters: FilterResult
    redactor: Redactor
    sessions: list[Session] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Authors that only wrote service records: the app, a group or a channel.
    system_author_ids: frozenset[str] = frozenset()


def read_messages(
    inputs: Sequence[str | Path], progress: bool = False, report: IngestReport | None = None
) -> list[Message]:
    """Read normalized JSONL or raw exports, raising PrepareError for unreadable or empty input.

    Records the parsers skipped are counted in `report`.
    """
    for path in map(Path, inputs):
        if path.is_file() and path.stat().st_size == 0:
            raise PrepareError(
                f"{path} is empty; pass a chat export or the JSONL file that `twinchat ingest` "
                "wrote"
            )
    report = report if report is not None else IngestReport()
    try:
        messages = list(iter_messages(list(inputs), report=report, progress=progress))
    except IngestError as error:
        raise PrepareError(str(error)) from error
    except OSError as error:
        raise PrepareError(f"cannot read {error.filename}: {error.strerror}") from error
    if not messages:
        names = ", ".join(str(path) for path in inputs)
        raise PrepareError(
            f"no messages found in {names}; pass a chat export or the JSONL file that "
            "`twinchat ingest` wrote"
        )
    return messages


def build_name_matcher(
    messages: Sequence[Message],
    participants: Sequence[Participant],
    persona: Persona,
    config: PrepareConfig,
) -> NameMatcher:
    """Collect the names to redact: every author's display names and people named by records.

    Service records name invited members and inviters, and forwards name the original
    author. Such people may never write themselves but still be mentioned.
    """
    people = [
        Person(participant.author_id, tuple(participant.names))
        for participant in participants
        if participant.author_id not in persona.ids and not participant.is_system
    ]
    known = {name.casefold() for participant in participants for name in participant.names}
    for name in sorted(mentioned_names(messages)):
        if name.casefold() not in known:
            people.append(Person(f"named:{name.casefold()}", (name,)))
    keep: tuple[str, ...] = persona.names
    if config.redact.persona_name:
        people.append(Person(persona.ids[0], persona.names))
        keep = ()
    return NameMatcher(people, keep=keep)


def mentioned_names(messages: Sequence[Message]) -> set[str]:
    """Return names that records carry besides their author: members, inviters, forwards."""
    names: set[str] = set()
    for message in messages:
        for key in ("members", "inviter", "forwarded_from"):
            value = message.extra.get(key)
            values = value if isinstance(value, list) else [value]
            names.update(item for item in values if isinstance(item, str) and item.strip())
    return names


def group_chat_ids(messages: Sequence[Message], persona: Persona) -> set[str]:
    """Return the chats with more than two speakers, counting persona aliases as one."""
    speakers: dict[str, set[str]] = {}
    for message in messages:
        if message.kind == "system":
            continue
        speaker = "\0persona" if message.author_id in persona.ids else message.author_id
        speakers.setdefault(message.chat_id, set()).add(speaker)
    return {chat_id for chat_id, people in speakers.items() if len(people) > 2}


def to_dialogue_messages(
    kept: Sequence[tuple[Message, datetime]], persona: Persona, redactor: Redactor
) -> list[DialogueMessage]:
    """Redact kept messages in chat and time order, so placeholder numbers follow the chat."""
    indexed = sorted(enumerate(kept), key=lambda item: (item[1][0].chat_id, item[1][1], item[0]))
    dialogue: list[DialogueMessage] = []
    for order, (message, moment) in indexed:
        is_persona = message.author_id in persona.ids
        speaker = (
            persona.name if is_persona else redactor.speaker(message.author_id, message.author)
        )
        dialogue.append(
            DialogueMessage(
                chat_id=message.chat_id,
                id=message.id,
                ts=moment,
                ts_text=message.ts,
                author_id=message.author_id,
                speaker=speaker,
                is_persona=is_persona,
                text=redactor.redact(clean_message(message.text)),
                reply_to=message.reply_to,
                order=order,
            )
        )
    return dialogue


def prepare_dataset(
    inputs: Sequence[str | Path],
    config: PrepareConfig,
    progress: bool = False,
    count_tokens: TokenCounter | None = None,
    token_method: str | None = None,
) -> PrepareResult:
    """Build the persona's examples and statistics in memory, without writing anything.

    `count_tokens` replaces the tokenizer named in the config. Raises PrepareError for
    every problem the user can fix.
    """
    ingest_report = IngestReport()
    messages = read_messages(inputs, progress, ingest_report)
    participants = collect_participants(messages)
    persona = resolve_persona(participants, config.persona_ids, config.persona_name)
    logger.info("%d messages, persona %s", len(messages), ",".join(persona.ids))
    if count_tokens is None:
        count_tokens, token_method = load_token_counter(config.tokenizer)

    filters = filter_messages(messages, config, persona.ids)
    redactor = Redactor(config.redact, build_name_matcher(messages, participants, persona, config))
    dialogue = to_dialogue_messages(filters.kept, persona, redactor)
    sessions = build_sessions(dialogue, config.session_gap_seconds, config.burst_gap_seconds)
    builder = ExampleBuilder(
        ExampleOptions(
            config.context_max_tokens,
            config.context_max_turns,
            config.target_max_tokens,
            config.require_reply,
        ),
        persona.name,
        group_chat_ids(messages, persona),
        {(message.chat_id, message.id): message for message in dialogue},
        count_tokens,
    )
    per_session = [
        (session, list(builder.build(session))) for session in _progress(sessions, progress)
    ]
    examples = [example for _, session_examples in per_session for example in session_examples]
    merged = alias_warning(participants, persona)
    if not examples:
        raise PrepareError(
            no_examples_message(
                persona.ids,
                sum(1 for message in messages if message.author_id in persona.ids),
                sum(1 for message, _ in filters.kept if message.author_id in persona.ids),
                filters.persona_counts,
                builder.skipped,
                merged,
            )
        )

    split = split_by_time(per_session, config.val_share)
    warnings = list(ingest_report.warnings)
    if merged:
        warnings.insert(0, merged)
    if ingest_report.skipped:
        warnings.append(
            f"{plural(len(ingest_report.skipped), 'record')} of the input could not be read "
            "and were skipped; `twinchat ingest` writes a report that lists them"
        )
    if split.note:
        warnings.append(split.note)
    stats = build_stats(
        ingest_report,
        messages,
        persona,
        filters,
        redactor,
        sessions,
        split,
        builder,
        token_method or "custom token counter",
        config,
    )
    system_author_ids = frozenset(
        participant.author_id for participant in participants if participant.is_system
    )
    return PrepareResult(
        persona, split, stats, filters, redactor, sessions, warnings, system_author_ids
    )


def run_prepare(
    inputs: Sequence[str | Path], out: Path, config: PrepareConfig, progress: bool = False
) -> PrepareResult:
    """Prepare the dataset and write it to `out` atomically."""
    result = prepare_dataset(inputs, config, progress)
    preview = preview_rows(result.split, config.preview_examples)
    write_output(out, result.split, result.stats, preview, progress)
    logger.info("wrote %s", out)
    return result


def build_stats(
    ingest_report: IngestReport,
    messages: Sequence[Message],
    persona: Persona,
    filters: FilterResult,
    redactor: Redactor,
    sessions: list[Session],
    split: Split,
    builder: ExampleBuilder,
    token_method: str,
    config: PrepareConfig,
) -> dict[str, Any]:
    """Assemble stats.json: counts per stage, persona tokens, filters, redaction and style."""
    persona_messages = sum(1 for message in messages if message.author_id in persona.ids)
    kept_persona = sum(1 for message, _ in filters.kept if message.author_id in persona.ids)
    target_messages = [
        text for example in split.train + split.validation for text in example.target
    ]
    return {
        "format": STATS_FORMAT,
        "persona": {"ids": list(persona.ids), "name": persona.name},
        "messages": {
            "input": len(messages),
            "kept": len(filters.kept),
            "persona_input": persona_messages,
            "persona_kept": kept_persona,
            "chats": len({message.chat_id for message in messages}),
            "unreadable_records": len(ingest_report.skipped),
        },
        "sessions": {
            "total": len(sessions),
            "with_examples": len(set(split.train_sessions) | set(split.validation_sessions)),
            "train": len(split.train_sessions),
            "validation": len(split.validation_sessions),
            "in_both_splits": len(split.shared_sessions),
        },
        "examples": {
            "train": len(split.train),
            "validation": len(split.validation),
            "persona_bursts_skipped": dict(sorted(builder.skipped.items())),
        },
        "persona_tokens": {
            "train": sum(example.target_tokens for example in split.train),
            "validation": sum(example.target_tokens for example in split.validation),
            "method": token_method,
        },
        "filters": filters.counts_dict(),
        "filters_persona": filters.persona_counts_dict(),
        "redaction": redactor.counts(),
        "style": style_stats(target_messages),
        "split_note": split.note,
        "config": config.to_dict(),
    }


def _progress(sessions: list[Session], enabled: bool):
    if not enabled:
        return sessions
    from tqdm import tqdm

    return tqdm(sessions, desc="prepare", unit="session", leave=False)
