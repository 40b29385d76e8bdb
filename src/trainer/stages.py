"""The pipeline stages as functions of the composed config, shared by DVC and `twinchat train`.

DVC runs each stage as its own process (`pipelines/*.py`, reading `params.yaml`);
`twinchat train` composes `configs/` with Hydra and calls them one after another.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

logger = logging.getLogger(__name__)

REGISTRATION_FILE = "registration.json"


class StageError(Exception):
    """A stage input or setting that the user can fix. The message names it and the fix."""


def load_params(path: str | Path = "params.yaml") -> DictConfig:
    """Read the composed parameters that `dvc exp run` wrote."""
    path = Path(path)
    if not path.is_file():
        raise StageError(f"parameters file {path} not found; run `dvc exp run` or pass --params")
    return OmegaConf.load(path)


def plain(cfg: DictConfig | Any) -> Any:
    """Return the config as plain dicts and lists, with interpolations resolved."""
    if isinstance(cfg, DictConfig):
        return OmegaConf.to_container(cfg, resolve=True)
    return cfg


def run_ingest(cfg: DictConfig, progress: bool = False) -> Path:
    """Parse the exports at `ingest.input` into normalized messages at `ingest.out`."""
    from trainer.ingest.pipeline import iter_messages, write_jsonl
    from trainer.ingest.report import IngestError, IngestReport

    source = Path(cfg.ingest.input)
    if not source.exists():
        raise StageError(
            f"ingest.input {source} not found; put exports under data/raw/ and set "
            "ingest.input=data/raw"
        )
    out = Path(cfg.ingest.out)
    report = IngestReport()
    try:
        count = write_jsonl(
            iter_messages([source], cfg.ingest.get("format", "auto"), report, progress), out
        )
    except IngestError as error:
        raise StageError(str(error)) from error
    report_path = out.with_suffix(".report.json")
    report_path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n")
    logger.info("ingested %d messages into %s", count, out)
    return out


def run_prepare(cfg: DictConfig, progress: bool = False) -> Path:
    """Build the persona's dataset from `ingest.out` into the parent of `data.dataset_dir`."""
    from trainer.dataset.build import run_prepare as build_dataset
    from trainer.dataset.config import PrepareConfig, PrepareError

    out = Path(cfg.data.dataset_dir).parent
    try:
        config = PrepareConfig.from_mapping(plain(cfg.prepare))
        result = build_dataset([Path(cfg.ingest.out)], out, config, progress)
    except PrepareError as error:
        raise StageError(str(error)) from error
    # The single-session split fallback and a merged persona only show up here.
    for warning in result.warnings:
        logger.warning("prepare: %s", warning)
    return out


def run_base_model(cfg: DictConfig) -> Path | None:
    """Convert the bundled GGUF once when `model.name_or_path` is the default model folder.

    Any other base model (a local directory or hub id) is used as it is, so nothing runs.
    """
    from trainer.modeling.base_model import convert_gguf, find_bundled_gguf

    target = Path(cfg.model.name_or_path)
    if target.name != "SmolLM2-135M-Instruct" or (target / "config.json").is_file():
        return None
    logger.info("converting the bundled SmolLM2-135M-Instruct GGUF into %s", target)
    return convert_gguf(find_bundled_gguf(), target)


def run_evaluate(cfg: DictConfig):
    """Evaluate the trained model and log the results into the training run."""
    from trainer.evaluation.run import evaluate_model
    from trainer.tracking import RUN_FILE, log_evaluation, pipeline_run

    run_file = Path(cfg.paths.output_dir) / RUN_FILE
    with pipeline_run(plain(cfg.get("logger")), run_file, plain(cfg)) as run:
        evaluation = evaluate_model(plain(cfg), run.info.run_id)
        log_evaluation(evaluation, cfg.data.dataset_dir, plain(cfg))
    return evaluation


def registered_name(cfg: DictConfig, persona: str) -> str:
    from trainer.registry import persona_slug

    configured = cfg.eval.registry.get("model_name")
    return str(configured) if configured else f"twinchat-{persona_slug(persona)}"


