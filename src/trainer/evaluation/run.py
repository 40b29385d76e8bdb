"""The evaluate stage: score the tuned model against its base model and write a report.

Outputs in `eval.out_dir`: `metrics.json` (flat numbers that `dvc metrics diff` compares,
with the training metrics under `train`), `style.json`, `samples.json`, `samples.md`,
`report.md` and `plots/*.png`.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer.evaluation.generation import GenerationSettings, generate_replies, prompt_messages
from trainer.evaluation.perplexity import target_perplexity
from trainer.evaluation.plots import plot_lengths, plot_loss
from trainer.evaluation.report import write_report
from trainer.evaluation.samples import sample_table, samples_markdown
from trainer.evaluation.style import burst_style, flatten, style_distances

logger = logging.getLogger(__name__)

METRICS_FILE = "metrics.json"
TRAIN_METRICS_FILE = "train_metrics.json"


@dataclass
class Evaluation:
    """The evaluate stage's measurements and the folder it wrote its files to."""

    metrics: dict[str, Any]
    out_dir: Path
    persona: str
    style: dict[str, Any]


# A function that lends out the base model for the duration of a `with` block.
BaseModelView = Callable[[], contextlib.AbstractContextManager[Any]]


class EvaluationError(Exception):
    """Missing inputs for evaluation: the message names the file and the stage to run."""


def select_rows(split, max_examples: int | None, seed: int) -> list[dict[str, Any]]:
    """Return up to `max_examples` rows of `split`, the same ones for the same seed."""
    if max_examples is not None and len(split) > max_examples:
        split = split.shuffle(seed=seed).select(range(max_examples))
    return [dict(row) for row in split]


@contextlib.contextmanager
def load_models(base_path: str, train_dir: Path) -> Iterator[tuple[Any, BaseModelView]]:
    """Yield the tuned model and a function that lends out the base model.

    With a LoRA adapter the base model is the tuned model with its adapter switched off, so
    only one copy is loaded. After full fine-tuning the base model is loaded separately.
    """
    from trainer.modeling.base_model import load_causal_lm

    adapter_dir, full_dir = train_dir / "adapter", train_dir / "model"
    if adapter_dir.is_dir():
        from peft import PeftModel

        tuned = PeftModel.from_pretrained(load_causal_lm(base_path), str(adapter_dir))

        @contextlib.contextmanager
        def adapter_off() -> Iterator[Any]:
            with tuned.disable_adapter():
                yield tuned

        yield tuned, adapter_off
    elif full_dir.is_dir():
        base = load_causal_lm(base_path)
        yield load_causal_lm(str(full_dir)), lambda: contextlib.nullcontext(base)
    else:
        raise EvaluationError(
            f"no trained model in {train_dir}: expected adapter/ or model/; run the train stage"
        )


