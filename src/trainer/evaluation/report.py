"""The human-readable evaluation report, `report.md`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from trainer.evaluation.samples import samples_markdown

SAMPLES_IN_REPORT = 8
# (path in a burst_style summary, row label)
STYLE_ROWS = (
    (("messages_per_burst",), "messages per reply"),
    (("length_chars", "mean"), "characters per message, mean"),
    (("length_chars", "median"), "characters per message, median"),
    (("emoji", "per_message"), "emoji per message"),
    (("casing", "all_lowercase"), "all-lowercase messages"),
    (("punctuation", "question_rate"), "messages with ?"),
    (("punctuation", "ending", "."), "messages ending with ."),
    (("punctuation", "ending", "!"), "messages ending with !"),
    (("punctuation", "ending", "none"), "messages ending without . ! ? …"),
)


def _lookup(summary: Mapping[str, Any], path: Sequence[str]) -> float:
    value: Any = summary
    for key in path:
        value = value[key]
    return float(value)


def write_report(
    out_dir: Path,
    persona: str,
    metrics: Mapping[str, Any],
    style: Mapping[str, Mapping[str, Any]],
    table: Sequence[Mapping[str, Any]],
) -> Path:
    """Write `report.md`: perplexity, style comparison, plots and the first samples."""
    columns = [name for name in ("real_samples", "generated", "generated_base") if name in style]
    titles = {"real_samples": "real", "generated": "tuned", "generated_base": "base"}
    lines = [
        f"# Evaluation: {persona}",
        "",
        f"Validation perplexity of {persona}'s replies ({metrics['eval_examples']} examples, "
        f"{metrics['eval_target_tokens']} target tokens):",
        "",
        "| model | perplexity |",
        "|---|---|",
        f"| base | {metrics['ppl_base']:.2f} |",
        f"| tuned | {metrics['ppl_tuned']:.2f} |",
        "",
        f"Reduction: {100 * metrics['ppl_reduction']:.1f}%. Style distance of generated "
        f"replies (0 is identical): {metrics['style_distance']:.3f} tuned"
        + (
            f", {metrics['style_distance_base']:.3f} base."
            if "style_distance_base" in metrics
            else "."
        ),
        "",
        "| style | " + " | ".join(titles[name] for name in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for path, label in STYLE_ROWS:
        values = " | ".join(f"{_lookup(style[name], path):.2f}" for name in columns)
        lines.append(f"| {label} | {values} |")
    lines += [
        "",
        "![message lengths](plots/lengths.png)",
        "",
        "![training loss](plots/loss.png)",
        "",
        f"## Samples (first {min(SAMPLES_IN_REPORT, len(table))} of {len(table)})",
        "",
        samples_markdown(table[:SAMPLES_IN_REPORT]),
    ]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
