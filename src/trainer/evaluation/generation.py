"""Generate the persona's replies for dialogue contexts, for evaluation and the pyfunc model."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trainer.formatting import build_messages, split_burst

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationSettings:
    """Decoding settings; `do_sample=False` is greedy decoding and ignores the sampling knobs."""

    max_new_tokens: int = 48
    do_sample: bool = True
    temperature: float = 0.8
    top_p: float = 0.95
    max_prompt_tokens: int = 384
    batch_size: int = 8
    seed: int = 0

    @classmethod
    def from_mapping(cls, values: Any) -> GenerationSettings:
        """Build settings from a config mapping, ignoring keys this class does not have."""
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        return cls(**known)


def prompt_messages(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Build the chat messages that precede the persona's reply in a dataset row."""
    return build_messages(row["context"], row["persona"], bool(row["group_chat"]))


def generate_replies(
    model, tokenizer, conversations: Sequence[list[dict[str, Any]]], settings: GenerationSettings
) -> list[list[str]]:
    """Generate one reply burst per conversation; each burst is a list of messages.

    Prompts longer than `settings.max_prompt_tokens` lose their oldest tokens, so the
    turns right before the reply are kept.
    """
    import torch

    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    tokenizer.truncation_side = "left"
    torch.manual_seed(settings.seed)
    model.eval()
    replies: list[list[str]] = []
    for start in range(0, len(conversations), settings.batch_size):
        batch = conversations[start : start + settings.batch_size]
        texts = [
            tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            for messages in batch
        ]
        encoded = tokenizer(
            texts,
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=settings.max_prompt_tokens,
            add_special_tokens=False,
        )
        sampling = (
            {"do_sample": True, "temperature": settings.temperature, "top_p": settings.top_p}
            if settings.do_sample
            else {"do_sample": False}
        )
        with torch.inference_mode():
            output = model.generate(
                **encoded,
                max_new_tokens=settings.max_new_tokens,
                pad_token_id=tokenizer.pad_token_id,
                **sampling,
            )
        new_tokens = output[:, encoded["input_ids"].shape[1] :]
        for sequence in new_tokens:
            text = tokenizer.decode(sequence, skip_special_tokens=True)
            replies.append(split_burst(text))
        logger.info("generated %d of %d replies", len(replies), len(conversations))
    return replies