def persona_config(cfg: DictConfig, persona: str, style: dict[str, Any]) -> dict[str, Any]:
    """Build the twinchat.json that serving reads next to the adapter."""
    base = str(cfg.model.name_or_path)
    if Path(base).exists():
        # A local folder is recorded as an absolute path, so serving finds it from any directory.
        base = str(Path(base).resolve())
    return {
        "base_model": base,
        "persona": persona,
        "persona_ids": list(cfg.prepare.get("persona_ids") or []),
        "generation": plain(cfg.eval.generation),
        "style": style,
    }


def run_register(cfg: DictConfig):
    """Register the trained adapter as a new model version and move its aliases."""
    from trainer.registration import PromotionRule, log_persona_model, promote
    from trainer.registry import make_client
    from trainer.tracking import RUN_FILE, active_tracking_uri, pipeline_run

    train_dir = Path(cfg.paths.output_dir)
    eval_dir = Path(cfg.eval.out_dir)
    metrics_path, style_path = eval_dir / "metrics.json", eval_dir / "style.json"
    if not metrics_path.is_file():
        raise StageError(f"{metrics_path} not found; run the evaluate stage first")
    metrics = json.loads(metrics_path.read_text())
    style = json.loads(style_path.read_text()) if style_path.is_file() else {}
    rule = PromotionRule(
        metric=cfg.eval.registry.metric,
        greater_is_better=bool(cfg.eval.registry.greater_is_better),
        min_delta=float(cfg.eval.registry.min_delta),
    )
    if rule.metric not in metrics:
        raise StageError(
            f"eval.registry.metric={rule.metric!r} is not in {metrics_path}; use one of "
            f"{', '.join(sorted(key for key in metrics if key != 'train'))}"
        )
    persona = _persona_from_dataset(cfg)
    name = registered_name(cfg, persona)
    model_dir = train_dir / "adapter" if (train_dir / "adapter").is_dir() else train_dir / "model"
    config = persona_config(cfg, persona, style.get("real_validation", {}))
    with (
        tempfile.TemporaryDirectory() as staging,
        pipeline_run(plain(cfg.get("logger")), train_dir / RUN_FILE, plain(cfg)) as run,
    ):
        # twinchat.json is written outside the train stage's output, which DVC tracks.
        config_path = Path(staging) / "twinchat.json"
        config_path.write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n")
        files = {
            model_dir.name: model_dir,
            "tokenizer": train_dir / "tokenizer",
            "twinchat.json": config_path,
        }
        version = log_persona_model(name, files)
        client = make_client(active_tracking_uri())
        registration = promote(client, name, version, float(metrics[rule.metric]), rule)
        record = {**asdict(registration), "run_id": run.info.run_id}
    out = Path(cfg.eval.get("registration_file") or eval_dir / REGISTRATION_FILE)
    out.write_text(json.dumps(record, indent=1) + "\n")
    return registration


def _persona_from_dataset(cfg: DictConfig) -> str:
    from datasets import load_from_disk

    dataset = load_from_disk(str(cfg.data.dataset_dir))
    for split in ("validation", "train"):
        if split in dataset and len(dataset[split]):
            return str(dataset[split][0]["persona"])
    raise StageError(f"dataset {cfg.data.dataset_dir} has no rows; check the prepare stage")


def run_stage_script(
    stage: Callable[[DictConfig], object],
    description: str,
    expected_errors: tuple[type[Exception], ...] = (),
    argv: list[str] | None = None,
) -> int:
    """Run one DVC stage on the composed `--params` file; return the process exit status.

    StageError and `expected_errors` are input problems: they are logged as one line and give
    status 1. Any other exception is a bug and propagates with its traceback.
    """
    from twinchat.env import apply_offline_defaults

    apply_offline_defaults()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    try:
        stage(load_params(args.params))
    except (StageError, *expected_errors) as error:
        logger.error("%s", error)
        return 1
    return 0
