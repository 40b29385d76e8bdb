"""Tokenization, truncation and packing of dialogue examples."""

from __future__ import annotations

import pytest
import torch

from tests.modeling.samples import make_row
from trainer.formatting import join_burst
from trainer.modeling.base_model import load_causal_lm
from trainer.modeling.errors import TrainingSetupError
from trainer.modeling.packing import (
    IGNORE_INDEX,
    EncodedExample,
    collate_rows,
    encode_example,
    pack_examples,
)


def labelled_text(tokenizer, example: EncodedExample) -> str:
    return tokenizer.decode([token for token in example.labels if token != IGNORE_INDEX])


def test_labels_cover_only_target(tiny_tokenizer):
    row = make_row(1, "train")
    example = encode_example(row, tiny_tokenizer, max_seq_len=512)

    expected = join_burst(row["target"]) + tiny_tokenizer.eos_token
    assert labelled_text(tiny_tokenizer, example) == expected


def test_labels_are_suffix_of_example(tiny_tokenizer):
    example = encode_example(make_row(2, "train"), tiny_tokenizer, max_seq_len=512)
    first_label = next(i for i, token in enumerate(example.labels) if token != IGNORE_INDEX)

    assert all(token != IGNORE_INDEX for token in example.labels[first_label:])
    assert example.labels[first_label:] == example.input_ids[first_label:]


def test_prompt_matches_generation_prompt(tiny_tokenizer):
    row = make_row(3, "train")
    example = encode_example(row, tiny_tokenizer, max_seq_len=512)
    prompt_length = example.labels.index(next(t for t in example.labels if t != IGNORE_INDEX))

    prompt_text = tiny_tokenizer.decode(example.input_ids[:prompt_length])
    assert prompt_text.endswith("<|im_start|>assistant\n")
    assert prompt_text.startswith("<|im_start|>system\nYou are Alice.")


def test_truncation_drops_oldest_turns(tiny_tokenizer):
    row = make_row(0, "train")
    row["context"] = [
        {"speaker": "Bob", "is_persona": False, "messages": [f"old message number {i} " * 4]}
        for i in range(12)
    ]
    full = encode_example(row, tiny_tokenizer, max_seq_len=4096)
    example = encode_example(row, tiny_tokenizer, max_seq_len=len(full) // 2)
    text = tiny_tokenizer.decode(example.input_ids)

    assert example.truncated
    assert len(example) <= len(full) // 2
    assert text.startswith("<|im_start|>system\nYou are Alice.")
    assert "old message number 11" in text
    assert "old message number 0 " not in text
    assert labelled_text(tiny_tokenizer, example) == labelled_text(tiny_tokenizer, full)


def test_truncation_cuts_long_target(tiny_tokenizer):
    row = make_row(0, "train")
    row["target"] = ["a very long reply " * 40]
    example = encode_example(row, tiny_tokenizer, max_seq_len=64)

    assert len(example) == 64
    assert example.labels[-1] != tiny_tokenizer.eos_token_id
    assert labelled_text(tiny_tokenizer, example).startswith("a very long reply")


def test_too_short_max_seq_len_raises(tiny_tokenizer):
    with pytest.raises(TrainingSetupError, match=r"Raise data\.max_seq_len"):
        encode_example(make_row(0, "train"), tiny_tokenizer, max_seq_len=8)


def test_pack_keeps_every_example(tiny_tokenizer):
    examples = [encode_example(make_row(i, "train"), tiny_tokenizer, 128) for i in range(10)]
    rows = pack_examples(examples, max_seq_len=128)

    assert sum(len(row) for row in rows) == sum(len(example) for example in examples)
    assert all(len(row) <= 128 for row in rows)
    assert len(rows) < len(examples)
    assert sorted(t for row in rows for t in row.labels) == sorted(
        t for example in examples for t in example.labels
    )


def test_pack_is_deterministic(tiny_tokenizer):
    examples = [encode_example(make_row(i, "train"), tiny_tokenizer, 128) for i in range(10)]

    first = [row.input_ids for row in pack_examples(examples, 128)]
    second = [row.input_ids for row in pack_examples(examples, 128)]
    assert first == second


def test_collate_restarts_positions(tiny_tokenizer):
    examples = [EncodedExample([5, 6, 7], [IGNORE_INDEX, 6, 7]), EncodedExample([8, 9], [8, 9])]
    rows = pack_examples(examples, max_seq_len=5) + pack_examples(examples[1:], max_seq_len=5)
    batch = collate_rows(rows, pad_token_id=0)

    assert batch["position_ids"].tolist() == [[0, 1, 2, 0, 1], [0, 1, 0, 1, 2]]
    assert batch["input_ids"][1].tolist() == [8, 9, 0, 0, 0]
    assert batch["labels"][1, 2:].tolist() == [IGNORE_INDEX] * 3
    assert int(batch["num_tokens"]) == 7
    assert int(batch["num_target_tokens"]) == 5


@pytest.mark.parametrize("attn_implementation", ["sdpa", "eager"])
def test_packed_logits_match_alone(tiny_model_dir, tiny_tokenizer, attn_implementation):
    model = load_causal_lm(tiny_model_dir, attn_implementation=attn_implementation).eval()
    examples = [encode_example(make_row(i, "train"), tiny_tokenizer, 256) for i in range(5)]
    rows = pack_examples(examples, max_seq_len=256)
    batch = collate_rows(rows, tiny_tokenizer.pad_token_id)
    assert len(rows) == 2
    assert len(rows[0].input_ids) > max(len(example) for example in examples)

    with torch.no_grad():
        packed = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"]).logits
        for row_index, row in enumerate(rows):
            starts = [i for i, position in enumerate(row.position_ids) if position == 0]
            for start, end in zip(starts, [*starts[1:], len(row)], strict=True):
                alone = model(input_ids=torch.tensor([row.input_ids[start:end]])).logits[0]
                difference = (packed[row_index, start:end] - alone).abs().max().item()
                assert difference < 1e-5, f"row {row_index}, tokens {start}:{end}"


def test_unpacked_positions_leak_attention(tiny_model_dir, tiny_tokenizer):
    """Show that without restarting positions the second example attends to the first."""
    model = load_causal_lm(tiny_model_dir).eval()
    first, second = (encode_example(make_row(i, "train"), tiny_tokenizer, 256) for i in (1, 2))
    joined = torch.tensor([first.input_ids + second.input_ids])

    with torch.no_grad():
        leaked = model(input_ids=joined).logits[0, len(first) :]
        alone = model(input_ids=torch.tensor([second.input_ids])).logits[0]
    assert (leaked - alone).abs().max().item() > 1e-3
