"""`twinchat train` argument handling; the full run is in test_end_to_end.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from trainer.cli import train
from trainer.config import ConfigError, compose_config

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("lora.rr=3", "Could not override 'lora.rr'"),
        ("lora=missing", "Could not find 'lora/missing'; available: default"),
        ("experiment=missing", "Could not find 'experiment/missing'"),
        ("lora.r", "Error parsing override 'lora.r'"),
        ("trainer.max_steps=${missing}", "Interpolation key 'missing' not found"),
    ],
)
def test_train_bad_override_exit_code(override, message):
    result = CliRunner().invoke(train, [f"--config-dir={CONFIG_DIR}", override])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_train_stage_order_rejected():
    result = CliRunner().invoke(
        train, [f"--config-dir={CONFIG_DIR}", "--from=register", "--to=train"]
    )
    assert result.exit_code == 2
    assert "comes after" in result.output


def test_train_missing_config_dir(tmp_path):
    result = CliRunner().invoke(train, [f"--config-dir={tmp_path}"])
    assert result.exit_code == 2
    assert "config.yaml not found" in result.output


def test_train_prints_config():
    result = CliRunner().invoke(train, [f"--config-dir={CONFIG_DIR}", "--cfg", "lora.r=32"])
    assert result.exit_code == 0
    assert "r: 32" in result.output


def test_compose_demo_experiment():
    cfg = compose_config(["experiment=demo"], CONFIG_DIR)
    assert cfg.trainer.max_steps == 60
    assert cfg.prepare.persona_ids == ["user7700001"]


def test_compose_resolves_paths():
    cfg = compose_config(["paths.root_dir=/srv/twinchat"], CONFIG_DIR)
    assert cfg.logger.run_file == "/srv/twinchat/models/train/mlflow_run.json"
    assert cfg.eval.out_dir == "/srv/twinchat/evaluation"


def test_compose_rejects_unknown_key():
    with pytest.raises(ConfigError, match="not in struct"):
        compose_config(["eval.unknown=1"], CONFIG_DIR)


def test_ingest_missing_input(tmp_path):
    args = [f"--config-dir={CONFIG_DIR}", f"paths.root_dir={tmp_path}", "--to=ingest"]
    result = CliRunner().invoke(train, args)
    assert result.exit_code == 1
    assert "ingest.input" in result.output
    assert "not found" in result.output
