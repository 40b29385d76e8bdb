"""Shaping generated text into the persona's messages while it streams.

The model writes a burst as messages separated by blank lines (trainer.formatting's
BURST_SEPARATOR). `ReplyShaper` reads the decoded reply after every token and decides what
may be shown so far and whether generation should stop:

- it cuts the reply at a stop string (a chat template's turn marker, a client's `stop`,
  or, in group chats, a newline followed by another speaker's `Name:`), and drops a reply
  that starts with another speaker's `Name:`;
- it removes the persona's own `Name:` at the start;
- it stops at a message that repeats an earlier message of the same reply, or when the
  burst has `max_messages` messages;
- it holds back text that may still turn into one of the above: a trailing newline, the
  start of a stop string, an incomplete character. Streamed text is therefore never taken
  back, and the final text always starts with everything already sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trainer.formatting import BURST_SEPARATOR

# The character a tokenizer decodes an incomplete multi-byte sequence to.
REPLACEMENT_CHARACTER = "\ufffd"


@dataclass(frozen=True)
class ShapedReply:
    text: str
    messages: list[str]
    stop: bool


def speaker_stop_strings(speakers: Sequence[str]) -> list[str]:
    """Return the stop strings that mark another speaker's line in a group chat."""
    return [f"\n{speaker}:" for speaker in speakers if speaker]


class ReplyShaper:
    """Incremental reply shaping; feed the whole decoded reply each time with `update`."""

    def __init__(
        self,
        persona: str,
        stop_strings: Sequence[str] = (),
        other_speakers: Sequence[str] = (),
        max_messages: int | None = None,
    ) -> None:
        self.stop_strings = tuple(stop for stop in stop_strings if stop)
        self.own_prefix = f"{persona}:" if persona else ""
        self.other_prefixes = tuple(f"{speaker}:" for speaker in other_speakers if speaker)
        self.max_messages = max_messages
        self.sent = ""

    def update(self, text: str) -> tuple[str, bool]:
        """Return the newly showable text and whether generation should stop."""
        shaped = self.shape(text, final=False)
        return self._advance(shaped.text), shaped.stop

    def finish(self, text: str) -> tuple[str, list[str]]:
        """Return the last text to show and the reply's final messages."""
        shaped = self.shape(text, final=True)
        return self._advance(shaped.text), shaped.messages

    def _advance(self, visible: str) -> str:
        # Holding back makes `visible` grow monotonically; if some rule ever broke that,
        # showing nothing more is safer than showing text that the final reply drops.
        if not visible.startswith(self.sent):
            return ""
        delta = visible[len(self.sent) :]
        self.sent = visible
        return delta

    def shape(self, text: str, final: bool) -> ShapedReply:
        """Apply every rule to the reply so far; `final` means no more tokens will come."""
        text = text.lstrip()
        if not final and self._may_become_prefix(text):
            return ShapedReply("", [], False)
        if any(text.startswith(prefix) for prefix in self.other_prefixes):
            return ShapedReply("", [], True)
        if self.own_prefix and text.startswith(self.own_prefix):
            text = text[len(self.own_prefix) :].lstrip()

        stop = False
        cut = min((text.find(s) for s in self.stop_strings if s in text), default=-1)
        if cut >= 0:
            text, stop = text[:cut], True

        parts = text.split(BURST_SEPARATOR)
        complete = [part.strip() for part in parts[:-1] if part.strip()]
        partial = parts[-1].strip()
        if final or stop:
            complete, partial = complete + ([partial] if partial else []), ""

        messages: list[str] = []
        for message in complete:
            if _is_repeat(message, messages):
                stop = True
                break
            messages.append(message)
        if self.max_messages is not None and len(messages) >= self.max_messages:
            # Before the end, a complete message is one followed by a separator, so the
            # model has begun a message beyond the limit.
            messages, partial, stop = messages[: self.max_messages], "", True
        if stop:
            partial = ""
        if partial:
            partial = self._hold_back(partial, messages)
        visible_parts = [*messages, partial] if partial else messages
        return ShapedReply(BURST_SEPARATOR.join(visible_parts), messages, stop)

    def _may_become_prefix(self, text: str) -> bool:
        """Tell whether the reply so far could still grow into a `Name:` prefix."""
        prefixes = (*self.other_prefixes, self.own_prefix)
        return any(len(text) < len(prefix) and prefix.startswith(text) for prefix in prefixes)

    def _hold_back(self, partial: str, earlier: list[str]) -> str:
        """Return the part of the unfinished last message that is safe to show now."""
        if partial.endswith(REPLACEMENT_CHARACTER):
            partial = partial.rstrip(REPLACEMENT_CHARACTER).rstrip()
        for stop in self.stop_strings:
            for length in range(min(len(stop) - 1, len(partial)), 0, -1):
                if partial.endswith(stop[:length]):
                    partial = partial[:-length].rstrip()
                    break
        if any(message.casefold().startswith(partial.casefold()) for message in earlier):
            return ""
        # A message may be starting with another speaker's `Name:`, which the stop string
        # (a newline, then the name) catches only once complete.
        if any(len(partial) < len(p) and p.startswith(partial) for p in self.other_prefixes):
            return ""
        return partial


def _is_repeat(message: str, earlier: list[str]) -> bool:
    folded = message.casefold()
    return any(folded == previous.casefold() for previous in earlier)
