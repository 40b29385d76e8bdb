"""Batched decoding with mixed LoRA adapters against one-at-a-time decoding."""

from __future__ import annotations

import pytest
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from serving.generation import (
    FINISH_CANCELLED,
    FINISH_LENGTH,
    FINISH_STOP,
    BatchDecoder,
    DecodeRow,
    left_pad,
)
from serving.settings import SamplingParams
from tests.serving.conftest import GREEDY

TEXTS = ["hello, how are you?", "see you tomorrow at the station", "fine", "thanks, and you?"]


@pytest.fixture(scope="module")
def tokenizer(registry):
    return AutoTokenizer.from_pretrained(str(registry.base_dir))


@pytest.fixture(scope="module")
def model(registry):
    base = AutoModelForCausalLM.from_pretrained(str(registry.base_dir))
    model = PeftModel.from_pretrained(base, str(registry.adapters[0]), adapter_name="a")
    model.load_adapter(str(registry.adapters[1]), adapter_name="b")
    return model.eval()


@pytest.fixture(scope="module")
def prompts(tokenizer):
    return [
        tokenizer.apply_chat_template(
            [{"role": "user", "content": text}], add_generation_prompt=True, tokenize=False
        )
        for text in TEXTS
    ]


def encode(tokenizer, prompts):
    return [tokenizer(text, add_special_tokens=False)["input_ids"] for text in prompts]


def rows_for(tokenizer, prompts, adapters, sampling=GREEDY):
    return [
        DecodeRow(ids, sampling, frozenset(), adapter)
        for ids, adapter in zip(encode(tokenizer, prompts), adapters, strict=True)
    ]


def test_left_pad_aligns_right():
    input_ids, mask = left_pad([[5, 6, 7], [8]], pad_token_id=0)
    assert input_ids.tolist() == [[5, 6, 7], [0, 0, 8]]
    assert mask.tolist() == [[1, 1, 1], [0, 0, 1]]


def test_mixed_batch_matches_unbatched(model, tokenizer, prompts):
    adapters = ["a", "b", None, "b"]
    decoder = BatchDecoder(model, tokenizer.pad_token_id)
    rows = rows_for(tokenizer, prompts, adapters)
    batched = [result.token_ids for result in decoder.decode(rows)]
    single = [decoder.decode([row])[0].token_ids for row in rows]
    assert batched == single


def test_mixed_batch_matches_peft_generate(model, tokenizer, prompts):
    decoder = BatchDecoder(model, tokenizer.pad_token_id)
    rows = rows_for(tokenizer, prompts, ["a", "b", "a", None])
    batched = decoder.decode(rows)
    ids = torch.tensor([rows[1].prompt_ids])
    expected = model.generate(
        input_ids=ids,
        attention_mask=torch.ones_like(ids),
        adapter_names=["b"],
        max_new_tokens=GREEDY.max_new_tokens,
        do_sample=False,
        eos_token_id=None,
    )[0, ids.shape[1] :]
    assert batched[1].token_ids == expected.tolist()


def test_adapters_change_output(model, tokenizer, prompts):
    decoder = BatchDecoder(model, tokenizer.pad_token_id)
    rows = rows_for(tokenizer, [prompts[0]] * 3, ["a", "b", None])
    outputs = [result.token_ids for result in decoder.decode(rows)]
    assert outputs[0] != outputs[1]
    assert outputs[0] != outputs[2]


def test_seeded_sampling_ignores_batch(model, tokenizer, prompts):
    sampling = SamplingParams(temperature=1.0, top_p=0.9, max_new_tokens=10, seed=7)
    decoder = BatchDecoder(model, tokenizer.pad_token_id)
    rows = rows_for(tokenizer, prompts, ["a", "b", "a", "b"], sampling)
    batched = decoder.decode(rows)
    alone = decoder.decode([rows[2]])
    assert batched[2].token_ids == alone[0].token_ids


def test_stop_token_ends_row(model, tokenizer, prompts):
    decoder = BatchDecoder(model, tokenizer.pad_token_id)
    [free] = decoder.decode(rows_for(tokenizer, prompts[:1], ["a"]))
    stop_token = free.token_ids[3]
    row = DecodeRow(encode(tokenizer, prompts[:1])[0], GREEDY, frozenset({stop_token}), "a")
    [result] = decoder.decode([row])
    assert result.finish_reason == FINISH_STOP
    assert stop_token not in result.token_ids
    assert result.token_ids == free.token_ids[: free.token_ids.index(stop_token)]


def test_length_limit_ends_row(model, tokenizer, prompts):
    decoder = BatchDecoder(model, tokenizer.pad_token_id)
    [result] = decoder.decode(rows_for(tokenizer, prompts[:1], ["b"]))
    assert result.finish_reason == FINISH_LENGTH
    assert len(result.token_ids) == GREEDY.max_new_tokens


def test_finished_row_leaves_batch(model, tokenizer, prompts):
    decoder = BatchDecoder(model, tokenizer.pad_token_id)
    rows = rows_for(tokenizer, prompts, ["a", "b", None, "b"])
    expected = [result.token_ids for result in decoder.decode(rows)]
    rows[0].on_tokens = lambda ids: len(ids) >= 2
    results = decoder.decode(rows)
    assert results[0].token_ids == expected[0][:2]
    assert [result.token_ids for result in results[1:]] == expected[1:]


def test_cancelled_row_stops(model, tokenizer, prompts):
    decoder = BatchDecoder(model, tokenizer.pad_token_id)
    rows = rows_for(tokenizer, prompts[:2], ["a", "b"])
    rows[1].cancelled = lambda: True
    results = decoder.decode(rows)
    assert results[1].finish_reason == FINISH_CANCELLED
    assert len(results[1].token_ids) == 1
    assert results[0].finish_reason == FINISH_LENGTH


def test_plain_model_rejects_adapter(registry, tokenizer, prompts):
    base = AutoModelForCausalLM.from_pretrained(str(registry.base_dir)).eval()
    decoder = BatchDecoder(base, tokenizer.pad_token_id)
    with pytest.raises(ValueError, match="no LoRA adapters"):
        decoder.decode(rows_for(tokenizer, prompts[:1], ["a"]))
