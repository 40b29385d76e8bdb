"""Conversations to prompt token ids: turns, group chats, the token budget, stop markers."""

from __future__ import annotations

import pytest

from serving.prompts import (
    DEFAULT_SPEAKER,
    ChatMessage,
    encode_prompt,
    prompt_format,
    to_conversation,
)
from trainer.formatting import SYSTEM_PROMPT
from trainer.modeling.base_model import build_tiny_tokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return build_tiny_tokenizer()


def user(text, name=None):
    return ChatMessage("user", text, name)


def decode(tokenizer, ids):
    return tokenizer.decode(ids)


def test_consecutive_messages_form_turn():
    conversation = to_conversation([user("hi"), user("you there?")], "Ana")
    assert conversation.turns == [
        {"speaker": DEFAULT_SPEAKER, "is_persona": False, "messages": ["hi", "you there?"]}
    ]


def test_assistant_burst_split():
    messages = [user("hi"), ChatMessage("assistant", "hey\n\nwhat's up")]
    turn = to_conversation(messages, "Ana").turns[1]
    assert turn == {"speaker": "Ana", "is_persona": True, "messages": ["hey", "what's up"]}


def test_system_messages_ignored():
    messages = [ChatMessage("system", "be nice"), user("hi")]
    assert len(to_conversation(messages, "Ana").turns) == 1


def test_two_names_make_group_chat():
    messages = [user("hi", "Ben"), user("yo", "Cid")]
    conversation = to_conversation(messages, "Ana")
    assert conversation.group_chat
    assert conversation.other_speakers == ("Ben", "Cid")


def test_one_name_is_private_chat():
    assert not to_conversation([user("hi", "Ben"), user("yo", "Ben")], "Ana").group_chat


def test_prompt_uses_training_format(tokenizer):
    conversation = to_conversation([user("hi", "Ben"), user("yo", "Cid")], "Ana")
    text = decode(tokenizer, encode_prompt(tokenizer, conversation, "Ana", budget=1000))
    assert SYSTEM_PROMPT.format(persona="Ana") in text
    assert "Ben: hi" in text
    assert text.endswith("<|im_start|>assistant\n")


def test_budget_drops_oldest_turns(tokenizer):
    messages = []
    for index in range(12):
        messages.append(user(f"question number {index}"))
        messages.append(ChatMessage("assistant", f"answer number {index}"))
    messages.append(user("last question"))
    conversation = to_conversation(messages, "Ana")
    full = encode_prompt(tokenizer, conversation, "Ana", budget=10_000)
    ids = encode_prompt(tokenizer, conversation, "Ana", budget=len(full) // 2)
    text = decode(tokenizer, ids)
    assert len(ids) <= len(full) // 2
    assert "last question" in text
    assert "question number 0" not in text
    assert "answer number 11" in text


def test_budget_keeps_most_turns(tokenizer):
    messages = [user(f"message {index}") for index in range(3)]
    messages = [messages[0], ChatMessage("assistant", "ok"), messages[1]]
    conversation = to_conversation(messages, "Ana")
    full = encode_prompt(tokenizer, conversation, "Ana", budget=10_000)
    assert encode_prompt(tokenizer, conversation, "Ana", budget=len(full)) == full


def test_long_last_turn_cut_from_start(tokenizer):
    conversation = to_conversation([user("word " * 400 + "the end")], "Ana")
    ids = encode_prompt(tokenizer, conversation, "Ana", budget=120)
    assert len(ids) <= 120
    assert "the end" in decode(tokenizer, ids)


def test_budget_below_system_prompt(tokenizer):
    conversation = to_conversation([user("hi")], "Ana")
    with pytest.raises(ValueError, match="does not fit the system prompt"):
        encode_prompt(tokenizer, conversation, "Ana", budget=5)


def test_empty_conversation_rejected(tokenizer):
    with pytest.raises(ValueError, match="no user or assistant message"):
        encode_prompt(tokenizer, to_conversation([], "Ana"), "Ana", budget=100)


def test_chatml_stop_markers(tokenizer):
    found = prompt_format(tokenizer)
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    im_start = tokenizer.convert_tokens_to_ids("<|im_start|>")
    assert {im_end, im_start} <= found.stop_token_ids
    assert "<|im_start|>user" in found.stop_strings
