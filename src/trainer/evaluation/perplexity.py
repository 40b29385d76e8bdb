"""Perplexity of the persona's replies: the loss on target tokens only, as in training.

Rows are tokenized and packed exactly as the training data module does it
(`trainer.modeling.packing`), so the base and the tuned model are scored on the same tokens.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from trainer.modeling.loss import target_token_loss
from trainer.modeling.packing import collate_rows, encode_examples, pack_examples

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Perplexity:
    """Summed negative log-likelihood over `tokens` target tokens."""

    nll: float
    tokens: int

    @property
    def loss(self) -> float:
        return self.nll / self.tokens if self.tokens else float("nan")

    @property
    def value(self) -> float:
        return math.exp(self.loss) if self.tokens else float("nan")


def target_perplexity(
    model: torch.nn.Module,
    tokenizer: Any,
    rows: Sequence[Mapping[str, Any]],
    max_seq_len: int,
    batch_size: int = 4,
) -> Perplexity:
    """Score `rows` (prepared dataset rows) and return the perplexity of their targets."""
    examples = encode_examples(rows, tokenizer, max_seq_len)
    packed = pack_examples(examples, max_seq_len)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    model.eval()
    nll, tokens = 0.0, 0
    with torch.inference_mode():
        for start in range(0, len(packed), batch_size):
            batch = collate_rows(packed[start : start + batch_size], pad_id)
            count = int(batch["num_target_tokens"])
            if count == 0:
                continue
            loss = target_token_loss(
                model, batch["input_ids"], batch["labels"], batch["position_ids"]
            )
            nll += float(loss) * count
            tokens += count
    logger.info("scored %d target tokens in %d packed rows", tokens, len(packed))
    return Perplexity(nll, tokens)
