"""Fixtures shared by every test: offline defaults and the location of shared export files."""

from pathlib import Path

import pytest

from twinchat.env import apply_offline_defaults

apply_offline_defaults()

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The folder of real export files beside the checkout; tests skip when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} is absent; it holds the real export fixtures")
    return SHARED_DIR
