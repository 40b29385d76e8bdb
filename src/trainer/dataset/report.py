"""The `--report` text: filter counts with a few redacted examples, redaction and split counts."""

from __future__ import annotations

from trainer.dataset.build import PrepareResult
from trainer.dataset.filters import REASONS
from trainer.formatting import clean_message

EXAMPLE_CHARS = 80
# Speaker shown for service records, whose author is the app or the group, not a person.
SYSTEM_SPEAKER = "system"


def _example_line(result: PrepareResult, reason: str, index: int) -> str:
    message = result.filters.examples[reason][index]
    if reason == "media_without_caption":
        text = "(media without caption)"
    elif reason == "system":
        # Service records name people who may never write, so only the action is shown.
        text = f"(service record: {message.extra.get('action', 'unknown action')})"
    elif reason == "deleted" and not message.text.strip():
        text = "(deleted message)"
    else:
        text = result.redactor.redact(clean_message(message.text), EXAMPLE_CHARS)
        text = text.replace("\n", " ")
    if message.author_id in result.persona.ids:
        speaker = result.persona.name
    elif message.kind == "system" or message.author_id in result.system_author_ids:
        speaker = SYSTEM_SPEAKER
    else:
        speaker = result.redactor.speaker(message.author_id, message.author)
    return f"    {speaker}: {text}"


def _summary_lines(result: PrepareResult) -> list[str]:
    stats = result.stats
    sessions = stats["sessions"]
    shared = f", {sessions['in_both_splits']} in both" if sessions["in_both_splits"] else ""
    tokens = stats["persona_tokens"]
    return [
        f"persona: {result.persona.name} ({', '.join(result.persona.ids)})",
        "messages: {input} read, {kept} kept; persona {persona_input} read, "
        "{persona_kept} kept".format(**stats["messages"]),
        f"sessions: {sessions['total']}, with examples {sessions['with_examples']} "
        f"(train {sessions['train']}, validation {sessions['validation']}{shared})",
        f"examples: train {stats['examples']['train']}, "
        f"validation {stats['examples']['validation']}",
        f"persona tokens: {tokens['train']} train, {tokens['validation']} validation "
        f"({tokens['method']})",
    ]


def format_report(result: PrepareResult) -> str:
    """Render the report, passing every message text through the dataset's redactor.

    The redaction counts are read after the filtered examples are redacted, so they
    include every placeholder the report shows.
    """
    stats = result.stats
    lines = [*_summary_lines(result), "", "filtered messages (all authors / persona):"]
    for reason in REASONS:
        count = stats["filters"][reason]
        if not count:
            continue
        lines.append(f"  {reason}: {count} / {stats['filters_persona'][reason]}")
        for index in range(len(result.filters.examples.get(reason, []))):
            lines.append(_example_line(result, reason, index))
    lines += [
        "",
        "redacted in kept messages and the examples above (replacements, distinct values):",
    ]
    for rule, counts in result.redactor.counts().items():
        state = "" if counts["enabled"] else " (off)"
        lines.append(f"  {rule}: {counts['replacements']}, {counts['distinct_values']}{state}")
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
