"""Split examples by time into train and validation, keeping each session in one split."""

from __future__ import annotations

from dataclasses import dataclass, field

from trainer.dataset.examples import Example
from trainer.dataset.sessions import Session


@dataclass
class Split:
    """Examples per split, the sessions behind them, and a note when a fallback applied."""

    train: list[Example] = field(default_factory=list)
    validation: list[Example] = field(default_factory=list)
    train_sessions: list[str] = field(default_factory=list)
    validation_sessions: list[str] = field(default_factory=list)
    note: str | None = None


def split_by_time(sessions: list[tuple[Session, list[Example]]], val_share: float) -> Split:
    """Move the latest sessions to validation until they hold `val_share` of the examples.

    Whole sessions move, so the validation share can exceed `val_share` when the last
    session is large. At least one session stays in train. With a single session, or
    `val_share` 0, validation is empty and `note` says why.
    """
    used = sorted(
        ((session, examples) for session, examples in sessions if examples),
        key=lambda item: (item[0].start, item[0].session_id),
    )
    split = Split()
    total = sum(len(examples) for _, examples in used)
    wanted = val_share * total
    validation_count = 0
    cut = len(used)
    if val_share > 0 and len(used) > 1:
        while cut > 1 and validation_count < wanted:
            cut -= 1
            validation_count += len(used[cut][1])
    elif val_share > 0:
        split.note = (
            f"only {len(used)} session has examples, so the validation split is empty; "
            "add more chat history or lower session_gap_seconds to get more sessions"
        )
    for position, (session, examples) in enumerate(used):
        if position < cut:
            split.train.extend(examples)
            split.train_sessions.append(session.session_id)
        else:
            split.validation.extend(examples)
            split.validation_sessions.append(session.session_id)
    if split.note is None and split.validation and len(split.validation) > 2 * wanted + 1:
        split.note = (
            f"validation holds {len(split.validation)} of {total} examples, more than "
            f"val_share {val_share} asks, because whole sessions move and the latest ones "
            "are large"
        )
    return split
