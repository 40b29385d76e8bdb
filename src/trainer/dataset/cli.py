"""`twinchat prepare`: build the persona's dialogue dataset from messages or exports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trainer.dataset.config import (
    PrepareConfig,
    PrepareError,
    apply_assignments,
    parameter_names,
    read_prepare_section,
)


def _fail(error: PrepareError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(2)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--persona",
    "persona_ids",
    multiple=True,
    metavar="AUTHOR_ID",
    help=(
        "Author id of the persona. Repeat it for the same person's other accounts. Adds to "
        "--persona-name."
    ),
)
@click.option(
    "--persona-name",
    metavar="NAME",
    help="Choose the persona by display name. Fails if the name matches several authors.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help=(
        "Folder to write dataset/, preview.jsonl and stats.json into (replaced atomically). "
        "Required unless --report is given."
    ),
)
@click.option(
    "--report",
    is_flag=True,
    help="Print filter counts with redacted examples and write nothing.",
)
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file with the prepare parameters, e.g. params.yaml (its `prepare` section).",
)
@click.option(
    "--set",
    "-s",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help=(
        "Set one parameter; repeat for more. VALUE is YAML, e.g. --set val_share=0.2, "
        "--set redact.phone=false or --set redact=false. Names: "
        f"{', '.join(parameter_names())}. docs/dataset.md explains each."
    ),
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show progress bars (default: when stderr is a terminal).",
)
def prepare(
    inputs: tuple[Path, ...],
    persona_ids: tuple[str, ...],
    persona_name: str | None,
    out: Path | None,
    report: bool,
    config_path: Path | None,
    assignments: tuple[str, ...],
    progress: bool | None,
) -> None:
    """Turn chat messages (JSONL from `twinchat ingest`, or exports) into training examples.

    Each example is a reply of the persona with the conversation before it. Other people's
    names, contacts and secrets are replaced by placeholders such as [NAME_1].
    """
    from trainer.dataset.build import prepare_dataset, run_prepare
    from trainer.dataset.report import format_report

    show_progress = sys.stderr.isatty() if progress is None else progress
    try:
        values = read_prepare_section(config_path) if config_path else {}
        values = apply_assignments(values, list(assignments))
        if persona_ids:
            values["persona_ids"] = list(persona_ids)
        if persona_name is not None:
            values["persona_name"] = persona_name
        config = PrepareConfig.from_mapping(values)
        if report:
            click.echo(format_report(prepare_dataset(list(inputs), config, show_progress)))
            return
        if out is None:
            raise PrepareError(
                "missing --out; pass the folder to write the dataset into, or --report to "
                "print the report without writing"
            )
        result = run_prepare(list(inputs), out, config, show_progress)
    except PrepareError as error:
        _fail(error)
        return
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    examples = result.stats["examples"]
    click.echo(
        f"wrote {examples['train']} train and {examples['validation']} validation examples "
        f"to {out}",
        err=True,
    )
