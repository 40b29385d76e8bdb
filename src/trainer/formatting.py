"""Conversion of dialogue examples into chat-template messages, shared by training and serving.

Training and serving must build prompts the same way, or the model meets text at serving
time that it never saw in training. Nothing here imports torch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypedDict

# The messages of one burst are joined with a blank line, and blank lines inside one
# message are collapsed, so a blank line in generated text always marks a message boundary.
BURST_SEPARATOR = "\n\n"
_BLANK_LINES = re.compile(r"\n\s*\n+")

SYSTEM_PROMPT = (
    "You are {persona}. Continue the chat as {persona}: reply in {persona}'s own words, "
    "tone and length."
)


class Turn(TypedDict):
    """One speaker's consecutive messages in a dialogue context."""

    speaker: str
    is_persona: bool
    messages: list[str]


def clean_message(text: str) -> str:
    """Collapse blank lines inside one message so they cannot be read as a boundary."""
    return _BLANK_LINES.sub("\n", text.strip())


def join_burst(messages: Sequence[str]) -> str:
    return BURST_SEPARATOR.join(clean_message(message) for message in messages if message.strip())


def split_burst(text: str) -> list[str]:
    """Split generated text back into the separate messages of a burst."""
    return [part.strip() for part in text.split(BURST_SEPARATOR) if part.strip()]


def build_messages(
    context: Sequence[Turn],
    persona: str,
    group_chat: bool,
    target: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Build chat-template messages: a system prompt, the context, and optionally the target.

    The persona's turns become `assistant` messages and everyone else's `user` messages.
    In group chats each `user` message starts with its speaker's name, because the persona
    answers people by name there.
    """
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM_PROMPT.format(persona=persona)}
    ]
    for turn in context:
        body = join_burst(turn["messages"])
        if not body:
            continue
        if turn["is_persona"]:
            role, content = "assistant", body
        else:
            role = "user"
            content = f"{turn['speaker']}: {body}" if group_chat else body
        if messages[-1]["role"] == role and role == "user":
            messages[-1]["content"] += BURST_SEPARATOR + content
        else:
            messages.append({"role": role, "content": content})
    if target is not None:
        messages.append({"role": "assistant", "content": join_burst(target)})
    return messages
