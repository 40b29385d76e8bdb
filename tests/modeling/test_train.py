"""`train(cfg)` run for a few steps with the real composed config on the tiny model."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

from trainer.modeling.errors import TrainingSetupError
from trainer.modeling.train import (
    METRICS_FILE,
    resolve_precision,
    resolve_weights_dtype,
    train,
)


def test_train_saves_adapter(trained, tiny_model_dir):
    result = trained

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    reloaded = PeftModel.from_pretrained(base, result.model_dir)
    lora_b = [p for name, p in reloaded.named_parameters() if "lora_B" in name]
    assert result.model_dir == result.output_dir / "adapter"
    assert lora_b
    assert any(param.abs().sum() > 0 for param in lora_b), "LoRA B is still all zeros"


def test_train_saves_tokenizer(trained):
    result = trained

    tokenizer = AutoTokenizer.from_pretrained(result.tokenizer_dir)
    assert tokenizer.chat_template
    assert tokenizer.eos_token == "<|im_end|>"


def test_train_writes_metrics(trained):
    result = trained

    metrics = json.loads((result.output_dir / METRICS_FILE).read_text())
    assert metrics == result.metrics
    assert metrics["steps"] == 2
    assert metrics["train_tokens"] > 0
    assert metrics["train_tokens_per_s"] > 0
    assert math.isfinite(metrics["train_loss"])
    assert metrics["val_perplexity"] == pytest.approx(math.exp(metrics["val_loss"]), rel=1e-5)


def test_train_same_seed_same_loss(trained, compose_config):
    again = train(compose_config())

    assert again.metrics["train_loss"] == trained.metrics["train_loss"]
    assert again.metrics["val_loss"] == trained.metrics["val_loss"]


def test_checkpoint_holds_only_lora(trained):
    result = trained

    state = torch.load(result.checkpoints_dir / "last.ckpt", weights_only=True)["state_dict"]
    assert state
    assert all("lora_" in name for name in state)


def test_resume_continues_steps(compose_config, tmp_path):
    output_dir = tmp_path / "resumed"
    first = train(compose_config(f"paths.output_dir={output_dir}"))
    checkpoint = first.checkpoints_dir / "last.ckpt"
    saved = torch.load(checkpoint, weights_only=True)["state_dict"]

    resumed = train(
        compose_config(
            f"paths.output_dir={output_dir}",
            "trainer.max_steps=3",
            f"trainer.ckpt_path={checkpoint}",
        )
    )
    assert resumed.metrics["steps"] == 3
    assert torch.load(checkpoint, weights_only=True)["global_step"] == 3
    assert not torch.equal(
        next(iter(saved.values())),
        torch.load(checkpoint, weights_only=True)["state_dict"][next(iter(saved))],
    )


def test_full_finetuning_saves_model(compose_config):
    result = train(compose_config("lora.enabled=false", "trainer.optimizer.lr=1e-3"))

    model = AutoModelForCausalLM.from_pretrained(result.model_dir)
    assert result.model_dir == result.output_dir / "model"
    assert model.config.vocab_size > 0


def test_no_validation_keeps_last(compose_config, tmp_path):
    from tests.modeling.samples import make_dataset

    dataset_dir = tmp_path / "train-only"
    make_dataset(train_rows=8, validation_rows=0).save_to_disk(str(dataset_dir))
    result = train(compose_config(f"data.dataset_dir={dataset_dir}"))

    assert result.best_checkpoint is None
    assert "val_loss" not in result.metrics
    assert (result.checkpoints_dir / "last.ckpt").is_file()


def test_missing_dataset_raises(compose_config, tmp_path):
    cfg = compose_config(f"data.dataset_dir={tmp_path / 'absent'}")

    with pytest.raises(TrainingSetupError, match="twinchat prepare"):
        train(cfg)


def test_missing_base_model_raises(compose_config, tmp_path):
    cfg = compose_config(f"model.name_or_path={tmp_path / 'no-model'}")

    with pytest.raises(TrainingSetupError, match="base_model stage"):
        train(cfg)


def test_bad_lora_targets_raise(compose_config):
    cfg = compose_config("lora.target_modules=[no_such_layer]")

    with pytest.raises(TrainingSetupError, match=r"lora\.target_modules"):
        train(cfg)


@pytest.mark.parametrize("precision", ["32-true", "bf16-mixed", "16-mixed"])
def test_explicit_precision_kept(precision):
    assert resolve_precision(precision, "auto") == precision


def test_auto_precision_on_cpu():
    expected = "bf16-mixed" if torch.cpu._is_avx512_bf16_supported() else "32-true"

    assert resolve_precision("auto", "cpu") == expected


def test_output_layout(trained):
    result = trained

    names = sorted(path.name for path in Path(result.output_dir).iterdir())
    assert names == ["adapter", "checkpoints", "logs", "tokenizer", METRICS_FILE]


def test_bf16_lora_keeps_adapter_float32(compose_config):
    result = train(compose_config("trainer.precision=bf16-mixed"))

    adapter = load_file(result.model_dir / "adapter_model.safetensors")
    assert adapter
    assert all(tensor.dtype == torch.float32 for tensor in adapter.values())
    assert math.isfinite(result.metrics["train_loss"])


@pytest.mark.parametrize(
    ("dtype", "precision", "lora", "expected"),
    [
        ("auto", "bf16-mixed", True, torch.bfloat16),
        ("auto", "bf16-mixed", False, torch.float32),
        ("auto", "32-true", True, torch.float32),
        ("float16", "32-true", True, torch.float16),
    ],
)
def test_weights_dtype(dtype, precision, lora, expected):
    assert resolve_weights_dtype(dtype, precision, lora) == expected


def test_invalid_weights_dtype_raises():
    with pytest.raises(TrainingSetupError, match=r"model\.dtype='int8' is invalid"):
        resolve_weights_dtype("int8", "32-true", True)


def test_fast_dev_run_trains(compose_config):
    result = train(compose_config("trainer.fast_dev_run=true", "trainer.max_steps=-1"))

    assert result.metrics["steps"] == 1
    assert result.best_checkpoint is None
    assert (result.model_dir / "adapter_model.safetensors").is_file()


def test_train_without_checkpointing(compose_config):
    result = train(compose_config("++trainer.enable_checkpointing=false"))

    assert result.best_checkpoint is None
    assert not (result.checkpoints_dir / "last.ckpt").exists()
    assert (result.model_dir / "adapter_model.safetensors").is_file()
