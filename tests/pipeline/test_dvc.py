"""dvc.yaml against the Hydra composition of configs/ that `dvc exp run` writes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
INTERPOLATION = re.compile(r"\$\{([^}]+)\}")
STAGES = ["base_model", "ingest", "prepare", "train", "evaluate", "register"]


@pytest.fixture(scope="module")
def composed(tmp_path_factory) -> dict:
    """params.yaml as `dvc exp run` composes it from configs/ with no overrides."""
    from dvc.utils.hydra import compose_and_dump

    out = tmp_path_factory.mktemp("params") / "params.yaml"
    compose_and_dump(str(out), str(REPO_ROOT / "configs"), None, "config", "", [])
    return yaml.safe_load(out.read_text())


@pytest.fixture(scope="module")
def pipeline() -> dict:
    return yaml.safe_load((REPO_ROOT / "dvc.yaml").read_text())


def lookup(params: dict, dotted: str):
    value = params
    for key in dotted.split("."):
        value = value[key]
    return value


def test_dvc_stages_in_order(pipeline):
    assert list(pipeline["stages"]) == STAGES


def test_dvc_params_exist(pipeline, composed):
    missing = []
    for name, stage in pipeline["stages"].items():
        for param in stage.get("params", []):
            try:
                lookup(composed, param)
            except KeyError:
                missing.append(f"{name}: {param}")
    assert missing == []


def test_dvc_interpolations_resolve(pipeline, composed):
    text = (REPO_ROOT / "dvc.yaml").read_text()
    unresolved = []
    for key in INTERPOLATION.findall(text):
        try:
            lookup(composed, key)
        except KeyError:
            unresolved.append(key)
    assert unresolved == []


def test_committed_params_have_stage_keys(pipeline):
    committed = yaml.safe_load((REPO_ROOT / "params.yaml").read_text())
    missing = []
    for stage in pipeline["stages"].values():
        for param in stage.get("params", []):
            try:
                lookup(committed, param)
            except KeyError:
                missing.append(param)
    assert missing == [], "params.yaml is stale: recompose it with `dvc exp run` (see docs)"


def test_dvc_stage_list_parses(tmp_path, composed):
    shutil.copy(REPO_ROOT / "dvc.yaml", tmp_path / "dvc.yaml")
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(composed))
    dvc = [sys.executable, "-m", "dvc"]
    subprocess.run([*dvc, "init", "--no-scm", "-q"], cwd=tmp_path, check=True)
    listed = subprocess.run(
        [*dvc, "stage", "list", "--name-only"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    assert listed.stdout.split() == STAGES
