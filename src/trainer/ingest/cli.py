"""`twinchat ingest` and `twinchat participants`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from trainer.ingest.detect import FORMATS
from trainer.ingest.output import OutputFile
from trainer.ingest.participants import collect_participants
from trainer.ingest.participants_table import print_table, write_tsv
from trainer.ingest.pipeline import iter_messages, write_messages
from trainer.ingest.report import IngestError, IngestReport, plural

FORMAT_CHOICE = click.Choice(["auto", *[name for name in FORMATS if name != "jsonl"]])
SKIPPED_SHOWN = 10


def _fail(error: IngestError) -> NoReturn:
    click.echo(f"error: {error}", err=True)
    sys.exit(2)


def _print_report(report: IngestReport) -> None:
    summary = report.to_dict()
    kinds = ", ".join(f"{count} {kind}" for kind, count in summary["kinds"].items())
    messages = plural(summary["messages"], "message")
    click.echo(f"{messages} ({kinds}) in {plural(len(summary['chats']), 'chat')}", err=True)
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


def _check_outputs_are_not_inputs(inputs: tuple[Path, ...], outputs: dict[str, Path]) -> None:
    """Raise IngestError when an output would overwrite an input file or the other output."""
    resolved = {label: path.resolve() for label, path in outputs.items()}
    if len(set(resolved.values())) < len(resolved):
        raise IngestError("--out and --report name the same file; give the report another name")
    for path in inputs:
        for label, output in resolved.items():
            if path.resolve() == output:
                raise IngestError(
                    f"{label} {outputs[label]} is also an input file, so writing it would "
                    "overwrite that input; choose another output path"
                )


def _file_error(error: OSError) -> IngestError:
    """Describe a failed read or write, such as a full disk, without a traceback."""
    where = f"{error.filename}: " if error.filename else ""
    reason = error.strerror or str(error)
    return IngestError(
        f"{where}{reason}; check the file permissions and the free disk space, then run again"
    )


def _open_outputs(outputs: dict[str, Path]) -> list[OutputFile]:
    opened: list[OutputFile] = []
    try:
        for label, path in outputs.items():
            opened.append(OutputFile(path, label))
    except IngestError:
        _discard(opened)
        raise
    return opened


def _discard(outputs: list[OutputFile]) -> None:
    for output in reversed(outputs):
        output.discard()


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
    """Parse chat exports (files, folders or .zip archives) into normalized messages.

    OUT and the report are replaced only when both are complete, so a failed run leaves
    the files of an earlier run as they were.
    """
    report_path = report_path or out.with_suffix(".report.json")
    paths = {"--out": out, "--report": report_path}
    try:
        _check_outputs_are_not_inputs(inputs, paths)
        outputs = _open_outputs(paths)
    except IngestError as error:
        _fail(error)
    out_file, report_file = outputs
    report = IngestReport()
    show_progress = sys.stderr.isatty() if progress is None else progress
    # A folder input may contain this run's outputs, or the default report of an earlier run.
    exclude = [out, report_path, out.with_suffix(".report.json")]
    try:
        messages = iter_messages(list(inputs), fmt, report, show_progress, exclude)
        count = write_messages(messages, out_file.stream)
        if count == 0:
            raise report.empty_error([str(path) for path in inputs])
        report_file.stream.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        report_file.stream.write("\n")
        out_file.commit()
        report_file.commit()
    except IngestError as error:
        _discard(outputs)
        _fail(error)
    except OSError as error:
        _discard(outputs)
        _fail(_file_error(error))
    except BaseException:
        _discard(outputs)
        raise
    _print_report(report)
    click.echo(
        f"wrote {plural(count, 'message')} to {out} and the report to {report_path}", err=True
    )


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
        if not people:
            raise report.empty_error([str(path) for path in inputs])
    except IngestError as error:
        _fail(error)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(
            json.dumps([person.to_dict() for person in people], ensure_ascii=False, indent=1)
        )
    elif sys.stdout.isatty():
        print_table(people)
    else:
        write_tsv(people, click.get_text_stream("stdout"))
