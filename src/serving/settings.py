"""Serving settings: sampling defaults, batching, adapter cache and request limits."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class InvalidSettingError(ValueError):
    """A sampling or serving setting outside its allowed range."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name} {message}")
        self.name = name


@dataclass(frozen=True)
class SamplingParams:
    """Decoding settings of one reply. A temperature of 0 means greedy decoding.

    Repetition controls act on the reply's own tokens, not on the prompt, so the persona
    may reuse the words it was asked about.
    """

    temperature: float = 0.8
    top_p: float = 0.95
    # 0 turns top-k filtering off.
    top_k: int = 0
    max_new_tokens: int = 64
    # Divides positive logits (multiplies negative ones) of tokens already in the reply.
    repetition_penalty: float = 1.1
    # Bans any token that would repeat an n-gram of this size within the reply; 0 turns it off.
    no_repeat_ngram_size: int = 4
    seed: int | None = None

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def validate(self, max_new_tokens_limit: int) -> SamplingParams:
        """Return self, or raise InvalidSettingError naming the first value out of range."""
        _check_range("temperature", self.temperature, 0.0, 2.0)
        _check_range("top_p", self.top_p, 0.0, 1.0, low_open=True)
        _check_int("top_k", self.top_k, 0, 100_000)
        _check_int("max_new_tokens", self.max_new_tokens, 1, max_new_tokens_limit)
        _check_range("repetition_penalty", self.repetition_penalty, 0.0, 2.0, low_open=True)
        _check_int("no_repeat_ngram_size", self.no_repeat_ngram_size, 0, 16)
        if self.seed is not None:
            _check_int("seed", self.seed, 0, 2**63 - 1)
        return self

    def updated(self, values: dict[str, Any]) -> SamplingParams:
        """Return a copy with the known keys of `values` replacing the current settings.

        A training config's `do_sample: false` means greedy decoding. Other unknown keys
        are ignored.
        """
        known = {item.name for item in fields(self)}
        changes = {key: value for key, value in values.items() if key in known}
        if values.get("do_sample") is False:
            changes["temperature"] = 0.0
        return replace(self, **changes)


@dataclass(frozen=True)
class ServingSettings:
    """Everything `twinchat serve` and `twinchat chat` can tune, with their defaults."""

    tracking_uri: str | None = None
    model_cache_dir: Path | None = None
    # How long a resolved alias is trusted before the registry is asked again, in seconds.
    alias_ttl_s: float = 5.0
    # Batching: a batch starts when it has max_batch_size requests or the first one has
    # waited batch_wait_ms.
    max_batch_size: int = 8
    batch_wait_ms: float = 10.0
    # LRU bounds on the LoRA adapters attached to one base model.
    max_adapters: int = 16
    max_adapter_bytes: int | None = None
    # Loaded persona versions (tokenizer and config) kept in memory.
    max_personas: int = 64
    # Prompt tokens kept from the conversation; a persona trained on shorter prompts lowers it.
    context_tokens: int = 1024
    max_new_tokens_limit: int = 512
    max_messages: int = 256
    max_request_chars: int = 32_000
    # How long a request waits for its reply before it fails, in seconds.
    request_timeout_s: float = 300.0
    # "float32" or "bfloat16"; bfloat16 halves memory and is faster on recent CPUs.
    dtype: str = "float32"
    # Where base models run: "cpu", "cuda", "cuda:1", ...
    device: str = "cpu"
    sampling: SamplingParams = field(default_factory=SamplingParams)

    def validate(self) -> ServingSettings:
        """Return self, or raise InvalidSettingError naming the first value out of range."""
        _check_range("alias_ttl_s", self.alias_ttl_s, 0.0, 86_400.0)
        _check_int("max_batch_size", self.max_batch_size, 1, 1024)
        _check_range("batch_wait_ms", self.batch_wait_ms, 0.0, 10_000.0)
        _check_int("max_adapters", self.max_adapters, 1, 100_000)
        if self.max_adapter_bytes is not None:
            _check_int("max_adapter_bytes", self.max_adapter_bytes, 1, 2**62)
        _check_int("max_personas", self.max_personas, 1, 100_000)
        _check_int("context_tokens", self.context_tokens, 16, 1_000_000)
        _check_int("max_new_tokens_limit", self.max_new_tokens_limit, 1, 100_000)
        _check_int("max_messages", self.max_messages, 1, 1_000_000)
        _check_int("max_request_chars", self.max_request_chars, 1, 100_000_000)
        _check_range("request_timeout_s", self.request_timeout_s, 0.0, 86_400.0, low_open=True)
        if self.dtype not in ("float32", "bfloat16", "float16"):
            raise InvalidSettingError("dtype", f"is {self.dtype!r}; use float32 or bfloat16")
        _check_device(self.device)
        self.sampling.validate(self.max_new_tokens_limit)
        return self


def _check_device(device: str) -> None:
    import torch

    try:
        torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise InvalidSettingError("device", f"is {device!r}; use cpu, cuda or cuda:N") from error


def _check_range(name: str, value: object, low: float, high: float, low_open: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidSettingError(name, f"must be a number, got {value!r}")
    too_low = value <= low if low_open else value < low
    if too_low or value > high:
        bracket = "(" if low_open else "["
        raise InvalidSettingError(name, f"must be in {bracket}{low}, {high}], got {value!r}")


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidSettingError(name, f"must be an integer, got {value!r}")
    if not low <= value <= high:
        raise InvalidSettingError(name, f"must be in [{low}, {high}], got {value!r}")
