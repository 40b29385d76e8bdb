"""Fixtures for the modeling tests: a tiny model, a small prepared dataset, the real config."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets import Dataset, DatasetDict
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from trainer.modeling.base_model import build_tiny_model, load_tokenizer

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"

REPLIES = [
    ["sure, see you at six"],
    ["haha no way", "that's wild"],
    ["I'll bring the cake"],
    ["ok"],
    ["can't tonight, sorry", "maybe tomorrow?"],
    ["yes!"],
]


def make_row(index: int, split: str) -> dict:
    """A dataset row in the prepared-dataset format, varied by `index`."""
    context = [
        {"speaker": "Bob", "is_persona": False, "messages": [f"message {index} from Bob", "ok?"]},
        {"speaker": "Alice", "is_persona": True, "messages": ["hmm"]},
        {"speaker": "Bob", "is_persona": False, "messages": ["are you coming " * (index % 3 + 1)]},
    ]
    return {
        "example_id": f"{split}-{index}",
        "chat_id": "telegram:1",
        "session_id": f"s{index}",
        "group_chat": index % 2 == 0,
        "persona": "Alice",
        "context": context[index % 2 :],
        "target": REPLIES[index % len(REPLIES)],
        "target_ts": "2024-01-01T10:00:00",
    }


def make_dataset(train_rows: int, validation_rows: int) -> DatasetDict:
    return DatasetDict(
        {
            "train": Dataset.from_list([make_row(i, "train") for i in range(train_rows)]),
            "validation": Dataset.from_list(
                [make_row(i + 100, "validation") for i in range(validation_rows)]
            ),
        }
    )


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


@pytest.fixture
def compose_config(tiny_model_dir: Path, dataset_dir: Path, tmp_path: Path):
    """Compose the real `configs/config.yaml` for a short CPU run on the tiny model."""

    def compose_with(*overrides: str) -> DictConfig:
        defaults = [
            "trainer=cpu",
            f"model.name_or_path={tiny_model_dir}",
            f"data.dataset_dir={dataset_dir}",
            f"paths.output_dir={tmp_path / 'run'}",
            "data.max_seq_len=128",
            "data.batch_size=2",
            "trainer.max_steps=2",
            "trainer.accumulate_grad_batches=1",
            "trainer.log_every_n_steps=1",
            "trainer.enable_progress_bar=false",
            "trainer.precision=32-true",
        ]
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return compose(config_name="config", overrides=[*defaults, *overrides])

    return compose_with
