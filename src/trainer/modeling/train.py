"""`train(cfg)`: fine-tune the base model on the prepared dataset and save the result.

The output directory (`paths.output_dir`) receives:
- `adapter/`: the peft LoRA adapter, or `model/` with the full weights when `lora.enabled`
  is false;
- `tokenizer/`: the tokenizer used in training;
- `train_metrics.json`: the final metrics as flat numbers;
- `checkpoints/`: Lightning checkpoints (`last.ckpt` and the best by `val/loss`) for resuming;
- `logs/`: CSV metrics when the config has no `logger`.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightning as L
import torch
from hydra.utils import instantiate
from lightning.pytorch.callbacks import Callback, EarlyStopping, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger, Logger
from omegaconf import DictConfig, OmegaConf
from peft import LoraConfig, get_peft_model
from transformers import PreTrainedModel

from trainer.modeling.base_model import load_causal_lm, load_tokenizer
from trainer.modeling.datamodule import DialogueDataModule
from trainer.modeling.errors import TrainingSetupError
from trainer.modeling.module import CausalLMModule

logger = logging.getLogger(__name__)

METRICS_FILE = "train_metrics.json"
WEIGHT_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
# Keys of the `trainer` config group that twinchat reads. Every other key goes to L.Trainer.
OWN_TRAINER_KEYS = {"optimizer", "scheduler", "ckpt_path", "early_stopping", "checkpoint"}


@dataclass
class TrainResult:
    """Output paths and final metrics of a `train` run."""

    output_dir: Path
    model_dir: Path
    tokenizer_dir: Path
    metrics: dict[str, float]
    base_model: str
    lora: bool
    checkpoints_dir: Path
    best_checkpoint: Path | None = None


def resolve_precision(precision: str, accelerator: str) -> str:
    """Turn `auto` into `bf16-mixed` where the hardware computes in bfloat16, else `32-true`."""
    if precision != "auto":
        return str(precision)
    if accelerator in ("auto", "gpu", "cuda") and torch.cuda.is_available():
        return "bf16-mixed" if torch.cuda.is_bf16_supported() else "32-true"
    if accelerator in ("auto", "cpu") and torch.cpu._is_avx512_bf16_supported():
        return "bf16-mixed"
    return "32-true"


def resolve_weights_dtype(dtype: str, precision: str, lora: bool) -> torch.dtype:
    """Turn `model.dtype` into the dtype to load the base weights in.

    `auto` gives bfloat16 for LoRA under bf16 precision. The frozen base weights are only
    read, and autocast reads them in bfloat16 anyway, so storing them in bfloat16 halves
    their memory and saves a cast per layer call. peft keeps the adapter weights in float32,
    and full fine-tuning keeps float32 master weights.
    """
    if dtype != "auto":
        if dtype not in WEIGHT_DTYPES:
            raise TrainingSetupError(
                f"model.dtype={dtype!r} is invalid. Use auto, {', '.join(WEIGHT_DTYPES)}."
            )
        return WEIGHT_DTYPES[dtype]
    if lora and precision.startswith("bf16"):
        return torch.bfloat16
    return torch.float32


def build_model(cfg: DictConfig, precision: str = "32-true") -> PreTrainedModel:
    """Load the base model and wrap it with LoRA, or leave it whole for full fine-tuning.

    `precision` is the resolved Lightning precision. It chooses the dtype of the base weights
    when `model.dtype` is `auto`.
    """
    dtype = resolve_weights_dtype(cfg.model.get("dtype", "auto"), precision, cfg.lora.enabled)
    model = load_causal_lm(
        cfg.model.name_or_path,
        dtype=dtype,
        attn_implementation=cfg.model.get("attn_implementation", "sdpa"),
    )
    # from_pretrained returns the model in eval mode, which would switch off its dropout.
    model.train()
    if cfg.model.get("gradient_checkpointing", False):
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if not cfg.lora.enabled:
        return model
    lora_config = LoraConfig(
        r=cfg.lora.r,
        lora_alpha=cfg.lora.alpha,
        lora_dropout=cfg.lora.dropout,
        target_modules=list(cfg.lora.target_modules),
        bias=cfg.lora.get("bias", "none"),
        task_type="CAUSAL_LM",
    )
    try:
        return get_peft_model(model, lora_config)
    except ValueError as error:
        raise TrainingSetupError(
            f"LoRA cannot wrap {cfg.model.name_or_path}: {error}. Set lora.target_modules to "
            "module names of this model."
        ) from error


def build_loggers(logger_cfg: DictConfig | None, save_dir: Path) -> list[Logger]:
    """Instantiate the `logger` config: one logger, a mapping of loggers, or None for CSV."""
    if logger_cfg is None:
        return [CSVLogger(save_dir=str(save_dir), name="logs", version="")]
    if "_target_" in logger_cfg:
        return [instantiate(logger_cfg)]
    return [instantiate(entry) for entry in logger_cfg.values() if entry and "_target_" in entry]


class ValidateOnLastStep(Callback):
    """Request a stop after the step that reaches `max_steps`, so Lightning validates first.

    Lightning 2.6 ends a run at `max_steps` without validating when that step falls inside
    an epoch, which would leave the run with no `val/loss` and no best checkpoint.
    """

    def on_train_batch_end(self, trainer: L.Trainer, *args: Any) -> None:
        if 0 < trainer.max_steps <= trainer.global_step:
            trainer.should_stop = True


def build_callbacks(cfg: DictConfig, checkpoints_dir: Path, has_validation: bool) -> list[Callback]:
    """Build the checkpoint, early-stopping and last-step validation callbacks.

    Without validation, checkpoints are kept by step and early stopping is off. With
    `trainer.enable_checkpointing=false` no checkpoint callback is added, because Lightning
    rejects one then.
    """
    monitor = "val/loss" if has_validation else None
    callbacks: list[Callback] = [ValidateOnLastStep()]
    if cfg.trainer.get("enable_checkpointing", True):
        checkpoint_cfg = cfg.trainer.get("checkpoint") or {}
        callbacks.append(
            ModelCheckpoint(
                dirpath=str(checkpoints_dir),
                filename="step{step}" if monitor is None else "step{step}-val_loss{val/loss:.4f}",
                auto_insert_metric_name=False,
                monitor=monitor,
                mode="min",
                save_last=True,
                save_top_k=checkpoint_cfg.get("save_top_k", 1),
                every_n_train_steps=checkpoint_cfg.get("every_n_train_steps"),
            )
        )
    early_stopping = cfg.trainer.get("early_stopping")
    if early_stopping and has_validation:
        callbacks.append(
            EarlyStopping(
                monitor="val/loss",
                mode="min",
                patience=early_stopping.patience,
                min_delta=early_stopping.get("min_delta", 0.0),
                check_on_train_epoch_end=False,
            )
        )
    return callbacks


def trainer_precision(cfg: DictConfig) -> str:
    """Return the Lightning precision that `cfg.trainer` resolves to on this machine."""
    return resolve_precision(
        cfg.trainer.get("precision", "auto"), cfg.trainer.get("accelerator", "auto")
    )


def build_trainer(cfg: DictConfig, callbacks: list[Callback], loggers: list[Logger]) -> L.Trainer:
    options = {
        key: value
        for key, value in OmegaConf.to_container(cfg.trainer, resolve=True).items()
        if key not in OWN_TRAINER_KEYS
    }
    options["precision"] = trainer_precision(cfg)
    return L.Trainer(callbacks=callbacks, logger=loggers or False, **options)


def train(cfg: DictConfig) -> TrainResult:
    """Fine-tune `cfg.model.name_or_path` on `cfg.data.dataset_dir` and save the result.

    Raises `TrainingSetupError` for a missing dataset or base model, or an invalid setting.
    """
    L.seed_everything(cfg.seed, workers=True)
    output_dir = Path(cfg.paths.output_dir)
    checkpoints_dir = output_dir / "checkpoints"

    tokenizer = load_tokenizer(cfg.model.name_or_path)
    datamodule = DialogueDataModule(
        dataset_dir=cfg.data.dataset_dir,
        tokenizer=tokenizer,
        max_seq_len=cfg.data.max_seq_len,
        batch_size=cfg.data.batch_size,
        packing=cfg.data.get("packing", True),
        num_workers=cfg.data.get("num_workers", 0),
        seed=cfg.seed,
    )
    if not datamodule.has_validation:
        logger.warning("The validation split is empty: no early stopping, last weights are kept")

    model = build_model(cfg, trainer_precision(cfg))
    scheduler_cfg = cfg.trainer.get("scheduler")
    module = CausalLMModule(
        model=model,
        optimizer=instantiate(cfg.trainer.optimizer),
        scheduler=instantiate(scheduler_cfg) if scheduler_cfg else None,
    )
    loggers = build_loggers(cfg.get("logger"), output_dir)
    for run_logger in loggers:
        run_logger.log_hyperparams(OmegaConf.to_container(cfg, resolve=True))
    callbacks = build_callbacks(cfg, checkpoints_dir, datamodule.has_validation)
    trainer = build_trainer(cfg, callbacks, loggers)

    trainer.fit(module, datamodule=datamodule, ckpt_path=cfg.trainer.get("ckpt_path"))

    best_checkpoint = _restore_best_weights(module, trainer.checkpoint_callback)
    metrics = _final_metrics(trainer, module)
    result = TrainResult(
        output_dir=output_dir,
        model_dir=output_dir / ("adapter" if cfg.lora.enabled else "model"),
        tokenizer_dir=output_dir / "tokenizer",
        metrics=metrics,
        base_model=str(cfg.model.name_or_path),
        lora=bool(cfg.lora.enabled),
        best_checkpoint=best_checkpoint,
        checkpoints_dir=checkpoints_dir,
    )
    if trainer.is_global_zero:
        _save_outputs(result, model, tokenizer)
    return result


def _restore_best_weights(
    module: CausalLMModule, checkpoint: ModelCheckpoint | None
) -> Path | None:
    """Load the trainable weights of the best checkpoint by `val/loss`, if there is one."""
    if checkpoint is None or not checkpoint.monitor or not checkpoint.best_model_path:
        return None
    best = Path(checkpoint.best_model_path)
    state = torch.load(best, map_location="cpu", weights_only=True)["state_dict"]
    module.load_state_dict(state, strict=False)
    logger.info("Restored weights from %s (val/loss %s)", best, checkpoint.best_model_score)
    return best


def _final_metrics(trainer: L.Trainer, module: CausalLMModule) -> dict[str, float]:
    metrics = {
        name.replace("/", "_"): float(value)
        for name, value in trainer.callback_metrics.items()
        if name.startswith(("train/", "val/")) and not name.endswith("_step")
    }
    metrics = {name.removesuffix("_epoch"): value for name, value in metrics.items()}
    metrics.update(module.throughput())
    metrics["steps"] = float(trainer.global_step)
    best_score = (
        trainer.checkpoint_callback.best_model_score if trainer.checkpoint_callback else None
    )
    if best_score is not None:
        metrics["best_val_loss"] = float(best_score)
        metrics["best_val_perplexity"] = math.exp(float(best_score))
    return metrics


def _save_outputs(result: TrainResult, model: PreTrainedModel, tokenizer: Any) -> None:
    result.output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(result.model_dir)
    tokenizer.save_pretrained(result.tokenizer_dir)
    metrics_path = result.output_dir / METRICS_FILE
    metrics_path.write_text(json.dumps(result.metrics, indent=2, sort_keys=True) + "\n")
    logger.info("Saved %s and %s", result.model_dir, metrics_path)
