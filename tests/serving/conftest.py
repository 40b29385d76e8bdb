"""Fixtures for the serving tests: a registry of tiny persona models and a chat service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from serving.service import ChatService, build_service
from serving.settings import SamplingParams, ServingSettings
from tests.datastore.databases import DATABASE_BACKENDS, temporary_database_url
from tests.serving.registry import ScratchRegistry, create_registry
from twinchat.env import apply_offline_defaults

apply_offline_defaults()

ALICE = "twinchat-alice"
BOB = "twinchat-bob"
CARA = "twinchat-cara"
# Greedy decoding without repetition controls, so replies depend only on model and prompt.
GREEDY = SamplingParams(
    temperature=0.0, max_new_tokens=12, repetition_penalty=1.0, no_repeat_ngram_size=0
)


@pytest.fixture(scope="package", autouse=True)
def single_thread_torch() -> Iterator[None]:
    """Run torch on one thread: on a loaded 2-core machine, two threads on a tiny model
    spin-wait for each other and run about ten times slower."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> ScratchRegistry:
    """Alice, Bob and Cara, one version each with the alias champion, on the tiny model."""
    registry = create_registry(tmp_path_factory.mktemp("registry"))
    registry.register(ALICE, registry.adapters[0], "Alice")
    registry.register(BOB, registry.adapters[1], "Bob")
    registry.register(CARA, registry.adapters[2], "Cara")
    return registry


@pytest.fixture
def settings(registry: ScratchRegistry, tmp_path: Path) -> ServingSettings:
    return ServingSettings(
        tracking_uri=registry.tracking_uri,
        model_cache_dir=tmp_path / "model-cache",
        alias_ttl_s=0.0,
        max_batch_size=8,
        batch_wait_ms=50.0,
        max_adapters=4,
        sampling=GREEDY,
    )


@pytest.fixture
def service(settings: ServingSettings) -> Iterator[ChatService]:
    with build_service(settings) as service:
        yield service


@pytest.fixture(params=DATABASE_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on each backend."""
    with temporary_database_url(request.param, tmp_path) as url:
        yield url
