"""`twinchat train`: run ingest → prepare → train → evaluate → register without DVC.

The stages are the same functions the DVC stages call (trainer.stages), configured by
composing `configs/` with Hydra overrides, e.g.

    twinchat train experiment=demo lora.r=32 trainer.max_steps=100
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

logger = logging.getLogger(__name__)

STAGES = ("ingest", "prepare", "train", "evaluate", "register")


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _user_errors() -> tuple[type[Exception], ...]:
    """Exceptions that carry a message for the user rather than a programming error."""
    from trainer.dataset.config import PrepareError
    from trainer.evaluation.run import EvaluationError
    from trainer.modeling.errors import TrainingSetupError
    from trainer.registry import RegistryError
    from trainer.stages import StageError
    from trainer.tracking import tracking_errors

    return (
        StageError,
        PrepareError,
        TrainingSetupError,
        EvaluationError,
        RegistryError,
        *tracking_errors(),
    )


def _run_train_stage(cfg) -> None:
    from trainer.modeling.train import train
    from trainer.stages import run_base_model
    from trainer.tracking import RUN_FILE

    run_base_model(cfg)
    # A run id left by an earlier run must not receive this run's results.
    (Path(cfg.paths.output_dir) / RUN_FILE).unlink(missing_ok=True)
    train(cfg)


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("overrides", nargs=-1)
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("configs"),
    show_default=True,
    help="Folder with config.yaml and the config groups.",
)
@click.option(
    "--from",
    "first_stage",
    type=click.Choice(STAGES),
    default="ingest",
    show_default=True,
    help="Start at this stage and reuse the earlier stages' outputs.",
)
@click.option(
    "--to",
    "last_stage",
    type=click.Choice(STAGES),
    default="register",
    show_default=True,
    help="Stop after this stage.",
)
@click.option("--cfg", "print_config", is_flag=True, help="Print the composed config and exit.")
def train(
    overrides: tuple[str, ...],
    config_dir: Path,
    first_stage: str,
    last_stage: str,
    print_config: bool,
) -> None:
    """Run the training pipeline with Hydra OVERRIDES such as lora.r=32 or experiment=demo."""
    from omegaconf import OmegaConf

    from trainer.config import ConfigError, compose_config

    try:
        cfg = compose_config(overrides, config_dir)
    except ConfigError as error:
        _fail(f"invalid override or config: {error}", 2)
    if print_config:
        click.echo(OmegaConf.to_yaml(cfg))
        return
    first, last = STAGES.index(first_stage), STAGES.index(last_stage)
    if first > last:
        _fail(f"--from {first_stage} comes after --to {last_stage}", 2)

    from trainer import stages

    progress = sys.stderr.isatty()
    actions: dict[str, Callable[[], object]] = {
        "ingest": lambda: stages.run_ingest(cfg, progress),
        "prepare": lambda: stages.run_prepare(cfg, progress),
        "train": lambda: _run_train_stage(cfg),
        "evaluate": lambda: stages.run_evaluate(cfg),
        "register": lambda: stages.run_register(cfg),
    }
    results: dict[str, object] = {}
    try:
        for name in STAGES[first : last + 1]:
            click.echo(f"==> {name}", err=True)
            started = time.monotonic()
            results[name] = actions[name]()
            click.echo(f"    {name} done in {time.monotonic() - started:.0f} s", err=True)
    except _user_errors() as error:
        _fail(str(error), 1)
    _print_summary(results)


def _print_summary(results: dict[str, object]) -> None:
    evaluation = results.get("evaluate")
    if evaluation is not None:
        metrics = evaluation.metrics
        click.echo(
            f"perplexity {metrics['ppl_base']:.2f} (base) -> {metrics['ppl_tuned']:.2f} (tuned), "
            f"{100 * metrics['ppl_reduction']:.1f}% lower; report: {evaluation.out_dir}/report.md"
        )
    registration = results.get("register")
    if registration is not None:
        alias = "champion" if registration.champion else "challenger"
        click.echo(
            f"registered {registration.name} version {registration.version} as {alias}; "
            f"chat with it: twinchat chat --model {registration.name}@champion"
        )
