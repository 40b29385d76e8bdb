"""`twinchat ingest` and `twinchat participants`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from trainer.ingest.detect import FORMATS
from trainer.ingest.participants import collect_participants
from trainer.ingest.pipeline import iter_messages, write_jsonl
from trainer.ingest.report import IngestError, IngestReport

FORMAT_CHOICE = click.Choice(["auto", *[name for name in FORMATS if name != "jsonl"]])
SKIPPED_SHOWN = 10


def _fail(error: IngestError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(2)


def _print_report(report: IngestReport) -> None:
    summary = report.to_dict()
    kinds = ", ".join(f"{count} {kind}" for kind, count in summary["kinds"].items())
    click.echo(
        f"{summary['messages']} messages ({kinds}) in {len(summary['chats'])} chats", err=True
    )
    for chat_id, chat in summary["chats"].items():
        click.echo(f"  {chat['source']} {chat_id} {chat['name']!r}: {chat['messages']}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.skipped:
        click.echo(f"{len(report.skipped)} skipped:", err=True)
        for entry in report.skipped[:SKIPPED_SHOWN]:
            click.echo(f"  {entry.file} {entry.location}: {entry.reason}", err=True)
        if len(report.skipped) > SKIPPED_SHOWN:
            click.echo(
                f"  ... {len(report.skipped) - SKIPPED_SHOWN} more in the JSON report", err=True
            )


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON Lines file to write, one normalized message per line.",
)
@click.option(
    "--format",
    "fmt",
    type=FORMAT_CHOICE,
    default="auto",
    show_default=True,
    help="Export format; detected from each file's content when auto.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as JSON to this file (default: OUT with .report.json).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar (default: when stderr is a terminal).",
)
def ingest(
    inputs: tuple[Path, ...], out: Path, fmt: str, report_path: Path | None, progress: bool | None
) -> None:
    """Parse chat exports (files, folders or .zip archives) into normalized messages."""
    report = IngestReport()
    show_progress = sys.stderr.isatty() if progress is None else progress
    try:
        count = write_jsonl(iter_messages(list(inputs), fmt, report, show_progress), out)
    except IngestError as error:
        _fail(error)
    report_path = report_path or out.with_suffix(".report.json")
    report_path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n")
    _print_report(report)
    click.echo(f"wrote {count} messages to {out} and the report to {report_path}", err=True)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=FORMAT_CHOICE,
    default="auto",
    show_default=True,
    help="Export format; detected from each file's content when auto.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def participants(inputs: tuple[Path, ...], fmt: str, as_json: bool) -> None:
    """List everyone who wrote in the exports, to choose a persona by author_id."""
    report = IngestReport()
    try:
        people = collect_participants(iter_messages(list(inputs), fmt, report))
    except IngestError as error:
        _fail(error)
    if as_json:
        click.echo(
            json.dumps([person.to_dict() for person in people], ensure_ascii=False, indent=1)
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("author_id", "name", "other names", "messages", "first", "last", "flags")
    for person in people:
        flags = ",".join(
            flag for flag, on in (("bot", person.is_bot), ("system", person.is_system)) if on
        )
        other_names = ", ".join(name for name in person.to_dict()["names"][1:4])
        table.add_row(
            person.author_id,
            person.name,
            other_names,
            str(person.messages),
            (person.first_ts or "")[:10],
            (person.last_ts or "")[:10],
            flags,
        )
    Console().print(table)
