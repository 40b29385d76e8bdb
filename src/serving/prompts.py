"""From a chat request to prompt token ids, the way training built its prompts.

API messages become `trainer.formatting` turns: `user` messages are other people (named by
the optional `name` field), `assistant` messages are the persona. `system` messages are
ignored, because the persona was trained with the system prompt that build_messages writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trainer.formatting import Turn, build_messages, split_burst

# The speaker name of `user` messages that carry no `name`.
DEFAULT_SPEAKER = "User"


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str
    name: str | None = None


@dataclass(frozen=True)
class Conversation:
    """Turns ready for build_messages, and who else speaks in them."""

    turns: list[Turn]
    group_chat: bool
    other_speakers: tuple[str, ...]


@dataclass(frozen=True)
class PromptFormat:
    """The stop conditions that end the persona's turn in this tokenizer's chat template."""

    stop_token_ids: frozenset[int]
    stop_strings: tuple[str, ...]


def to_conversation(messages: Sequence[ChatMessage], persona: str) -> Conversation:
    """Group consecutive messages of one speaker into turns.

    It is a group chat when `user` messages carry more than one distinct name, as training
    marks chats with more than two speakers.
    """
    turns: list[Turn] = []
    speakers: list[str] = []
    for message in messages:
        if message.role == "system" or not message.content.strip():
            continue
        is_persona = message.role == "assistant"
        speaker = persona if is_persona else (message.name or DEFAULT_SPEAKER)
        # The persona's own earlier replies may be bursts joined by blank lines.
        parts = split_burst(message.content) if is_persona else [message.content]
        if turns and turns[-1]["speaker"] == speaker and turns[-1]["is_persona"] == is_persona:
            turns[-1]["messages"].extend(parts)
        else:
            turns.append(Turn(speaker=speaker, is_persona=is_persona, messages=list(parts)))
        if not is_persona and speaker not in speakers:
            speakers.append(speaker)
    named = {message.name for message in messages if message.role == "user" and message.name}
    return Conversation(turns, group_chat=len(named) > 1, other_speakers=tuple(speakers))


def encode_prompt(tokenizer, conversation: Conversation, persona: str, budget: int) -> list[int]:
    """Return the prompt's token ids, dropping the oldest turns to fit `budget` tokens.

    When the newest turn alone is too long, its oldest characters are cut. Raises
    ValueError when not even the system prompt fits.
    """
    turns = conversation.turns
    if not turns:
        raise ValueError("the conversation has no user or assistant message to reply to")

    def encode(selected_turns: list[Turn]) -> list[int]:
        messages = build_messages(selected_turns, persona, conversation.group_chat)
        text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return tokenizer(text, add_special_tokens=False)["input_ids"]

    full = encode(turns)
    if len(full) <= budget:
        return full
    # Fewer turns never make the prompt longer, so a binary search finds the most turns
    # that fit in about log2(turns) encodings.
    low, high = 1, len(turns) - 1
    while low <= high:
        middle = (low + high) // 2
        if len(encode(turns[middle:])) <= budget:
            high = middle - 1
        else:
            low = middle + 1
    if low < len(turns):
        return encode(turns[low:])
    return _encode_cut_turn(encode, turns[-1], budget)


def _encode_cut_turn(encode, turn: Turn, budget: int) -> list[int]:
    text = "\n".join(turn["messages"])

    def cut(start: int) -> Turn:
        return Turn(speaker=turn["speaker"], is_persona=turn["is_persona"], messages=[text[start:]])

    if len(encode([cut(len(text))])) > budget:
        raise ValueError(f"the prompt budget of {budget} tokens does not fit the system prompt")
    low, high = 0, len(text)
    while low < high:
        middle = (low + high) // 2
        if len(encode([cut(middle)])) <= budget:
            high = middle
        else:
            low = middle + 1
    return encode([cut(low)])


def prompt_format(tokenizer) -> PromptFormat:
    """Find the template's end-of-turn and next-turn markers by rendering a probe chat.

    The text between an assistant message and the next user message is the end of the
    persona's turn plus the start of someone else's (`<|im_end|>\\n<|im_start|>user` in
    ChatML). Its special tokens and its non-empty lines become stop conditions, together
    with the tokenizer's end-of-sequence tokens.
    """
    reply, question = "ASSISTANT_PROBE_7f3", "USER_PROBE_9c1"
    text = tokenizer.apply_chat_template(
        [
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": reply},
            {"role": "user", "content": question},
        ],
        tokenize=False,
    )
    between = text[text.index(reply) + len(reply) : text.index(question)]
    special_ids = set(tokenizer.all_special_ids) | set(tokenizer.added_tokens_decoder)
    between_ids = tokenizer(between, add_special_tokens=False)["input_ids"]
    stop_ids = {token for token in between_ids if token in special_ids}
    for token in _as_list(tokenizer.eos_token_id) + _as_list(tokenizer.pad_token_id):
        stop_ids.add(token)
    lines = tuple(line.strip() for line in between.splitlines() if line.strip())
    return PromptFormat(frozenset(stop_ids), lines)


def _as_list(value) -> list[int]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
