"""The evaluation plots are written even when a run logged no data for them."""

from __future__ import annotations

from trainer.evaluation.plots import plot_lengths, plot_loss


def test_plot_loss_without_data(tmp_path):
    out = plot_loss({"train": [], "validation": []}, tmp_path / "loss.png")
    assert out.stat().st_size > 0


def test_plot_loss_with_curves(tmp_path):
    out = plot_loss({"train": [(1, 3.0), (2, 2.5)]}, tmp_path / "loss.png")
    assert out.stat().st_size > 0


def test_plot_lengths_skips_empty_series(tmp_path):
    out = plot_lengths({"real": ["hi~", "ok"], "tuned": []}, tmp_path / "lengths.png")
    assert out.stat().st_size > 0
