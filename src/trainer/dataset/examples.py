"""Training examples: a persona burst as the target and the turns before it as context."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from trainer.dataset.sessions import Burst, DialogueMessage, Session
from trainer.formatting import Turn

TokenCounter = Callable[[str], int]

APPROXIMATE_METHOD = "approximate: ceil(characters / 4) per word plus 1 per symbol"
_PIECES = re.compile(r"\w+|[^\w\s]")
# Tokens a chat template spends around one turn (role markers, speaker name, newlines),
# an estimate for small BPE vocabularies.
TURN_OVERHEAD_TOKENS = 4


def count_tokens_approx(text: str) -> int:
    """Estimate a BPE token count without a tokenizer.

    Each word costs one token per four characters and each symbol or emoji one token. On
    the first 20,000 messages of the help-desk export the estimate was 11% above the
    SmolLM2-135M tokenizer's count (transformers 5.25), and per message 0.81 to 1.35 times
    it for 80% of messages. Cyrillic text takes about 2.5 times more tokens than estimated.
    """
    return sum(math.ceil(len(piece) / 4) for piece in _PIECES.findall(text))


@dataclass(slots=True)
class Example:
    """One training row in the prepared dataset's schema, plus the ids of its messages.

    The message ids are not written to the dataset. They let tests and reports trace a row
    back to the input.
    """

    example_id: str
    chat_id: str
    session_id: str
    group_chat: bool
    persona: str
    context: list[Turn]
    target: list[str]
    target_ts: str
    target_tokens: int
    target_message_ids: tuple[str, ...] = ()
    context_message_ids: tuple[str, ...] = ()

    def to_row(self) -> dict[str, Any]:
        return {
            "example_id": self.example_id,
            "chat_id": self.chat_id,
            "session_id": self.session_id,
            "group_chat": self.group_chat,
            "persona": self.persona,
            "context": [dict(turn) for turn in self.context],
            "target": list(self.target),
            "target_ts": self.target_ts,
        }


@dataclass(frozen=True)
class ExampleOptions:
    """The parts of PrepareConfig that shape examples."""

    context_max_tokens: int
    context_max_turns: int
    target_max_tokens: int
    require_reply: bool


class ExampleBuilder:
    """Build examples session by session and count why persona bursts were not used.

    `messages_by_id` maps (chat_id, message id) to every kept message, so a reply can
    bring in a message from outside the context window or from an earlier session.
    """

    def __init__(
        self,
        options: ExampleOptions,
        persona: str,
        group_chats: set[str],
        messages_by_id: dict[tuple[str, str], DialogueMessage],
        count_tokens: TokenCounter = count_tokens_approx,
    ) -> None:
        self.options = options
        self.persona = persona
        self.group_chats = group_chats
        self.messages_by_id = messages_by_id
        self._count_uncached = count_tokens
        self._token_counts: dict[str, int] = {}
        self.skipped: Counter[str] = Counter()

    def count_tokens(self, text: str) -> int:
        """Count tokens once per distinct text, because a message is in many context windows."""
        count = self._token_counts.get(text)
        if count is None:
            count = self._token_counts[text] = self._count_uncached(text)
        return count

    def build(self, session: Session) -> Iterator[Example]:
        for index, burst in enumerate(session.bursts):
            if not burst.is_persona:
                continue
            example = self._build_one(session, index)
            if example is not None:
                yield example

    def _build_one(self, session: Session, index: int) -> Example | None:
        burst = session.bursts[index]
        target, target_tokens = self._fit_target(burst.texts)
        if not target:
            self.skipped["target_too_long"] += 1
            return None

        replied = self._replied_messages(session, index)
        budget = self.options.context_max_tokens
        reply_turns = [self._single_turn(message, budget) for message in replied]
        budget -= sum(self._turn_tokens(turn) for turn in reply_turns)
        max_turns = self.options.context_max_turns - len(reply_turns)
        window, window_ids = self._window(session.bursts[:index], budget, max_turns)

        previous = session.bursts[index - 1] if index > 0 else None
        follows_someone = previous is not None and not previous.is_persona
        if self.options.require_reply and not (follows_someone or self._replies_to_other(burst)):
            self.skipped["not_a_reply"] += 1
            return None

        first = burst.messages[0]
        return Example(
            example_id=f"{session.session_id}/{first.id}",
            chat_id=session.chat_id,
            session_id=session.session_id,
            group_chat=session.chat_id in self.group_chats,
            persona=self.persona,
            context=reply_turns + window,
            target=target,
            target_ts=first.ts_text,
            target_tokens=target_tokens,
            target_message_ids=tuple(message.id for message in burst.messages[: len(target)]),
            context_message_ids=tuple(message.id for message in replied) + tuple(window_ids),
        )

    def _replies_to_other(self, burst: Burst) -> bool:
        """Tell whether a message of the burst replies to an earlier message of someone else."""
        first = burst.messages[0]
        for message in burst.messages:
            if message.reply_to is None:
                continue
            replied = self.messages_by_id.get((message.chat_id, message.reply_to))
            if replied is None or replied.is_persona:
                continue
            if (replied.ts, replied.order) < (first.ts, first.order):
                return True
        return False

    def _fit_target(self, texts: list[str]) -> tuple[list[str], int]:
        """Keep the burst's leading messages that fit the target budget."""
        kept: list[str] = []
        total = 0
        for text in texts:
            tokens = self.count_tokens(text)
            if total + tokens > self.options.target_max_tokens:
                break
            kept.append(text)
            total += tokens
        return kept, total

    def _replied_messages(self, session: Session, index: int) -> list[DialogueMessage]:
        """Return the messages the target replies to that lie outside the context window.

        The window is measured with the whole budget. A replied message sent after the
        target's first message is ignored, so context never contains the future.
        """
        burst = session.bursts[index]
        first = burst.messages[0]
        _, window_ids = self._window(
            session.bursts[:index], self.options.context_max_tokens, self.options.context_max_turns
        )
        in_window = set(window_ids)
        found: dict[str, DialogueMessage] = {}
        for message in burst.messages:
            if message.reply_to is None:
                continue
            replied = self.messages_by_id.get((message.chat_id, message.reply_to))
            if replied is None or replied.id in in_window or replied.id in found:
                continue
            if (replied.ts, replied.order) >= (first.ts, first.order):
                continue
            found[replied.id] = replied
        return sorted(found.values(), key=lambda message: (message.ts, message.order))

    def _window(
        self, earlier: list[Burst], budget: int, max_turns: int
    ) -> tuple[list[Turn], list[str]]:
        """Take the latest bursts while they fit `budget` tokens and `max_turns` turns.

        A burst that does not fit whole contributes its latest messages that fit, and the
        window ends there. When not even the newest message fits, its end is kept. Returns
        the turns, oldest first, and the ids of the messages they contain.
        """
        turns: list[Turn] = []
        ids: list[str] = []
        for burst in reversed(earlier):
            if len(turns) >= max_turns or budget <= TURN_OVERHEAD_TOKENS:
                break
            kept: list[DialogueMessage] = []
            cost = TURN_OVERHEAD_TOKENS
            for message in reversed(burst.messages):
                tokens = self.count_tokens(message.text)
                if cost + tokens > budget:
                    break
                kept.insert(0, message)
                cost += tokens
            texts = [message.text for message in kept]
            if not kept and not turns:
                kept = [burst.messages[-1]]
                texts = [self._truncate_start(kept[0].text, budget - TURN_OVERHEAD_TOKENS)]
                cost = budget
            if not kept:
                break
            turns.append(Turn(speaker=burst.speaker, is_persona=burst.is_persona, messages=texts))
            ids[:0] = [message.id for message in kept]
            budget -= cost
            if len(kept) < len(burst.messages):
                break
        turns.reverse()
        return turns, ids

    def _single_turn(self, message: DialogueMessage, budget: int) -> Turn:
        text = message.text
        if self.count_tokens(text) + TURN_OVERHEAD_TOKENS > budget:
            text = self._truncate_start(text, max(budget // 2, 1))
        return Turn(speaker=message.speaker, is_persona=message.is_persona, messages=[text])

    def _turn_tokens(self, turn: Turn) -> int:
        return TURN_OVERHEAD_TOKENS + sum(self.count_tokens(text) for text in turn["messages"])

    def _truncate_start(self, text: str, budget: int) -> str:
        """Cut the start of `text` until it fits `budget` tokens, keeping the end."""
        tokens = self.count_tokens(text)
        if tokens <= budget:
            return text
        keep = len(text) * budget // tokens
        while keep > 0:
            candidate = "…" + text[len(text) - keep :].lstrip()
            if self.count_tokens(candidate) <= budget:
                return candidate
            keep = min(keep - 1, keep * 9 // 10)
        return "…"
