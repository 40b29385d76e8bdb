"""Target-token perplexity on the tiny model, checked against transformers' own loss."""

from __future__ import annotations

import math

import pytest
import torch

from tests.modeling.samples import make_row
from trainer.evaluation.generation import GenerationSettings, generate_replies, prompt_messages
from trainer.evaluation.perplexity import target_perplexity
from trainer.modeling.base_model import build_tiny_model, load_causal_lm, load_tokenizer
from trainer.modeling.packing import encode_example


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = build_tiny_model(tmp_path_factory.mktemp("tiny"))
    return load_causal_lm(str(path)), load_tokenizer(str(path))


def test_perplexity_matches_transformers_loss(tiny):
    model, tokenizer = tiny
    row = make_row(1, "validation")
    encoded = encode_example(row, tokenizer, 256)
    with torch.no_grad():
        output = model(
            input_ids=torch.tensor([encoded.input_ids]), labels=torch.tensor([encoded.labels])
        )
    result = target_perplexity(model, tokenizer, [row], max_seq_len=256)
    assert result.tokens == sum(label != -100 for label in encoded.labels[1:])
    assert result.value == pytest.approx(math.exp(float(output.loss)), rel=1e-4)


def test_perplexity_packing_keeps_value(tiny):
    model, tokenizer = tiny
    rows = [make_row(index, "validation") for index in range(6)]
    one_by_one = [target_perplexity(model, tokenizer, [row], 256) for row in rows]
    together = target_perplexity(model, tokenizer, rows, 256, batch_size=2)
    assert together.tokens == sum(part.tokens for part in one_by_one)
    assert together.nll == pytest.approx(sum(part.nll for part in one_by_one), rel=1e-4)


def test_generate_replies_one_burst_per_row(tiny):
    model, tokenizer = tiny
    conversations = [prompt_messages(make_row(index, "validation")) for index in range(3)]
    settings = GenerationSettings(max_new_tokens=6, batch_size=2)
    replies = generate_replies(model, tokenizer, conversations, settings)
    assert len(replies) == 3
    assert all(isinstance(burst, list) for burst in replies)
