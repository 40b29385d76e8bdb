import os

from twinchat.env import OFFLINE_DEFAULTS, apply_offline_defaults


def test_offline_defaults_set(monkeypatch):
    for name in OFFLINE_DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    apply_offline_defaults()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"
    assert os.environ["DVC_NO_ANALYTICS"] == "1"
    assert os.environ["DO_NOT_TRACK"] == "true"


def test_offline_defaults_keep_user_value(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    apply_offline_defaults()
    assert os.environ["HF_HUB_OFFLINE"] == "0"
