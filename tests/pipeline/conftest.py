"""Fixtures for the pipeline tests: a throwaway MLflow store and fake persona model files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twinchat.env import apply_offline_defaults

apply_offline_defaults()


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite tracking store shared by one test module, with artifacts beside it.

    Creating the database's tables takes seconds, so tests share the store and keep apart
    by registering distinct model names.
    """
    import mlflow

    root = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    patch = pytest.MonkeyPatch()
    patch.setenv("MLFLOW_TRACKING_URI", uri)
    patch.setenv("TWINCHAT_MODEL_CACHE", str(root / "cache"))
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    experiment = mlflow.create_experiment(
        "tests", artifact_location=(root / "mlruns").resolve().as_uri()
    )
    mlflow.set_experiment(experiment_id=experiment)
    yield uri
    mlflow.set_tracking_uri(None)
    patch.undo()


@pytest.fixture
def persona_files(tmp_path: Path) -> dict[str, Path]:
    """Files shaped like a trained adapter, its tokenizer and twinchat.json, without weights."""
    adapter = tmp_path / "files" / "adapter"
    tokenizer = tmp_path / "files" / "tokenizer"
    adapter.mkdir(parents=True)
    tokenizer.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text('{"r": 8}')
    (tokenizer / "tokenizer.json").write_text("{}")
    config = tmp_path / "files" / "twinchat.json"
    config.write_text(json.dumps({"base_model": "/models/base", "persona": "Mira"}))
    return {"adapter": adapter, "tokenizer": tokenizer, "twinchat.json": config}
