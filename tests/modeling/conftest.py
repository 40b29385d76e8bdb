"""Fixtures for the modeling tests: a tiny model, a small prepared dataset, the real config."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

from tests.modeling.samples import make_dataset
from trainer.modeling.base_model import build_tiny_model, load_tokenizer

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"


def logger_in_defaults() -> bool:
    defaults = OmegaConf.load(CONFIG_DIR / "config.yaml").get("defaults", [])
    return any(isinstance(entry, DictConfig) and "logger" in entry for entry in defaults)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_model_dir: Path):
    return load_tokenizer(tiny_model_dir)


@pytest.fixture(scope="session")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dataset") / "dataset"
    make_dataset(train_rows=24, validation_rows=6).save_to_disk(str(path))
    return path


def compose_run_config(
    model_dir: Path, dataset_dir: Path, output_dir: Path, *overrides: str
) -> DictConfig:
    """Compose the real `configs/config.yaml` for a two-step CPU run on the tiny model."""
    defaults = [
        "trainer=cpu",
        f"model.name_or_path={model_dir}",
        f"data.dataset_dir={dataset_dir}",
        f"paths.output_dir={output_dir}",
        "data.max_seq_len=128",
        "data.batch_size=2",
        "trainer.max_steps=2",
        "trainer.accumulate_grad_batches=1",
        "trainer.log_every_n_steps=1",
        "trainer.enable_progress_bar=false",
        "trainer.precision=32-true",
    ]
    # MLflow logging is tested with the registry, so these runs log to CSV files instead.
    if logger_in_defaults():
        defaults.append("~logger")
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="config", overrides=[*defaults, *overrides])


@pytest.fixture
def compose_config(tiny_model_dir: Path, dataset_dir: Path, tmp_path: Path):
    """A function that composes the run config with extra overrides, output under tmp_path."""

    def compose_with(*overrides: str) -> DictConfig:
        return compose_run_config(tiny_model_dir, dataset_dir, tmp_path / "run", *overrides)

    return compose_with


@pytest.fixture(scope="session")
def trained(tiny_model_dir: Path, dataset_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """One two-step LoRA run shared by the tests that only read its outputs."""
    from trainer.modeling.train import train

    output_dir = tmp_path_factory.mktemp("trained") / "run"
    return train(compose_run_config(tiny_model_dir, dataset_dir, output_dir))
