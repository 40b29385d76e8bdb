"""Tokenizing dialogue examples and packing them into fixed-length rows without padding.

Each example becomes `input_ids` plus `labels` that keep only the persona's target message
and its end-of-turn token (every other label is `IGNORE_INDEX`). Packed rows carry
`position_ids` that restart at 0 for every example. With no attention mask and no cache,
transformers 5 derives a block-diagonal causal mask from such position_ids (sdpa, eager and
flex attention) or passes sequence lengths to flash attention, so no token attends across
an example boundary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from transformers import PreTrainedTokenizerBase

from trainer.formatting import build_messages
from trainer.modeling.errors import TrainingSetupError

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100


@dataclass
class EncodedExample:
    """Token ids and labels of one example, where `labels[i]` is the target for `input_ids[i]`."""

    input_ids: list[int]
    labels: list[int]
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.input_ids)


@dataclass
class PackedRow:
    """Examples laid end to end in one row of at most `max_seq_len` tokens."""

    input_ids: list[int] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    position_ids: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.input_ids)

    def append(self, example: EncodedExample) -> None:
        self.input_ids.extend(example.input_ids)
        self.labels.extend(example.labels)
        self.position_ids.extend(range(len(example)))


def render_prompt(
    tokenizer: PreTrainedTokenizerBase, messages: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Tokenize messages as the chat template renders them before the model's reply."""
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return tokenizer(text, add_special_tokens=False).input_ids


def encode_target(
    tokenizer: PreTrainedTokenizerBase,
    messages: Sequence[Mapping[str, Any]],
) -> list[int]:
    """Tokenize the last (assistant) message and the end-of-turn token the template puts after it.

    The template renders the whole conversation, the prompt is cut off the front, and the
    remaining text is tokenized on its own, because serving also tokenizes the prompt alone
    and generates from there. Anything after the first special token (such as ChatML's
    newline after `<|im_end|>`) is dropped. A template that ends the turn with no special
    token gets the tokenizer's EOS token appended.
    """
    full_text = tokenizer.apply_chat_template(messages, tokenize=False)
    prompt_text = tokenizer.apply_chat_template(
        messages[:-1], tokenize=False, add_generation_prompt=True
    )
    if not full_text.startswith(prompt_text):
        raise TrainingSetupError(
            "The tokenizer's chat template renders the prompt differently inside the full "
            "conversation, so the target cannot be located; use a model whose chat template "
            "supports add_generation_prompt."
        )
    target_ids = tokenizer(full_text[len(prompt_text) :], add_special_tokens=False).input_ids
    special_ids = set(tokenizer.all_special_ids)
    for index, token_id in enumerate(target_ids):
        if token_id in special_ids:
            return target_ids[: index + 1]
    return [*target_ids, tokenizer.eos_token_id]


def encode_example(
    row: Mapping[str, Any], tokenizer: PreTrainedTokenizerBase, max_seq_len: int
) -> EncodedExample:
    """Tokenize one dataset row, dropping the oldest context turns until it fits `max_seq_len`.

    The system prompt and the target are kept. When they alone exceed `max_seq_len`, the
    target is cut on the right and loses its end-of-turn token.
    """
    context = list(row["context"])
    persona, group_chat = row["persona"], bool(row["group_chat"])
    full_messages = build_messages(context, persona, group_chat, target=row["target"])
    target = encode_target(tokenizer, full_messages)

    def prompt_for(dropped_turns: int) -> list[int]:
        messages = build_messages(context[dropped_turns:], persona, group_chat)
        return render_prompt(tokenizer, messages)

    prompt = prompt_for(0)
    truncated = len(prompt) + len(target) > max_seq_len
    if truncated:
        prompt = _shortest_fitting_prompt(prompt_for, len(context), max_seq_len - len(target))
    room_for_target = max_seq_len - len(prompt)
    if room_for_target < 1:
        raise TrainingSetupError(
            f"data.max_seq_len={max_seq_len} leaves no room for the reply after the system "
            f"prompt ({len(prompt)} tokens). Raise data.max_seq_len."
        )
    target = target[:room_for_target]
    return EncodedExample(
        input_ids=prompt + target,
        labels=[IGNORE_INDEX] * len(prompt) + target,
        truncated=truncated,
    )


def _shortest_fitting_prompt(
    prompt_for: Callable[[int], list[int]], turn_count: int, budget: int
) -> list[int]:
    """Binary-search the fewest dropped turns whose prompt fits `budget` tokens.

    Returns the prompt without any context when even that does not fit.
    """
    low, high = 1, turn_count
    best = prompt_for(turn_count)
    while low <= high:
        middle = (low + high) // 2
        prompt = prompt_for(middle)
        if len(prompt) <= budget:
            best, high = prompt, middle - 1
        else:
            low = middle + 1
    return best


def encode_examples(
    rows: Iterable[Mapping[str, Any]], tokenizer: PreTrainedTokenizerBase, max_seq_len: int
) -> list[EncodedExample]:
    examples = [encode_example(row, tokenizer, max_seq_len) for row in rows]
    truncated = sum(example.truncated for example in examples)
    if truncated:
        logger.info(
            "Truncated %d of %d examples to %d tokens", truncated, len(examples), max_seq_len
        )
    return examples


def pack_examples(examples: Sequence[EncodedExample], max_seq_len: int) -> list[PackedRow]:
    """Pack examples into rows of at most `max_seq_len` tokens, longest first, first fit.

    The result depends only on the input, so every run and every process packs alike.
    """
    order = sorted(range(len(examples)), key=lambda index: (-len(examples[index]), index))
    rows: list[PackedRow] = []
    for index in order:
        example = examples[index]
        if len(example) > max_seq_len:
            raise ValueError(f"Example of {len(example)} tokens exceeds max_seq_len={max_seq_len}")
        row = next((row for row in rows if len(row) + len(example) <= max_seq_len), None)
        if row is None:
            row = PackedRow()
            rows.append(row)
        row.append(example)
    return rows


def single_example_rows(examples: Sequence[EncodedExample]) -> list[PackedRow]:
    """Put each example in its own row, for training without packing."""
    rows = []
    for example in examples:
        row = PackedRow()
        row.append(example)
        rows.append(row)
    return rows


def collate_rows(rows: Sequence[PackedRow], pad_token_id: int) -> dict[str, torch.Tensor]:
    """Stack rows into a batch, padding each to the longest row.

    The padding forms one more sequence with its own restarting positions, so real tokens
    never attend to it, and its labels are ignored. `num_tokens` counts the real tokens and
    `num_target_tokens` the tokens the loss is taken on.
    """
    length = max(len(row) for row in rows)
    input_ids = torch.full((len(rows), length), pad_token_id, dtype=torch.long)
    labels = torch.full((len(rows), length), IGNORE_INDEX, dtype=torch.long)
    position_ids = torch.zeros((len(rows), length), dtype=torch.long)
    for index, row in enumerate(rows):
        size = len(row)
        input_ids[index, :size] = torch.tensor(row.input_ids)
        labels[index, :size] = torch.tensor(row.labels)
        position_ids[index, :size] = torch.tensor(row.position_ids)
        position_ids[index, size:] = torch.arange(length - size)
    return {
        "input_ids": input_ids,
        "labels": labels,
        "position_ids": position_ids,
        "num_tokens": torch.tensor(sum(len(row) for row in rows)),
        "num_target_tokens": (labels[:, 1:] != IGNORE_INDEX).sum(),
    }
