"""The DVC stage scripts `pipelines/train.py` and `pipelines/base_model.py`."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from types import ModuleType

from omegaconf import OmegaConf

PIPELINES_DIR = Path(__file__).resolve().parents[2] / "pipelines"


def load_stage(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"stage_{name}", PIPELINES_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_train_stage_writes_adapter(compose_config, dataset_dir, tiny_model_dir, tmp_path):
    params = tmp_path / "params.yaml"
    OmegaConf.save(compose_config(), params)
    out = tmp_path / "stage-out"

    status = load_stage("train").main(
        ["--params", str(params), "--dataset", str(dataset_dir), "--out", str(out)]
    )
    assert status == 0
    assert (out / "adapter" / "adapter_config.json").is_file()
    assert (out / "train_metrics.json").is_file()


def test_train_stage_missing_dataset(compose_config, tmp_path, caplog):
    params = tmp_path / "params.yaml"
    OmegaConf.save(compose_config(), params)
    argv = ["--params", str(params), "--dataset", str(tmp_path / "none"), "--out", str(tmp_path)]

    with caplog.at_level(logging.ERROR):
        status = load_stage("train").main(argv)
    assert status == 1
    assert "No prepared dataset" in caplog.text


def test_train_stage_missing_params(tmp_path, caplog):
    argv = ["--params", str(tmp_path / "params.yaml"), "--dataset", "d", "--out", str(tmp_path)]

    with caplog.at_level(logging.ERROR):
        status = load_stage("train").main(argv)
    assert status == 1
    assert "Parameters file not found" in caplog.text


def test_base_model_stage_missing_gguf(tmp_path, caplog):
    argv = ["--out", str(tmp_path / "out"), "--gguf", str(tmp_path / "absent.gguf")]

    with caplog.at_level(logging.ERROR):
        status = load_stage("base_model").main(argv)
    assert status == 1
    assert "GGUF file not found" in caplog.text
