"""Style statistics and distances between real and generated reply bursts."""

from __future__ import annotations

import math

import pytest

from trainer.evaluation.style import (
    burst_style,
    quantile_distance,
    style_distances,
    vocabulary_overlap,
)

REAL = [["omg yes ramen~", "count me in 🌱"], ["hehe~", "i'll bring tea 🍵", "tiny wins!!"]]
FORMAL = [["I would love to come to dinner."], ["That sounds great, thank you."]]


def test_identical_bursts_zero_distance():
    distances = style_distances(REAL, REAL)
    assert distances["style_distance"] == 0
    assert distances["length_distance"] == 0
    assert distances["vocabulary_overlap"] == 1


def test_formal_replies_far_from_real():
    distances = style_distances(REAL, FORMAL)
    assert distances["lowercase_distance"] == 1
    assert distances["style_distance"] > 0.4


def test_closer_style_smaller_distance():
    similar = [["yes ramen pls~", "i'm in 🌱"], ["omg~", "bringing tea 🍵"]]
    assert (
        style_distances(REAL, similar)["style_distance"]
        < style_distances(REAL, FORMAL)["style_distance"]
    )


def test_burst_style_counts():
    style = burst_style(REAL)
    assert style["bursts"] == 2
    assert style["messages"] == 5
    assert style["messages_per_burst"] == 2.5
    assert style["casing"]["all_lowercase"] == 1


def test_empty_generation_is_far():
    distances = style_distances(REAL, [[]])
    assert math.isnan(distances["length_distance"])
    assert distances["vocabulary_overlap"] == 0
    assert distances["style_distance"] >= 0.5


@pytest.mark.parametrize(
    ("real", "generated", "expected"),
    [([1, 2, 3], [1, 2, 3], 0.0), ([10, 10], [20, 20], 10.0), ([], [1], math.nan)],
)
def test_quantile_distance_cases(real, generated, expected):
    result = quantile_distance(real, generated)
    assert result == expected or (math.isnan(expected) and math.isnan(result))


def test_vocabulary_overlap_share():
    assert vocabulary_overlap(["ramen tea"], ["ramen coffee"]) == 0.5
