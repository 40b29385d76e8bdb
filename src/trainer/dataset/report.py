"""The `--report` text: filter counts with a few redacted examples, redaction and split counts."""

from __future__ import annotations

from trainer.dataset.build import PrepareResult
from trainer.dataset.filters import REASONS
from trainer.dataset.redaction import LABELS
from trainer.formatting import clean_message

EXAMPLE_CHARS = 80


def _example_line(result: PrepareResult, reason: str, index: int) -> str:
    message = result.filters.examples[reason][index]
    if reason == "media_without_caption":
        text = "(media without caption)"
    elif reason == "system":
        # Service records name people who may never write, so only the action is shown.
        text = f"(service record: {message.extra.get('action', 'unknown action')})"
    else:
        text = result.redactor.redact(clean_message(message.text)).replace("\n", " ")
        if len(text) > EXAMPLE_CHARS:
            text = text[: EXAMPLE_CHARS - 1] + "…"
    if message.author_id in result.persona.ids:
        speaker = result.persona.name
    else:
        speaker = result.redactor.speaker(message.author_id, message.author)
    return f"    {speaker}: {text}"


def format_report(result: PrepareResult) -> str:
    """Render the report, passing every message text through the dataset's redactor."""
    stats = result.stats
    lines = [
        f"persona: {result.persona.name} ({', '.join(result.persona.ids)})",
        "messages: {input} read, {kept} kept; persona {persona_input} read, "
        "{persona_kept} kept".format(**stats["messages"]),
        "sessions: {total}, with examples {with_examples} "
        "(train {train}, validation {validation})".format(**stats["sessions"]),
        f"examples: train {stats['examples']['train']}, "
        f"validation {stats['examples']['validation']}",
        f"persona tokens: {stats['persona_tokens']['train']} train, "
        f"{stats['persona_tokens']['validation']} validation ({stats['persona_tokens']['method']})",
        "",
        "filtered messages (all authors / persona):",
    ]
    for reason in REASONS:
        count = stats["filters"][reason]
        if not count:
            continue
        lines.append(f"  {reason}: {count} / {stats['filters_persona'][reason]}")
        for index in range(len(result.filters.examples.get(reason, []))):
            lines.append(_example_line(result, reason, index))
    lines += ["", "redacted (replacements, distinct values):"]
    for rule in LABELS:
        counts = stats["redaction"][rule]
        state = "" if counts["enabled"] else " (off)"
        lines.append(f"  {rule}: {counts['replacements']}, {counts['distinct_values']}{state}")
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
