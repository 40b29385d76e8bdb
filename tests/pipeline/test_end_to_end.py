"""The whole pipeline on the bundled sample and a tiny model, through `twinchat train`.

Three runs share one MLflow store: a run that learns nothing (becomes champion, being the
first), a run that learns (beats it), and another that learns nothing (stays challenger).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trainer.cli import train
from trainer.modeling.base_model import build_tiny_model
from trainer.registry import load_persona

REPO_ROOT = Path(__file__).resolve().parents[2]
NAME = "twinchat-juniper-vale"
pytestmark = pytest.mark.slow


def overrides(root: Path, model_dir: Path, *extra: str) -> list[str]:
    return [
        f"--config-dir={REPO_ROOT / 'configs'}",
        f"paths.root_dir={root}",
        f"ingest.input={REPO_ROOT / 'data' / 'sample' / 'result.json'}",
        f"model.name_or_path={model_dir}",
        "trainer=cpu",
        "trainer.precision=32-true",
        "trainer.enable_progress_bar=false",
        "trainer.max_steps=12",
        "trainer.accumulate_grad_batches=1",
        "trainer.log_every_n_steps=2",
        "trainer.scheduler.num_warmup_steps=0",
        "data.max_seq_len=128",
        "data.batch_size=8",
        "eval.num_samples=3",
        "eval.max_examples=40",
        "eval.generate_with_base=false",
        "eval.generation.max_new_tokens=6",
        *extra,
    ]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Run the three pipeline runs once; tests read what they left behind."""
    root = tmp_path_factory.mktemp("pipeline")
    model_dir = build_tiny_model(root / "tiny-model")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    patch = pytest.MonkeyPatch()
    patch.setenv("MLFLOW_TRACKING_URI", uri)
    patch.setenv("TWINCHAT_MODEL_CACHE", str(root / "cache"))
    runner = CliRunner()
    results = []
    for stage, learning_rate in (("ingest", 0.0), ("train", 0.02), ("train", 0.0)):
        args = [
            f"--from={stage}",
            *overrides(root, model_dir, f"trainer.optimizer.lr={learning_rate}"),
        ]
        result = runner.invoke(train, args)
        assert result.exit_code == 0, result.output + repr(result.exception)
        results.append(json.loads((root / "evaluation" / "registration.json").read_text()))
    yield {"root": root, "uri": uri, "registrations": results}
    patch.undo()


def test_first_version_is_champion(pipeline):
    first = pipeline["registrations"][0]
    assert first["version"] == 1
    assert first["champion"]


def test_better_version_takes_champion(pipeline):
    second = pipeline["registrations"][1]
    assert second["champion"]
    assert second["score"] > pipeline["registrations"][0]["score"]


def test_worse_version_stays_challenger(pipeline):
    third = pipeline["registrations"][2]
    assert not third["champion"]
    assert third["previous_champion"] == 2


def test_load_champion_by_alias(pipeline):
    artifacts = load_persona(f"{NAME}@champion", pipeline["uri"], pipeline["root"] / "cache")
    assert artifacts.version == 2
    assert (artifacts.adapter_dir / "adapter_config.json").is_file()
    assert artifacts.config["persona"] == "Juniper Vale"
    assert artifacts.config["persona_ids"] == ["user7700001"]
    assert Path(artifacts.base_model).is_dir()


def test_load_challenger_by_alias(pipeline):
    artifacts = load_persona(f"{NAME}@challenger", pipeline["uri"], pipeline["root"] / "cache")
    assert artifacts.version == 3


def test_metrics_file_keys(pipeline):
    metrics = json.loads((pipeline["root"] / "evaluation" / "metrics.json").read_text())
    for key in ("ppl_base", "ppl_tuned", "ppl_reduction", "style_distance", "length_distance"):
        assert key in metrics
    assert metrics["ppl_reduction"] == pytest.approx(0.0, abs=1e-6)


def test_run_records_provenance(pipeline):
    from mlflow import MlflowClient

    client = MlflowClient(pipeline["uri"])
    run = client.get_run(pipeline["registrations"][1]["run_id"])
    assert run.data.params["lora/r"] == "16"
    assert len(run.data.tags["twinchat.dataset_hash"]) == 64
    assert "twinchat.git_commit" in run.data.tags
    assert run.data.metrics["eval/ppl_reduction"] > 0
    assert len(client.get_metric_history(run.info.run_id, "train/loss_step")) >= 3


def test_run_has_report_artifacts(pipeline):
    from mlflow import MlflowClient

    client = MlflowClient(pipeline["uri"])
    run_id = pipeline["registrations"][1]["run_id"]
    names = {item.path for item in client.list_artifacts(run_id, "evaluation")}
    assert {"evaluation/report.md", "evaluation/metrics.json", "evaluation/plots"} <= names


def test_model_version_pins_requirements(pipeline):
    artifacts = load_persona(f"{NAME}/1", pipeline["uri"], pipeline["root"] / "cache")
    requirements = (artifacts.root.parent / "requirements.txt").read_text()
    assert "torch==2.13.0" in requirements
    assert "mlflow==3.17.2" in requirements
