"""PNG plots of an evaluation: message lengths real vs generated, and the training loss."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

# The Agg backend is chosen first, so plots render without a display.
import matplotlib.pyplot as plt

MAX_LENGTH_SHOWN = 200


def plot_lengths(series: Mapping[str, Sequence[str]], out: Path) -> Path:
    """Draw overlaid histograms of characters per message, one per named message list."""
    figure, axes = plt.subplots(figsize=(7, 4))
    bins = list(range(0, MAX_LENGTH_SHOWN + 10, 10))
    for label, messages in series.items():
        lengths = [min(len(message), MAX_LENGTH_SHOWN) for message in messages]
        if lengths:
            axes.hist(
                lengths, bins=bins, alpha=0.5, density=True, label=f"{label} ({len(lengths)})"
            )
    axes.set_xlabel(f"characters per message (capped at {MAX_LENGTH_SHOWN})")
    axes.set_ylabel("share of messages")
    axes.set_title("Message length: real vs generated")
    axes.legend()
    return _save(figure, out)


def plot_loss(curves: Mapping[str, Sequence[tuple[int, float]]], out: Path) -> Path:
    """Draw loss against optimizer step for each named curve.

    Without any data the figure shows a note instead, because DVC expects the file after
    every run.
    """
    figure, axes = plt.subplots(figsize=(7, 4))
    drawn = 0
    for name, points in curves.items():
        if not points:
            continue
        steps, values = zip(*points, strict=True)
        axes.plot(steps, values, marker="o" if len(points) < 20 else None, label=name)
        drawn += 1
    axes.set_xlabel("step")
    axes.set_ylabel("loss (target tokens)")
    axes.set_title("Training loss")
    if drawn:
        axes.legend()
    else:
        axes.text(0.5, 0.5, "no per-step loss was logged", ha="center", transform=axes.transAxes)
    return _save(figure, out)


def _save(figure, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)
    return out
