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
        """Return the server defaults updated with this persona's `generation` settings.

        The recorded `seed` is left out: it made evaluation repeatable, but in a chat it
        would give the same reply to the same message every time.
        """
        settings = {key: value for key, value in self.generation.items() if key != "seed"}
        return defaults.updated(settings)

    def message_cap(self) -> int | None:
        """Return the maximum number of messages in a reply, near the persona's 90th percentile.

        Uses `style.burst_messages.p90` when recorded, else estimates it from the mean burst
        size `style.messages_per_burst`; None when `style` has neither.
        """
        recorded = _number(_nested(self.style, "burst_messages", "p90"))
        if recorded is not None:
            return max(1, math.ceil(recorded))
        mean = _number(self.style.get("messages_per_burst"))
        return geometric_p90(mean) if mean is not None else None

    def reply_token_cap(self) -> int | None:
        """Return the maximum reply length in tokens, near the persona's 90th percentile.

        Uses `style.reply_tokens.p90` when recorded. Otherwise it estimates the cap from the
        90th percentile message length in characters (`style.length_chars.p90`) times
        `message_cap()`, at CHARS_PER_TOKEN_ESTIMATE characters per token plus one
        separator token per message; None when `style` has neither.
        """
        recorded = _number(_nested(self.style, "reply_tokens", "p90"))
        if recorded is not None:
            return max(1, math.ceil(recorded))
        message_chars = _number(_nested(self.style, "length_chars", "p90"))
        if message_chars is None:
            return None
        messages = self.message_cap() or 1
        return math.ceil(message_chars * messages / CHARS_PER_TOKEN_ESTIMATE) + messages


# NOTE: an estimate. English text averages about 4 characters per BPE token; 2 leaves room
# for other languages and emoji, so the cap rarely cuts a reply the persona would write.
CHARS_PER_TOKEN_ESTIMATE = 2.0


def geometric_p90(mean: float) -> int:
    """Return the 90th percentile of a geometric distribution on 1, 2, ... with this mean.

    Burst sizes fall off roughly geometrically, so this estimates the 90th percentile
    burst size from its mean when only the mean is recorded.
    """
    if mean <= 1.0:
        return 1
    stay = 1.0 - 1.0 / mean
    return max(1, math.ceil(math.log(0.1) / math.log(stay)))


def _nested(mapping: dict[str, Any], key: str, inner: str) -> Any:
    value = mapping.get(key)
    return value.get(inner) if isinstance(value, dict) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value) if value > 0 else None


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
        # Personas that name the same folder differently must still share one copy.
        if Path(base_key).exists():
            base_key = str(Path(base_key).resolve())
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
