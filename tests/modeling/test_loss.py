"""The target-token loss against the loss transformers computes from full logits."""

from __future__ import annotations

import torch
from peft import LoraConfig, get_peft_model
from transformers import Gemma2Config, Gemma2ForCausalLM

from tests.modeling.samples import make_row
from trainer.modeling.base_model import load_causal_lm
from trainer.modeling.loss import target_token_loss
from trainer.modeling.packing import collate_rows, encode_example, pack_examples


def packed_batch(tokenizer, count: int = 6, max_seq_len: int = 128) -> dict[str, torch.Tensor]:
    examples = [encode_example(make_row(i, "train"), tokenizer, max_seq_len) for i in range(count)]
    return collate_rows(pack_examples(examples, max_seq_len), tokenizer.pad_token_id)


def full_logits_loss(model, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    return model(
        input_ids=batch["input_ids"], position_ids=batch["position_ids"], labels=batch["labels"]
    ).loss


def test_loss_equals_full_logits_loss(tiny_model_dir, tiny_tokenizer):
    model = load_causal_lm(tiny_model_dir).eval()
    batch = packed_batch(tiny_tokenizer)

    with torch.no_grad():
        expected = full_logits_loss(model, batch)
        actual = target_token_loss(
            model, batch["input_ids"], batch["labels"], batch["position_ids"]
        )
    torch.testing.assert_close(actual, expected, rtol=1e-5, atol=1e-6)


def test_lora_gradients_equal_full_logits(tiny_model_dir, tiny_tokenizer):
    torch.manual_seed(0)
    lora = LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False
    )
    model = get_peft_model(load_causal_lm(tiny_model_dir), lora).eval()
    batch = packed_batch(tiny_tokenizer)
    trainable = [param for param in model.parameters() if param.requires_grad]

    expected = torch.autograd.grad(full_logits_loss(model, batch), trainable)
    loss = target_token_loss(model, batch["input_ids"], batch["labels"], batch["position_ids"])
    actual = torch.autograd.grad(loss, trainable)
    for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-6, msg=f"parameter {index}")


def test_loss_applies_logit_softcapping():
    config = Gemma2Config(
        vocab_size=128,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        final_logit_softcapping=2.0,
        attn_implementation="eager",
    )
    torch.manual_seed(0)
    model = Gemma2ForCausalLM(config).eval()
    input_ids = torch.randint(3, 128, (2, 12))
    labels = input_ids.clone()
    labels[:, :5] = -100

    with torch.no_grad():
        expected = model(input_ids=input_ids, labels=labels).loss
        actual = target_token_loss(model, input_ids, labels)
    torch.testing.assert_close(actual, expected, rtol=1e-5, atol=1e-6)
