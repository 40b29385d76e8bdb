"""Fixtures for the pipeline tests: a throwaway MLflow store and fake persona model files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twinchat.env import apply_offline_defaults

apply_offline_defaults()


@pytest.fixture
def tracking_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty SQLite tracking store whose artifacts live under tmp_path."""
    import mlflow

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("TWINCHAT_MODEL_CACHE", str(tmp_path / "cache"))
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    experiment = mlflow.create_experiment(
        "tests", artifact_location=(tmp_path / "mlruns").resolve().as_uri()
    )
    mlflow.set_experiment(experiment_id=experiment)
    yield uri
    mlflow.set_tracking_uri(None)


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
