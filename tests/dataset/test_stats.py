from trainer.dataset.stats import casing, distribution, ending, style_stats


def test_ending_marks() -> None:
    assert [ending(text) for text in ("ok.", "wow!", "sure?", "hmm...", "well…", "ok")] == [
        ".",
        "!",
        "?",
        "…",
        "…",
        "none",
    ]


def test_ending_ignores_emoji_and_smileys() -> None:
    assert ending("done! 👍") == "!"
    assert ending("really? :)") == "?"


def test_casing_classes() -> None:
    assert [casing(text) for text in ("hello", "Hello there", "OK DONE", "iPhone", "123")] == [
        "lower",
        "upper_start",
        "caps",
        "other",
        None,
    ]


def test_distribution_values() -> None:
    result = distribution([1, 2, 3, 4, 100], (1, 10))
    assert result["mean"] == 22.0
    assert result["median"] == 3.0
    assert result["p90"] == 100.0
    assert result["histogram"] == [
        {"min": 1, "max": 9, "count": 4},
        {"min": 10, "max": None, "count": 1},
    ]


def test_style_stats_shares() -> None:
    stats = style_stats(["ok", "Sure, try it.", "what? 😀😀", "[NAME_1] YES!"])
    assert stats["messages"] == 4
    assert stats["emoji"]["per_message"] == 0.5
    assert stats["emoji"]["share_of_messages"] == 0.25
    assert stats["casing"]["all_lowercase"] == 0.5
    assert stats["casing"]["all_caps"] == 0.25
    assert stats["punctuation"]["ending"]["none"] == 0.25
    assert stats["punctuation"]["question_rate"] == 0.25


def test_style_stats_emoji_sequences_once() -> None:
    stats = style_stats(["👍🏽", "👨‍👩‍👧", "🇩🇪"])
    assert stats["emoji"]["per_message"] == 1.0


def test_style_stats_empty() -> None:
    assert style_stats([])["messages"] == 0
