"""Registering persona model versions, moving aliases and loading versions back."""

from __future__ import annotations

import pytest

from trainer.registration import PromotionRule, log_persona_model, promote
from trainer.registry import (
    ModelRef,
    RegistryError,
    load_persona,
    make_client,
    parse_ref,
    persona_slug,
)

DEFAULT_RULE = PromotionRule()


@pytest.fixture
def name(request) -> str:
    """A registered model name of the test's own, because the tests share one store."""
    return "twinchat-" + request.node.name.removeprefix("test_").replace("_", "-")


def register(name: str, files, score: float, tracking_uri: str, rule=DEFAULT_RULE):
    # Imported here, because the mlflow/ folder at the repository root makes isort count
    # `mlflow` as a first-party module.
    import mlflow

    with mlflow.start_run():
        version = log_persona_model(name, files)
    return promote(make_client(tracking_uri), name, version, score, rule)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("twinchat-mira@champion", ModelRef("twinchat-mira", alias="champion")),
        ("twinchat-mira/3", ModelRef("twinchat-mira", version=3)),
        (" m@challenger ", ModelRef("m", alias="challenger")),
    ],
)
def test_parse_ref_valid(ref, expected):
    assert parse_ref(ref) == expected


@pytest.mark.parametrize("ref", ["twinchat-mira", "a@b@c", "name/latest", "@champion", ""])
def test_parse_ref_invalid(ref):
    with pytest.raises(RegistryError, match="NAME@ALIAS"):
        parse_ref(ref)


def test_persona_slug_plain():
    assert persona_slug("Arlo Finch!") == "arlo-finch"


def test_first_version_becomes_champion(tracking_uri, persona_files, name):
    result = register(name, persona_files, 0.3, tracking_uri)
    assert result.champion
    assert result.previous_champion is None


def test_better_version_takes_champion(tracking_uri, persona_files, name):
    register(name, persona_files, 0.3, tracking_uri)
    result = register(name, persona_files, 0.4, tracking_uri)
    client = make_client(tracking_uri)
    assert result.champion
    assert int(client.get_model_version_by_alias(name, "champion").version) == 2
    assert int(client.get_model_version_by_alias(name, "challenger").version) == 2


def test_worse_version_stays_challenger(tracking_uri, persona_files, name):
    register(name, persona_files, 0.3, tracking_uri)
    result = register(name, persona_files, 0.2, tracking_uri)
    client = make_client(tracking_uri)
    assert not result.champion
    assert result.previous_champion == 1
    assert int(client.get_model_version_by_alias(name, "champion").version) == 1
    assert int(client.get_model_version_by_alias(name, "challenger").version) == 2


def test_lower_is_better_rule(tracking_uri, persona_files, name):
    rule = PromotionRule(metric="ppl_tuned", greater_is_better=False)
    register(name, persona_files, 20.0, tracking_uri, rule)
    assert register(name, persona_files, 18.0, tracking_uri, rule).champion


def test_nan_score_never_wins(tracking_uri, persona_files, name):
    register(name, persona_files, 0.3, tracking_uri)
    assert not register(name, persona_files, float("nan"), tracking_uri).champion


def test_load_persona_by_alias(tracking_uri, persona_files, tmp_path, name):
    register(name, persona_files, 0.3, tracking_uri)
    artifacts = load_persona(f"{name}@champion", tracking_uri, tmp_path / "cache")
    assert artifacts.version == 1
    assert artifacts.base_model == "/models/base"
    assert (artifacts.adapter_dir / "adapter_config.json").is_file()
    assert (artifacts.tokenizer_dir / "tokenizer.json").is_file()
    assert "champion" in artifacts.aliases


def test_load_persona_follows_alias(tracking_uri, persona_files, tmp_path, name):
    register(name, persona_files, 0.3, tracking_uri)
    load_persona(f"{name}@champion", tracking_uri, tmp_path / "cache")
    register(name, persona_files, 0.5, tracking_uri)
    assert load_persona(f"{name}@champion", tracking_uri, tmp_path / "cache").version == 2


def test_load_persona_by_version(tracking_uri, persona_files, tmp_path, name):
    register(name, persona_files, 0.3, tracking_uri)
    artifacts = load_persona(f"{name}/1", tracking_uri, tmp_path / "cache")
    assert artifacts.persona == "Mira"


def test_load_persona_unknown_alias(tracking_uri, persona_files, tmp_path, name):
    register(name, persona_files, 0.3, tracking_uri)
    with pytest.raises(RegistryError, match="not found"):
        load_persona(f"{name}@nightly", tracking_uri, tmp_path / "cache")


def test_load_persona_unknown_name(tracking_uri, tmp_path):
    with pytest.raises(RegistryError, match="not found"):
        load_persona("twinchat-nobody@champion", tracking_uri, tmp_path / "cache")


def test_log_persona_model_missing_file(tracking_uri, persona_files, name):
    import mlflow

    persona_files["adapter"] = persona_files["adapter"].parent / "absent"
    with mlflow.start_run(), pytest.raises(FileNotFoundError, match="adapter"):
        log_persona_model(name, persona_files)
