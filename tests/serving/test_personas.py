"""Reply length and burst size caps from the persona's recorded style."""

from __future__ import annotations

import pytest

from serving.personas import CHARS_PER_TOKEN_ESTIMATE, LoadedPersona, geometric_p90
from serving.prompts import PromptFormat
from serving.settings import SamplingParams


def persona_with(style, generation=None) -> LoadedPersona:
    return LoadedPersona(
        name="twinchat-ana",
        version=1,
        persona="Ana",
        base_key="base",
        adapter_dir=None,
        tokenizer=None,
        prompt_format=PromptFormat(frozenset(), ()),
        generation=generation or {},
        style=style,
    )


@pytest.mark.parametrize(("mean", "expected"), [(1.0, 1), (1.4, 2), (2.0, 4), (3.0, 6)])
def test_geometric_p90_values(mean, expected):
    assert geometric_p90(mean) == expected


def test_recorded_caps_used():
    persona = persona_with({"reply_tokens": {"p90": 17.2}, "burst_messages": {"p90": 3}})
    assert persona.reply_token_cap() == 18
    assert persona.message_cap() == 3


def test_caps_from_dataset_style():
    # The shape trainer.evaluation.style.burst_style writes into twinchat.json.
    persona = persona_with({"length_chars": {"mean": 20.0, "p90": 40.0}, "messages_per_burst": 2.0})
    assert persona.message_cap() == 4
    assert persona.reply_token_cap() == int(40 * 4 / CHARS_PER_TOKEN_ESTIMATE) + 4


def test_no_style_no_caps():
    persona = persona_with({})
    assert persona.reply_token_cap() is None
    assert persona.message_cap() is None


@pytest.mark.parametrize("value", [None, "12", True, float("nan"), -3, 0])
def test_unusable_values_ignored(value):
    persona = persona_with({"reply_tokens": {"p90": value}, "messages_per_burst": value})
    assert persona.reply_token_cap() is None
    assert persona.message_cap() is None


def test_recorded_seed_not_used():
    persona = persona_with({}, generation={"seed": 0, "temperature": 0.5, "do_sample": True})
    sampling = persona.sampling(SamplingParams())
    assert sampling.seed is None
    assert sampling.temperature == 0.5
