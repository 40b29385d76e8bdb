import dataclasses
import re
from pathlib import Path

import pytest

from trainer.dataset.config import (
    PrepareConfig,
    PrepareError,
    apply_assignments,
    read_prepare_section,
)


def test_config_defaults() -> None:
    config = PrepareConfig.from_mapping({})
    assert config.session_gap_seconds == 3600
    assert config.val_share == 0.1
    assert config.redact.phone is True
    assert config.redact.persona_name is False


def test_config_converts_values() -> None:
    config = PrepareConfig.from_mapping(
        {"persona_ids": "user1", "session_gap_seconds": 60, "context_max_tokens": 100.0}
    )
    assert config.persona_ids == ("user1",)
    assert config.session_gap_seconds == 60.0
    assert config.context_max_tokens == 100


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"session_gap_seconds": -5}, "invalid session_gap_seconds: -5.0"),
        ({"session_gap_seconds": 0}, "invalid session_gap_seconds"),
        ({"burst_gap_seconds": -1}, "invalid burst_gap_seconds"),
        ({"val_share": 1.5}, "invalid val_share: 1.5"),
        ({"val_share": -0.1}, "invalid val_share"),
        ({"val_share": 1}, "invalid val_share"),
        ({"context_max_tokens": 0}, "invalid context_max_tokens"),
        ({"context_max_tokens": 1.5}, "expected a whole number"),
        ({"target_max_tokens": "many"}, "expected a number"),
        ({"max_message_chars": -1}, "invalid max_message_chars"),
        ({"keep_scripts": ["klingon"]}, "invalid keep_scripts: 'klingon'"),
        ({"min_script_share": 0}, "invalid min_script_share"),
        ({"require_reply": "yes"}, "expected true or false"),
        ({"persona_ids": [1]}, "expected a list of strings"),
        ({"session_gap": 60}, "unknown parameter prepare.session_gap"),
        ({"redact": {"emails": False}}, "unknown parameter prepare.redact.emails"),
        ({"redact": {"email": "no"}}, "invalid redact.email"),
        ({"redact": ["email"]}, "invalid prepare.redact: ['email']"),
        ({"redact": "yes-please"}, "invalid prepare.redact: 'yes-please'"),
        ({"redact": 1}, "invalid prepare.redact: 1"),
        ({"tokenizer": ""}, "invalid tokenizer"),
    ],
)
def test_config_rejects(values: dict, message: str) -> None:
    with pytest.raises(PrepareError, match=re.escape(message)):
        PrepareConfig.from_mapping(values)


def test_config_overrides_validated() -> None:
    with pytest.raises(PrepareError, match="invalid val_share"):
        PrepareConfig().with_overrides(val_share=2)


def test_read_prepare_section(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("train:\n  lr: 1\nprepare:\n  val_share: 0.2\n")
    assert read_prepare_section(params) == {"val_share": 0.2}


def test_read_prepare_section_bare_mapping(tmp_path: Path) -> None:
    params = tmp_path / "prepare.yaml"
    params.write_text("val_share: 0.3\n")
    assert read_prepare_section(params) == {"val_share": 0.3}


def test_read_prepare_section_invalid_yaml(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("prepare: [unclosed\n")
    with pytest.raises(PrepareError, match="not valid YAML"):
        read_prepare_section(params)


def test_read_prepare_section_missing(tmp_path: Path) -> None:
    with pytest.raises(PrepareError, match="cannot read the parameters file"):
        read_prepare_section(tmp_path / "absent.yaml")


def test_apply_assignments_nested() -> None:
    values = apply_assignments({"val_share": 0.1}, ["redact.phone=false", "val_share=0.25"])
    assert values == {"val_share": 0.25, "redact": {"phone": False}}


def test_apply_assignments_rejects_bare_name() -> None:
    with pytest.raises(PrepareError, match="write it as NAME=VALUE"):
        apply_assignments({}, ["val_share"])


def test_config_redact_false_all_off() -> None:
    config = PrepareConfig.from_mapping({"redact": False})
    switches = dataclasses.asdict(config.redact)
    assert not any(switches.values())


def test_config_redact_true_all_on() -> None:
    config = PrepareConfig.from_mapping({"redact": True})
    switches = dataclasses.asdict(config.redact)
    assert switches.pop("persona_name") is False
    assert all(switches.values())


def test_config_redact_error_lists_forms() -> None:
    with pytest.raises(PrepareError) as error:
        PrepareConfig.from_mapping({"redact": "yes-please"})
    assert "true (every rule on), false (every rule off) or a mapping" in str(error.value)
    assert "email, phone" in str(error.value)


def test_apply_assignments_redact_false() -> None:
    values = apply_assignments({"redact": {"email": True}}, ["redact=false"])
    config = PrepareConfig.from_mapping(values)
    assert config.redact.email is False
    assert config.redact.name is False


def test_apply_assignments_redact_false_then_rule() -> None:
    values = apply_assignments({}, ["redact=false", "redact.email=true"])
    config = PrepareConfig.from_mapping(values)
    assert config.redact.email is True
    assert config.redact.phone is False


def test_apply_assignments_rule_over_invalid_redact() -> None:
    with pytest.raises(PrepareError, match=r"invalid prepare\.redact"):
        apply_assignments({"redact": ["email"]}, ["redact.phone=false"])
