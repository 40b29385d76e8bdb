"""Explain why the persona got no training examples, with the setting that would change it."""

from __future__ import annotations

from collections import Counter

from trainer.ingest.report import plural

# The setting to change per filter reason that dropped the persona's messages. Reasons
# missing here (service records, deleted messages, media without caption, empty texts)
# have no text to learn from, and the bot filter never drops the persona.
FILTER_HINTS = {
    "invalid_timestamp": (
        "fix the ts values, which must be ISO 8601 such as 2024-03-01T09:00:00 as "
        "`twinchat ingest` writes them"
    ),
    "forwarded": "set drop_forwarded to false to keep forwarded messages",
    "duplicate": "set drop_duplicates to false to keep repeated messages",
    "long_paste": "raise max_message_chars, or set it to 0 to keep long messages",
    "link_only": "set drop_link_only to false to keep messages that are only links",
    "other_script": "add the persona's writing system to keep_scripts or lower min_script_share",
}
# The setting to change per reason a kept persona burst did not become a target.
BURST_HINTS = {
    "not_a_reply": "set require_reply to false to also train on messages that start a conversation",
    "target_too_long": "raise target_max_tokens",
}
FALLBACK_HINT = "check that --persona names the right author; `twinchat participants` lists them"


def no_examples_message(
    persona_ids: tuple[str, ...],
    total: int,
    kept: int,
    dropped: Counter[str],
    skipped: Counter[str],
    note: str | None = None,
) -> str:
    """Describe why the persona has no examples: its message counts, drops and unused bursts.

    `total` and `kept` count the persona's messages before and after the filters, `dropped`
    the persona's drops per filter reason, and `skipped` its bursts that did not become
    targets per reason. The hints name only the settings behind the actual cause: the
    filters when none of the persona's messages are left, otherwise the unused bursts.
    `note`, such as a warning that several authors form the persona, is appended.
    """
    dropped_text = ", ".join(f"{count} {reason}" for reason, count in dropped.items() if count)
    skipped_text = ", ".join(f"{count} {reason}" for reason, count in skipped.items() if count)
    causes, hint_table = (skipped, BURST_HINTS) if kept else (dropped, FILTER_HINTS)
    hints = [hint_table[reason] for reason in causes if causes[reason] and reason in hint_table]
    message = (
        f"persona {', '.join(persona_ids)} has no training examples: "
        f"{plural(total, 'message')}, {kept} left after filters "
        f"({dropped_text or 'none dropped'}), bursts not used: {skipped_text or 'none'}; "
        f"{'; '.join(hints or [FALLBACK_HINT])}"
    )
    return f"{message}. Note: {note}" if note else message
