"""The tiny test model and the conversion of the bundled GGUF model."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from trainer.modeling.base_model import (
    BaseModelError,
    build_tiny_model,
    find_bundled_gguf,
    load_causal_lm,
    load_gguf,
    load_tokenizer,
    save_base_model,
)

PROBE_TEXT = "<|im_start|>user\nHello, how was the trip?<|im_end|>\n<|im_start|>assistant\n"


def test_tiny_model_has_chat_template(tiny_tokenizer):
    messages = [{"role": "user", "content": "hi"}]
    text = tiny_tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    assert text == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


def test_tiny_tokenizer_round_trips(tiny_tokenizer):
    text = "Привет, café! 😀 <|im_end|>"
    ids = tiny_tokenizer(text, add_special_tokens=False).input_ids

    assert tiny_tokenizer.decode(ids) == text
    assert tiny_tokenizer.eos_token_id in ids


def test_tiny_model_is_reproducible(tmp_path):
    first = load_file(build_tiny_model(tmp_path / "a", seed=3) / "model.safetensors")
    second = load_file(build_tiny_model(tmp_path / "b", seed=3) / "model.safetensors")

    assert first.keys() == second.keys()
    assert all(torch.equal(first[name], second[name]) for name in first)


def test_tiny_model_is_llama(tiny_model_dir):
    config = json.loads((tiny_model_dir / "config.json").read_text())

    assert config["model_type"] == "llama"
    assert config["tie_word_embeddings"] is True
    assert config["num_key_value_heads"] < config["num_attention_heads"]


def test_missing_model_dir_raises(tmp_path):
    with pytest.raises(BaseModelError, match=r"model\.name_or_path"):
        load_causal_lm(tmp_path / "absent")


def test_tokenizer_without_template_raises(tiny_model_dir, tmp_path):
    tokenizer = load_tokenizer(tiny_model_dir)
    tokenizer.chat_template = None
    tokenizer.save_pretrained(tmp_path)
    (tmp_path / "chat_template.jinja").unlink(missing_ok=True)

    with pytest.raises(BaseModelError, match="no chat template"):
        load_tokenizer(tmp_path)


@pytest.mark.slow
def test_gguf_conversion_round_trips(tmp_path):
    model, tokenizer = load_gguf(find_bundled_gguf())
    probe = torch.tensor([tokenizer(PROBE_TEXT, add_special_tokens=False).input_ids])
    with torch.no_grad():
        expected = model(input_ids=probe).logits
    assert all(param.dtype == torch.float32 for param in model.parameters())

    out_dir = save_base_model(model, tokenizer, tmp_path / "SmolLM2-135M-Instruct")
    del model
    reloaded = load_causal_lm(out_dir).eval()
    reloaded_tokenizer = load_tokenizer(out_dir)
    with torch.no_grad():
        actual = reloaded(input_ids=probe).logits

    config = json.loads((out_dir / "config.json").read_text())
    assert "quantization_config" not in config
    assert reloaded_tokenizer.eos_token == "<|im_end|>"
    assert reloaded_tokenizer(PROBE_TEXT, add_special_tokens=False).input_ids == probe[0].tolist()
    torch.testing.assert_close(actual, expected, rtol=0, atol=0)
