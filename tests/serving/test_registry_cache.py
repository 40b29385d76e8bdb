"""Resolving model references through the MLflow registry, and moving aliases."""

from __future__ import annotations

import pytest

from serving.errors import ModelNotFoundError
from serving.registry_cache import PersonaRegistry, parse_model_field
from tests.serving.conftest import ALICE, BOB


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make_registry(registry, tmp_path, ttl=0.0, clock=None) -> PersonaRegistry:
    kwargs = {"clock": clock} if clock else {}
    return PersonaRegistry(registry.tracking_uri, tmp_path / "cache", ttl, 8, **kwargs)


def test_bare_name_means_champion():
    ref = parse_model_field("twinchat-alice")
    assert (ref.name, ref.alias) == ("twinchat-alice", "champion")


def test_version_reference_parsed():
    ref = parse_model_field("twinchat-alice/3")
    assert (ref.name, ref.version) == ("twinchat-alice", 3)


def test_invalid_reference_not_found():
    with pytest.raises(ModelNotFoundError, match="NAME@ALIAS"):
        parse_model_field("a@b@c")


def test_resolve_alias(registry, tmp_path):
    persona = make_registry(registry, tmp_path).resolve(f"{ALICE}@champion")
    assert (persona.name, persona.version, persona.persona) == (ALICE, 1, "Alice")
    assert persona.adapter_dir is not None
    assert persona.base_key == str(registry.base_dir)


def test_resolve_version(registry, tmp_path):
    assert make_registry(registry, tmp_path).resolve(f"{BOB}/1").persona == "Bob"


def test_unknown_model_not_found(registry, tmp_path):
    with pytest.raises(ModelNotFoundError, match="not found"):
        make_registry(registry, tmp_path).resolve("twinchat-nobody@champion")


def test_unknown_alias_not_found(registry, tmp_path):
    with pytest.raises(ModelNotFoundError):
        make_registry(registry, tmp_path).resolve(f"{ALICE}@staging")


def test_version_loaded_once(registry, tmp_path):
    personas = make_registry(registry, tmp_path)
    assert personas.resolve(ALICE) is personas.resolve(f"{ALICE}/1")


def test_alias_move_without_restart(registry, tmp_path):
    name = "twinchat-moving"
    registry.register(name, registry.adapters[0], "Mira")
    second = registry.register(name, registry.adapters[1], "Mira", alias=None)
    personas = make_registry(registry, tmp_path, ttl=0.0)
    assert personas.resolve(name).version == 1
    registry.move_alias(name, "champion", second)
    assert personas.resolve(name).version == second


def test_alias_cached_until_ttl(registry, tmp_path):
    name = "twinchat-cached"
    registry.register(name, registry.adapters[0], "Mira")
    second = registry.register(name, registry.adapters[1], "Mira", alias=None)
    clock = FakeClock()
    personas = make_registry(registry, tmp_path, ttl=30.0, clock=clock)
    assert personas.resolve(name).version == 1
    registry.move_alias(name, "champion", second)
    clock.now = 29.0
    assert personas.resolve(name).version == 1
    clock.now = 31.0
    assert personas.resolve(name).version == second
