"""Print the participants list as a table that never shortens `author_id`.

`author_id` is the value a user copies into `--persona`, so it is always printed whole. In a
terminal the other columns are dropped, least useful first, until the table fits. Anywhere
else (a pipe, a file) the output is tab-separated with every value in full.
"""

from __future__ import annotations

from typing import TextIO

from trainer.ingest.participants import Participant

COLUMNS = ("author_id", "name", "other names", "messages", "first", "last", "flags")
# Columns dropped, in this order, while the table is wider than the terminal.
DROP_ORDER = ("other names", "flags", "last", "first")
OTHER_NAMES_SHOWN = 3


def participant_row(person: Participant, other_names_shown: int | None = None) -> dict[str, str]:
    """Return the table cells of one participant; `other_names_shown` limits the other names."""
    flags = ",".join(
        flag for flag, on in (("bot", person.is_bot), ("system", person.is_system)) if on
    )
    other_names = person.to_dict()["names"][1:]
    if other_names_shown is not None:
        other_names = other_names[:other_names_shown]
    return {
        "author_id": person.author_id,
        "name": person.name,
        "other names": ", ".join(other_names),
        "messages": str(person.messages),
        "first": (person.first_ts or "")[:10],
        "last": (person.last_ts or "")[:10],
        "flags": flags,
    }


def write_tsv(people: list[Participant], stream: TextIO) -> None:
    """Write a header line and one tab-separated line per participant, with full values."""
    stream.write("\t".join(COLUMNS) + "\n")
    for person in people:
        row = participant_row(person)
        cells = (" ".join(row[column].split()) for column in COLUMNS)
        stream.write("\t".join(cells) + "\n")


def fit_columns(rows: list[dict[str, str]], width: int) -> list[str]:
    """Return the columns to show so that the table fits in `width` terminal cells if it can."""
    columns = list(COLUMNS)
    for column in DROP_ORDER:
        if _table_width(rows, columns) <= width:
            break
        columns.remove(column)
    return columns


def _table_width(rows: list[dict[str, str]], columns: list[str]) -> int:
    from rich.cells import cell_len

    # rich's default box draws a border and one space of padding on each side of a cell.
    widths = [
        max([cell_len(column), *(cell_len(row[column]) for row in rows)]) for column in columns
    ]
    return sum(widths) + 3 * len(columns) + 1


def print_table(people: list[Participant], console=None) -> None:
    """Print a rich table sized to the terminal; `console` defaults to a new rich Console."""
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    rows = [participant_row(person, OTHER_NAMES_SHOWN) for person in people]
    columns = fit_columns(rows, console.width)
    longest_id = max((cell_len(row["author_id"]) for row in rows), default=len("author_id"))
    table = Table()
    for column in columns:
        if column == "author_id":
            table.add_column(column, no_wrap=True, min_width=longest_id)
        elif column in ("name", "other names"):
            table.add_column(column, overflow="fold")
        else:
            table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*(row[column] for column in columns))
    console.print(table)
