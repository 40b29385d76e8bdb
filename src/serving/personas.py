"""A registered model version ready to serve: its files, tokenizer, and reply defaults."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from serving.adapters import adapter_name
from serving.prompts import PromptFormat, prompt_format
from serving.settings import SamplingParams


@dataclass(frozen=True)
class LoadedPersona:
    """One model version with its tokenizer loaded.

    `base_key` names the model the version runs on: the base model of a LoRA adapter, or
    the version's own folder after full fine-tuning (then `adapter_dir` is None).
    """

    name: str
    version: int
    persona: str
    base_key: str
    adapter_dir: Path | None
    tokenizer: Any
    prompt_format: PromptFormat
    generation: dict[str, Any] = field(default_factory=dict)
    style: dict[str, Any] = field(default_factory=dict)

    @property
    def adapter(self) -> str | None:
        """The peft adapter name of this version, or None without an adapter."""
        return adapter_name(self.name, self.version) if self.adapter_dir is not None else None

    @property
    def prompt_budget(self) -> int | None:
        """The prompt length the persona was trained with, if twinchat.json records it."""
        value = self.generation.get("max_prompt_tokens")
        return value if isinstance(value, int) and value > 0 else None

    def sampling(self, defaults: SamplingParams) -> SamplingParams:
        """Return the server defaults updated with this persona's `generation` settings."""
        return defaults.updated(self.generation)

    def reply_token_cap(self) -> int | None:
        """The 90th percentile of the persona's reply length in tokens, from `style`."""
        return _percentile(self.style, "reply_tokens", "p90")

    def message_cap(self) -> int | None:
        """The 90th percentile of the number of messages in the persona's bursts, from `style`."""
        return _percentile(self.style, "burst_messages", "p90")


def _percentile(style: dict[str, Any], key: str, percentile: str) -> int | None:
    stats = style.get(key)
    value = stats.get(percentile) if isinstance(stats, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return max(1, math.ceil(value))


def load_persona_version(artifacts) -> LoadedPersona:
    """Load the tokenizer of a downloaded version (trainer.registry.PersonaArtifacts)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(artifacts.tokenizer_dir))
    if not tokenizer.chat_template:
        raise ValueError(
            f"the tokenizer of model {artifacts.name}/{artifacts.version} has no chat template; "
            "retrain it on an instruct or chat base model"
        )
    config = artifacts.config
    if artifacts.adapter_dir is not None:
        base_key = str(config["base_model"])
    else:
        base_key = str(artifacts.model_dir)
    generation = config.get("generation")
    style = config.get("style")
    return LoadedPersona(
        name=artifacts.name,
        version=artifacts.version,
        persona=str(config.get("persona") or artifacts.name),
        base_key=base_key,
        adapter_dir=artifacts.adapter_dir,
        tokenizer=tokenizer,
        prompt_format=prompt_format(tokenizer),
        generation=generation if isinstance(generation, dict) else {},
        style=style if isinstance(style, dict) else {},
    )
