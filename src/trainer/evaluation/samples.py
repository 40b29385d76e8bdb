"""The table of sample replies: context, real reply, generated reply (redacted rows only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

CONTEXT_TURNS_SHOWN = 2


def context_preview(row: Mapping[str, Any], turns: int = CONTEXT_TURNS_SHOWN) -> str:
    """Return the last `turns` context turns as `speaker: message / message` lines."""
    lines = []
    for turn in list(row["context"])[-turns:]:
        lines.append(f"{turn['speaker']}: {' / '.join(turn['messages'])}")
    return "\n".join(lines)


def sample_table(
    rows: Sequence[Mapping[str, Any]],
    generated: Sequence[Sequence[str]],
    generated_base: Sequence[Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """Pair each row's context and real target with the generated burst(s)."""
    table = []
    for index, (row, burst) in enumerate(zip(rows, generated, strict=True)):
        entry = {
            "example_id": row["example_id"],
            "context": context_preview(row),
            "real": list(row["target"]),
            "generated": list(burst),
        }
        if generated_base is not None:
            entry["generated_base"] = list(generated_base[index])
        table.append(entry)
    return table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def samples_markdown(table: Sequence[Mapping[str, Any]]) -> str:
    """Render the sample table as Markdown, one burst message per line inside a cell."""
    with_base = bool(table) and "generated_base" in table[0]
    header = ["context", "real", "tuned model"] + (["base model"] if with_base else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for entry in table:
        cells = [
            _cell(entry["context"]),
            _cell("\n".join(entry["real"])),
            _cell("\n".join(entry["generated"])),
        ]
        if with_base:
            cells.append(_cell("\n".join(entry["generated_base"])))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
