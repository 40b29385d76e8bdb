"""Batched decoding of many replies at once, each with its own LoRA adapter and settings.

Prompts are left-padded into one batch, so every row's next token sits in the last column.
peft's mixed-batch LoRA forward (`adapter_names=[...]`, one name per row, `__base__` for
none) applies each row's adapter in the same forward pass. A row leaves the batch, and its
keys and values leave the cache, as soon as its reply ends.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from transformers.cache_utils import DynamicCache

from serving.sampling import choose_token, make_generator
from serving.settings import SamplingParams

logger = logging.getLogger(__name__)

# peft's name for "no adapter" in a mixed batch.
BASE_ADAPTER = "__base__"

FINISH_STOP = "stop"
FINISH_LENGTH = "length"
FINISH_CANCELLED = "cancelled"


@dataclass
class DecodeRow:
    """One reply to decode: its prompt, adapter, settings and stop conditions.

    `on_tokens` receives the reply's token ids after each new token and returns True when
    the text has reached a stop, such as a stop string or the message limit. `cancelled` is
    polled each step, so an abandoned request leaves the batch.
    """

    prompt_ids: list[int]
    sampling: SamplingParams
    stop_token_ids: frozenset[int]
    adapter: str | None = None
    on_tokens: Callable[[list[int]], bool] | None = None
    cancelled: Callable[[], bool] | None = None


@dataclass
class DecodeResult:
    token_ids: list[int] = field(default_factory=list)
    finish_reason: str = FINISH_LENGTH


def cache_argument_name(model: torch.nn.Module) -> str:
    """Return the forward argument that takes the key-value cache in this transformers version.

    transformers 5 renamed `past_key_values` to `cache` and warns on the old name.
    """
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    parameters = inspect.signature(inner.forward).parameters
    return "cache" if "cache" in parameters else "past_key_values"


def left_pad(prompts: list[list[int]], pad_token_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Return input ids and attention mask with every prompt aligned to the right edge."""
    width = max(len(prompt) for prompt in prompts)
    input_ids = torch.full((len(prompts), width), pad_token_id, dtype=torch.long)
    attention_mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, prompt in enumerate(prompts):
        input_ids[row, width - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
        attention_mask[row, width - len(prompt) :] = 1
    return input_ids, attention_mask


class BatchDecoder:
    """Runs the decoding loop for one model; not thread-safe, one batch at a time."""

    def __init__(self, model: torch.nn.Module, pad_token_id: int) -> None:
        self.model = model
        self.pad_token_id = pad_token_id
        self.uses_adapters = hasattr(model, "peft_config")
        self.cache_argument = cache_argument_name(model)
        self.device = next(model.parameters()).device

    @torch.inference_mode()
    def decode(self, rows: list[DecodeRow]) -> list[DecodeResult]:
        """Decode all rows together and return one result per row, in order."""
        if not rows:
            return []
        if not self.uses_adapters and any(row.adapter for row in rows):
            raise ValueError("this model has no LoRA adapters, so rows cannot name one")
        results = [DecodeResult() for _ in rows]
        generators = [make_generator(row.sampling.seed) for row in rows]
        active = list(range(len(rows)))

        input_ids, attention_mask = left_pad([row.prompt_ids for row in rows], self.pad_token_id)
        input_ids, attention_mask = input_ids.to(self.device), attention_mask.to(self.device)
        position_ids = (attention_mask.cumsum(dim=-1) - 1).clamp(min=0)
        cache = DynamicCache(config=self.model.config)
        logits = self._forward(input_ids, attention_mask, position_ids, cache, rows, active)

        while active:
            next_ids = []
            finished = []
            for slot, index in enumerate(active):
                row, result = rows[index], results[index]
                token = choose_token(
                    logits[slot], result.token_ids, row.sampling, generators[index]
                )
                reason = self._finish_reason(row, result, token)
                if reason is not None:
                    result.finish_reason = reason
                    finished.append(slot)
                next_ids.append(token)
            if finished:
                keep = [slot for slot in range(len(active)) if slot not in set(finished)]
                if not keep:
                    break
                selection = torch.tensor(keep, dtype=torch.long, device=self.device)
                cache.batch_select_indices(selection)
                attention_mask = attention_mask[selection]
                position_ids = position_ids[selection]
                next_ids = [next_ids[slot] for slot in keep]
                active = [active[slot] for slot in keep]
            attention_mask = torch.cat(
                [attention_mask, attention_mask.new_ones((len(active), 1))], dim=-1
            )
            position_ids = position_ids[:, -1:] + 1
            step_ids = torch.tensor(next_ids, dtype=torch.long, device=self.device).unsqueeze(-1)
            logits = self._forward(step_ids, attention_mask, position_ids, cache, rows, active)
        return results

    def _finish_reason(self, row: DecodeRow, result: DecodeResult, token: int) -> str | None:
        """Add `token` to the reply unless it ends the turn; return why the row ends, or None."""
        if token in row.stop_token_ids:
            return FINISH_STOP
        result.token_ids.append(token)
        if row.on_tokens is not None and row.on_tokens(result.token_ids):
            return FINISH_STOP
        if row.cancelled is not None and row.cancelled():
            return FINISH_CANCELLED
        if len(result.token_ids) >= row.sampling.max_new_tokens:
            return FINISH_LENGTH
        return None

    def _forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        cache: DynamicCache,
        rows: list[DecodeRow],
        active: list[int],
    ) -> torch.Tensor:
        """Run one forward pass and return the last position's logits, one row per active reply."""
        arguments = {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "position_ids": position_ids,
            self.cache_argument: cache,
            "use_cache": True,
            # Only the last position's logits are needed; the full vocabulary-wide output for
            # every prompt position would cost batch x length x vocabulary floats.
            "logits_to_keep": 1,
        }
        if self.uses_adapters:
            arguments["adapter_names"] = [rows[index].adapter or BASE_ADAPTER for index in active]
        output = self.model(**arguments)
        # Each row samples with its own settings and CPU generator, so the logits move to
        # the CPU once per step instead of once per row.
        return output.logits[:, -1, :].float().cpu()
