"""Resolving `NAME@ALIAS` and `NAME/VERSION` to loaded persona versions, with caching.

A version's files never change, so a loaded version stays in an LRU. An alias can move at
any time, so its resolution is reused for `alias_ttl_s` seconds only. After that, the next
request queries the registry again and gets the new version without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from serving.errors import ModelLoadError, ModelNotFoundError
from serving.personas import LoadedPersona, load_persona_version
from trainer.registry import (
    CHAMPION,
    ModelRef,
    RegistryError,
    load_persona,
    make_client,
    parse_ref,
    resolve_version,
)

logger = logging.getLogger(__name__)


def parse_model_field(text: str) -> ModelRef:
    """Parse a request's model: `NAME`, `NAME@ALIAS` or `NAME/VERSION`; NAME means NAME@champion."""
    text = text.strip()
    if text and "@" not in text and "/" not in text:
        text = f"{text}@{CHAMPION}"
    try:
        return parse_ref(text)
    except RegistryError as error:
        raise ModelNotFoundError(str(error)) from error


@dataclass
class _AliasEntry:
    version: int
    expires_at: float


class PersonaRegistry:
    """Thread-safe access to registered persona versions."""

    def __init__(
        self,
        tracking_uri: str | None = None,
        cache_dir: Path | None = None,
        alias_ttl_s: float = 5.0,
        max_personas: int = 64,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tracking_uri = tracking_uri
        self.cache_dir = cache_dir
        self.alias_ttl_s = alias_ttl_s
        self.max_personas = max_personas
        self.clock = clock
        self._aliases: dict[tuple[str, str], _AliasEntry] = {}
        self._versions: OrderedDict[tuple[str, int], LoadedPersona] = OrderedDict()
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._client = None

    def resolve(self, model: str) -> LoadedPersona:
        """Return the loaded version that `model` names now.

        Raises ModelNotFoundError when the name, alias or version is unknown or its files
        are incomplete.
        """
        ref = parse_model_field(model)
        version = ref.version if ref.version is not None else self._alias_version(ref)
        return self._loaded(ref.name, version)

    def _alias_version(self, ref: ModelRef) -> int:
        key = (ref.name, ref.alias or CHAMPION)
        now = self.clock()
        with self._lock:
            entry = self._aliases.get(key)
            if entry is not None and entry.expires_at > now:
                return entry.version
        try:
            found = int(resolve_version(self._registry_client(), ref).version)
        except RegistryError as error:
            raise ModelNotFoundError(str(error)) from error
        with self._lock:
            previous = self._aliases.get(key)
            if previous is not None and previous.version != found:
                logger.info(
                    "alias %s@%s moved from version %d to %d", *key, previous.version, found
                )
            self._aliases[key] = _AliasEntry(found, now + self.alias_ttl_s)
        return found

    def _loaded(self, name: str, version: int) -> LoadedPersona:
        key = (name, version)
        with self._lock:
            found = self._versions.get(key)
            if found is not None:
                self._versions.move_to_end(key)
                return found
        with self._load_lock:
            with self._lock:
                found = self._versions.get(key)
            if found is None:
                found = self._load(name, version)
            with self._lock:
                self._versions[key] = found
                self._versions.move_to_end(key)
                while len(self._versions) > self.max_personas:
                    self._versions.popitem(last=False)
        return found

    def _load(self, name: str, version: int) -> LoadedPersona:
        try:
            artifacts = load_persona(f"{name}/{version}", self.tracking_uri, self.cache_dir)
        except RegistryError as error:
            raise ModelNotFoundError(str(error)) from error
        try:
            persona = load_persona_version(artifacts)
        except (OSError, ValueError) as error:
            raise ModelLoadError(f"model {name}/{version} could not be loaded: {error}") from error
        logger.info("loaded model %s/%d (base %s)", name, version, persona.base_key)
        return persona

    def _registry_client(self):
        if self._client is None:
            self._client = make_client(self.tracking_uri)
        return self._client
