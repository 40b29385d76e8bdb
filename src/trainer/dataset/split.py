"""Split examples by time into train and validation, keeping each session in one split."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from trainer.dataset.examples import Example
from trainer.dataset.sessions import Session


@dataclass
class Split:
    """Examples per split, the sessions behind them, and a note when a fallback applied.

    A session is in both session lists only after the single-session fallback, which
    `shared_sessions` names.
    """

    train: list[Example] = field(default_factory=list)
    validation: list[Example] = field(default_factory=list)
    train_sessions: list[str] = field(default_factory=list)
    validation_sessions: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def shared_sessions(self) -> list[str]:
        return [session for session in self.train_sessions if session in self.validation_sessions]


def split_by_time(sessions: list[tuple[Session, list[Example]]], val_share: float) -> Split:
    """Move the latest sessions to validation until they hold `val_share` of the examples.

    Whole sessions move, so the validation share can exceed `val_share` when the last
    session is large. At least one session stays in train. With a single session, its
    latest examples go to validation instead (see `split_single_session`). With `val_share`
    0, validation is empty.
    """
    used = sorted(
        ((session, examples) for session, examples in sessions if examples),
        key=lambda item: (item[0].start, item[0].session_id),
    )
    if val_share > 0 and len(used) == 1:
        return split_single_session(*used[0], val_share)

    split = Split()
    total = sum(len(examples) for _, examples in used)
    wanted = val_share * total
    validation_count = 0
    cut = len(used)
    if val_share > 0:
        while cut > 1 and validation_count < wanted:
            cut -= 1
            validation_count += len(used[cut][1])
    for position, (session, examples) in enumerate(used):
        if position < cut:
            split.train.extend(examples)
            split.train_sessions.append(session.session_id)
        else:
            split.validation.extend(examples)
            split.validation_sessions.append(session.session_id)
    if split.validation and len(split.validation) > 2 * wanted + 1:
        split.note = (
            f"validation holds {len(split.validation)} of {total} examples, more than "
            f"val_share {val_share} asks, because whole sessions move and the latest ones "
            "are large"
        )
    return split


def split_single_session(session: Session, examples: list[Example], val_share: float) -> Split:
    """Hold out the last `val_share` of one session's examples, at least one, for validation.

    `examples` must be in time order, as ExampleBuilder.build yields them.

    Training needs validation examples for early stopping and evaluation, so this fallback
    gives up keeping the session in one split. Validation targets then follow train
    targets of the same conversation, which makes validation scores optimistic, and `note`
    says so. A session with a single example leaves validation empty.
    """
    split = Split(train_sessions=[session.session_id])
    ordered = list(examples)
    if len(ordered) < 2:
        split.train = ordered
        split.note = (
            "only 1 session with 1 example, so the validation split is empty; add more chat "
            "history or lower session_gap_seconds to get more sessions"
        )
        return split
    held_out = min(len(ordered) - 1, max(1, math.ceil(val_share * len(ordered))))
    split.train = ordered[:-held_out]
    split.validation = ordered[-held_out:]
    split.validation_sessions = [session.session_id]
    split.note = (
        f"only 1 session has examples, so its latest {held_out} of {len(ordered)} examples "
        "went to validation and both splits share this session, which makes validation "
        "scores optimistic; add more chat history or lower session_gap_seconds to get "
        "separate sessions"
    )
    return split