def evaluate_model(cfg: Mapping[str, Any], run_id: str | None = None) -> Evaluation:
    """Run the whole evaluation described by the composed config `cfg`."""
    from datasets import load_from_disk

    from trainer.modeling.base_model import load_tokenizer

    eval_cfg = cfg["eval"]
    train_dir = Path(cfg["paths"]["output_dir"])
    out_dir = Path(eval_cfg["out_dir"])
    dataset_dir = Path(cfg["data"]["dataset_dir"])
    if not dataset_dir.is_dir():
        raise EvaluationError(f"dataset {dataset_dir} not found; run the prepare stage first")
    dataset = load_from_disk(str(dataset_dir))
    if "validation" not in dataset or len(dataset["validation"]) == 0:
        raise EvaluationError(
            f"the validation split of {dataset_dir} is missing or empty; raise prepare.val_share"
        )
    validation = dataset["validation"]
    seed = int(eval_cfg.get("seed", 0))
    rows = select_rows(validation, eval_cfg.get("max_examples"), seed)
    sample_rows = rows[: int(eval_cfg["num_samples"])]
    settings = GenerationSettings.from_mapping(eval_cfg["generation"])
    tokenizer = load_tokenizer(str(train_dir / "tokenizer"))
    max_seq_len = int(eval_cfg.get("max_seq_len") or cfg["data"]["max_seq_len"])
    batch_size = int(eval_cfg.get("batch_size", 4))
    conversations = [prompt_messages(row) for row in sample_rows]

    with load_models(str(cfg["model"]["name_or_path"]), train_dir) as (tuned, base_view):
        ppl_tuned = target_perplexity(tuned, tokenizer, rows, max_seq_len, batch_size)
        with base_view() as base_model:
            ppl_base = target_perplexity(base_model, tokenizer, rows, max_seq_len, batch_size)
            generated_base = (
                generate_replies(base_model, tokenizer, conversations, settings)
                if eval_cfg.get("generate_with_base", True)
                else None
            )
        generated = generate_replies(tuned, tokenizer, conversations, settings)

    real = [list(row["target"]) for row in sample_rows]
    metrics: dict[str, Any] = {
        "ppl_base": ppl_base.value,
        "ppl_tuned": ppl_tuned.value,
        "ppl_reduction": 1 - ppl_tuned.value / ppl_base.value,
        "loss_base": ppl_base.loss,
        "loss_tuned": ppl_tuned.loss,
        "eval_examples": len(rows),
        "eval_target_tokens": ppl_tuned.tokens,
        "samples": len(sample_rows),
    }
    metrics.update(style_distances(real, generated))
    if generated_base is not None:
        base_distances = style_distances(real, generated_base)
        metrics["style_distance_base"] = base_distances["style_distance"]
        metrics["vocabulary_overlap_base"] = base_distances["vocabulary_overlap"]
    train_metrics_path = train_dir / TRAIN_METRICS_FILE
    if train_metrics_path.is_file():
        metrics["train"] = json.loads(train_metrics_path.read_text())

    persona = str(rows[0]["persona"])
    style = {
        "real_validation": burst_style([list(row["target"]) for row in validation]),
        "real_samples": burst_style(real),
        "generated": burst_style(generated),
    }
    if generated_base is not None:
        style["generated_base"] = burst_style(generated_base)
    table = sample_table(sample_rows, generated, generated_base)
    _write_outputs(out_dir, metrics, style, table, real, generated, generated_base)
    curves = loss_curves(run_id, train_dir)
    plot_loss(curves, out_dir / "plots" / "loss.png")
    write_report(out_dir, persona, metrics, style, table)
    logger.info(
        "perplexity %.2f -> %.2f (%.1f%% lower), style distance %.3f",
        ppl_base.value,
        ppl_tuned.value,
        100 * metrics["ppl_reduction"],
        metrics["style_distance"],
    )
    return Evaluation(metrics, out_dir, persona, style)


def _write_outputs(out_dir, metrics, style, table, real, generated, generated_base) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / METRICS_FILE).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    (out_dir / "style.json").write_text(json.dumps(style, indent=2) + "\n")
    (out_dir / "samples.json").write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n")
    (out_dir / "samples.md").write_text(samples_markdown(table), encoding="utf-8")
    series = {"real": flatten(real), "tuned": flatten(generated)}
    if generated_base is not None:
        series["base"] = flatten(generated_base)
    plot_lengths(series, out_dir / "plots" / "lengths.png")


def loss_curves(run_id: str | None, train_dir: Path) -> dict[str, list[tuple[int, float]]]:
    """Read per-step training and validation loss from the MLflow run, else from CSV logs.

    A run whose training logged to CSV files (`logger=null`) has no loss history in MLflow,
    so the CSV file is read then.
    """
    names = {"train/loss_step": "train", "val/loss": "validation"}
    if run_id is not None:
        from mlflow import MlflowClient

        client = MlflowClient()
        curves = {
            label: [(point.step, point.value) for point in client.get_metric_history(run_id, key)]
            for key, label in names.items()
        }
        if any(curves.values()):
            return curves
    csv_path = train_dir / "logs" / "metrics.csv"
    curves = {label: [] for label in names.values()}
    if not csv_path.is_file():
        return curves
    with csv_path.open(newline="") as stream:
        for record in csv.DictReader(stream):
            for key, label in names.items():
                if record.get(key):
                    curves[label].append((int(record["step"]), float(record[key])))
    return curves
