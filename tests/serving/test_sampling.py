"""Next-token choice: repetition controls, top-k/top-p filtering and seeded sampling."""

from __future__ import annotations

import pytest
import torch

from serving.sampling import (
    banned_ngram_tokens,
    choose_token,
    filter_top_k_top_p,
    make_generator,
    penalize_repetition,
)
from serving.settings import InvalidSettingError, SamplingParams

GREEDY = SamplingParams(temperature=0.0, repetition_penalty=1.0, no_repeat_ngram_size=0)


def test_penalty_divides_positive_logits():
    logits = torch.tensor([2.0, -2.0, 1.0])
    penalize_repetition(logits, [0, 1], penalty=2.0)
    assert logits.tolist() == [1.0, -4.0, 1.0]


def test_penalty_one_changes_nothing():
    logits = torch.tensor([2.0, -2.0])
    penalize_repetition(logits, [0, 1], penalty=1.0)
    assert logits.tolist() == [2.0, -2.0]


def test_banned_ngram_completes_repeat():
    assert banned_ngram_tokens([5, 6, 7, 5, 6], size=3) == {7}


def test_banned_ngram_short_reply():
    assert banned_ngram_tokens([5, 6], size=3) == set()


def test_banned_ngram_off():
    assert banned_ngram_tokens([5, 5, 5, 5], size=0) == set()


def test_top_k_keeps_k():
    logits = filter_top_k_top_p(torch.tensor([1.0, 4.0, 3.0, 2.0]), top_k=2, top_p=1.0)
    assert torch.isfinite(logits).tolist() == [False, True, True, False]


def test_top_p_keeps_nucleus():
    logits = torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05]))
    survivors = torch.isfinite(filter_top_k_top_p(logits, top_k=0, top_p=0.7))
    assert survivors.tolist() == [True, True, False, False]


def test_top_p_keeps_top_token():
    logits = torch.log(torch.tensor([0.9, 0.1]))
    survivors = torch.isfinite(filter_top_k_top_p(logits, top_k=0, top_p=0.01))
    assert survivors.tolist() == [True, False]


def test_greedy_takes_argmax():
    logits = torch.tensor([0.1, 3.0, 2.0])
    assert choose_token(logits, [], GREEDY, make_generator(0)) == 1


def test_greedy_skips_banned_ngram():
    params = SamplingParams(temperature=0.0, repetition_penalty=1.0, no_repeat_ngram_size=2)
    logits = torch.tensor([0.1, 3.0, 2.0])
    assert choose_token(logits, [1, 1], params, make_generator(0)) == 2


def test_same_seed_same_samples():
    params = SamplingParams(temperature=1.0, top_p=1.0, repetition_penalty=1.0)
    logits = torch.zeros(50)
    first = [choose_token(logits, [], params, generator) for generator in [make_generator(3)] * 5]
    second = [choose_token(logits, [], params, generator) for generator in [make_generator(3)] * 5]
    assert first == second


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"temperature": -0.1}, "temperature"),
        ({"temperature": 2.5}, "temperature"),
        ({"top_p": 0.0}, "top_p"),
        ({"top_p": 1.5}, "top_p"),
        ({"top_k": -1}, "top_k"),
        ({"max_new_tokens": 0}, "max_new_tokens"),
        ({"max_new_tokens": 10_000}, "max_new_tokens"),
        ({"repetition_penalty": 0.0}, "repetition_penalty"),
        ({"no_repeat_ngram_size": -2}, "no_repeat_ngram_size"),
        ({"temperature": float("nan")}, "temperature"),
        ({"top_k": 2.5}, "top_k"),
    ],
)
def test_invalid_sampling_named(changes, name):
    with pytest.raises(InvalidSettingError) as caught:
        SamplingParams().updated(changes).validate(max_new_tokens_limit=512)
    assert caught.value.name == name


def test_do_sample_false_is_greedy():
    assert SamplingParams().updated({"do_sample": False}).greedy


def test_updated_ignores_unknown_keys():
    params = SamplingParams().updated({"batch_size": 8, "top_p": 0.5})
    assert params.top_p == 0.5
