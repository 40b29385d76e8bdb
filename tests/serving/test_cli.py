"""The `twinchat token` and `twinchat chat` commands, run as a user would."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.serving.conftest import ALICE
from twinchat.cli import cli


@pytest.fixture
def runner(database_url, registry, tmp_path):
    env = {
        "DATABASE_URL": database_url,
        "MLFLOW_TRACKING_URI": registry.tracking_uri,
        "TWINCHAT_MODEL_CACHE": str(tmp_path / "model-cache"),
    }
    return CliRunner(env=env)


def create(runner, *args):
    return runner.invoke(cli, ["token", "create", "--model", ALICE, *args])


def test_token_create_prints_token(runner):
    result = create(runner, "--name", "phone")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith("tc_")
    assert "cannot be shown again" in result.stderr


def test_token_list_hides_token(runner):
    token = create(runner, "--name", "phone").stdout.strip()
    result = runner.invoke(cli, ["token", "list", "--json"])
    rows = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert token not in result.output
    assert rows[0]["name"] == "phone"
    assert rows[0]["model"] == ALICE
    assert rows[0]["state"] == "active"


def test_token_list_table(runner):
    create(runner, "--name", "phone")
    result = runner.invoke(cli, ["token", "list"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split()[:3] == ["id", "name", "model"]


def test_token_revoke(runner):
    create(runner)
    token_id = json.loads(runner.invoke(cli, ["token", "list", "--json"]).stdout)[0]["id"]
    result = runner.invoke(cli, ["token", "revoke", str(token_id)])
    listed = json.loads(runner.invoke(cli, ["token", "list", "--json"]).stdout)
    assert result.exit_code == 0, result.output
    assert listed[0]["state"] == "revoked"


def test_token_revoke_twice_says_so(runner):
    create(runner)
    token_id = json.loads(runner.invoke(cli, ["token", "list", "--json"]).stdout)[0]["id"]
    runner.invoke(cli, ["token", "revoke", str(token_id)])
    result = runner.invoke(cli, ["token", "revoke", str(token_id)])
    assert result.exit_code == 0, result.output
    assert "already revoked" in result.stdout


def test_token_revoke_unknown(runner):
    result = runner.invoke(cli, ["token", "revoke", "999"])
    assert result.exit_code == 1
    assert "no access token has id 999" in result.stderr


def test_token_bad_expiry(runner):
    result = create(runner, "--expires-in", "soon")
    assert result.exit_code == 2
    assert "invalid duration 'soon'" in result.stderr


def test_token_never_expires(runner):
    create(runner, "--expires-in", "never")
    rows = json.loads(runner.invoke(cli, ["token", "list", "--json"]).stdout)
    assert rows[0]["expires"] == "never"


def test_token_model_with_alias(runner):
    result = runner.invoke(cli, ["token", "create", "--model", f"{ALICE}@champion"])
    rows = json.loads(runner.invoke(cli, ["token", "list", "--json"]).stdout)
    assert result.exit_code == 0, result.output
    assert rows[0]["model"] == ALICE


def test_token_list_filter_with_alias(runner):
    create(runner, "--name", "phone")
    result = runner.invoke(cli, ["token", "list", "--json", "--model", f"{ALICE}@champion"])
    rows = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert [row["name"] for row in rows] == ["phone"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_chat_piped(runner):
    lines = "hello there\n/reset\nhow are you?\n/quit\nnever read\n"
    result = runner.invoke(
        cli, ["chat", "--model", ALICE, "--temperature", "0", "--max-tokens", "6"], input=lines
    )
    assert result.exit_code == 0, result.output
    replies = [line for line in result.stdout.splitlines() if line.startswith("Alice: ")]
    assert len(replies) == 2
    assert "(conversation reset)" in result.stdout


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_chat_unknown_model(runner):
    result = runner.invoke(cli, ["chat", "--model", "twinchat-nobody"], input="hi\n")
    assert result.exit_code == 1
    assert "not found" in result.stderr
