"""The LightningModule that fine-tunes a causal LM on the persona's target tokens."""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable
from typing import Any

import lightning as L
import torch
from torchmetrics import MeanMetric, SumMetric

from trainer.modeling.loss import target_token_loss

OptimizerFactory = Callable[..., torch.optim.Optimizer]
SchedulerFactory = Callable[..., Any]


class CausalLMModule(L.LightningModule):
    """Trains `model` (a peft or plain transformers causal LM) with the target-token loss.

    `optimizer` is a partial that receives the trainable parameters, and `scheduler` (or
    None) a partial that receives the optimizer and, when its signature has the parameter,
    `num_training_steps`. Both usually come from `hydra.utils.instantiate` with `_partial_`.
    Checkpoints hold only the trainable parameters, so a LoRA checkpoint stays small.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        optimizer: OptimizerFactory,
        scheduler: SchedulerFactory | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.optimizer_factory = optimizer
        self.scheduler_factory = scheduler
        # Frozen base weights are left out of checkpoints and come from the base model.
        self.strict_loading = False
        self.val_loss = MeanMetric()
        self.train_tokens = SumMetric()
        self.train_seconds = 0.0
        self._batch_started = 0.0

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return target_token_loss(
            self.model, batch["input_ids"], batch["labels"], batch["position_ids"]
        )

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        loss = self(batch)
        self.log(
            "train/loss",
            loss,
            prog_bar=True,
            on_step=True,
            on_epoch=True,
            batch_size=1,
            sync_dist=True,
        )
        return loss

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        loss = self(batch)
        self.val_loss.update(loss, weight=batch["num_target_tokens"])

    def on_validation_epoch_end(self) -> None:
        # A weighted mean over target tokens, gathered from every process.
        mean_loss = self.val_loss.compute()
        self.val_loss.reset()
        # The metric is already gathered, so sync_dist only averages equal values.
        self.log("val/loss", mean_loss, prog_bar=True, sync_dist=True)
        self.log("val/perplexity", torch.exp(mean_loss), sync_dist=True)

    def on_train_batch_start(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        self._batch_started = time.perf_counter()

    def on_train_batch_end(
        self, outputs: Any, batch: dict[str, torch.Tensor], batch_idx: int
    ) -> None:
        # Per process: the tokens of this batch over the time of its forward, backward and,
        # at the end of an accumulation cycle, optimizer step.
        seconds = time.perf_counter() - self._batch_started
        self.train_seconds += seconds
        self.train_tokens.update(batch["num_tokens"])
        self.log(
            "train/tokens_per_s", batch["num_tokens"].float() / seconds, prog_bar=True, batch_size=1
        )

    def configure_optimizers(self) -> Any:
        parameters = [param for param in self.parameters() if param.requires_grad]
        optimizer = self.optimizer_factory(parameters)
        if self.scheduler_factory is None:
            return optimizer
        scheduler_kwargs = {}
        if "num_training_steps" in inspect.signature(self.scheduler_factory).parameters:
            scheduler_kwargs["num_training_steps"] = _total_steps(self.trainer)
        scheduler = self.scheduler_factory(optimizer, **scheduler_kwargs)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
        }

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        trainable = {name for name, param in self.named_parameters() if param.requires_grad}
        checkpoint["state_dict"] = {
            name: value for name, value in checkpoint["state_dict"].items() if name in trainable
        }

    def throughput(self) -> dict[str, float]:
        """Return the tokens trained on by all processes, and those tokens per second.

        The time is this process's time inside training batches, without data loading and
        validation. Processes run in parallel, so the rate is that of the whole run. Every process
        must call this, because the token count is summed across processes.
        """
        tokens = float(self.train_tokens.compute()) if self.train_seconds else 0.0
        rate = tokens / self.train_seconds if self.train_seconds else math.nan
        return {
            "train_tokens": tokens,
            "train_seconds": self.train_seconds,
            "train_tokens_per_s": rate,
        }


def _total_steps(trainer: L.Trainer) -> int:
    steps = trainer.estimated_stepping_batches
    return int(steps) if math.isfinite(steps) else trainer.max_steps
