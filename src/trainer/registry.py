"""The MLflow model registry: resolve a persona model reference and fetch its artifacts.

A registered model version holds `adapter/` (or `model/` after full fine-tuning),
`tokenizer/` and `twinchat.json` inside its pyfunc model folder, under `artifacts/`.
Versions never change once registered, so a download is cached per name and version.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
CHAMPION = "champion"
CHALLENGER = "challenger"
CONFIG_FILE = "twinchat.json"
# The file that marks a finished download in the cache; a folder without it is stale.
COMPLETE_MARKER = ".complete"

_REF_PATTERN = re.compile(r"^(?P<name>[^@/]+)(?:@(?P<alias>[^@/]+)|/(?P<version>\d+))$")


class RegistryError(Exception):
    """A model reference that cannot be resolved, or a model version with missing files."""


@dataclass(frozen=True)
class ModelRef:
    """A parsed `NAME@ALIAS` or `NAME/VERSION` reference."""

    name: str
    alias: str | None = None
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.name}@{self.alias}" if self.alias else f"{self.name}/{self.version}"


@dataclass(frozen=True)
class PersonaArtifacts:
    """Local copies of one registered model version's files."""

    name: str
    version: int
    root: Path
    tokenizer_dir: Path
    config: dict[str, Any]
    adapter_dir: Path | None = None
    model_dir: Path | None = None
    run_id: str | None = None
    aliases: list[str] = field(default_factory=list)

    @property
    def base_model(self) -> str:
        """The base model's local path or hub id, as the trainer recorded it."""
        return self.config["base_model"]

    @property
    def persona(self) -> str:
        return self.config.get("persona", "")


def parse_ref(ref: str) -> ModelRef:
    """Parse `NAME@ALIAS` or `NAME/VERSION`; raise RegistryError for anything else."""
    match = _REF_PATTERN.match(ref.strip())
    if match is None:
        raise RegistryError(
            f"invalid model reference {ref!r}; use NAME@ALIAS (e.g. twinchat-mira@champion) "
            "or NAME/VERSION (e.g. twinchat-mira/3)"
        )
    version = match["version"]
    return ModelRef(match["name"], match["alias"], int(version) if version else None)


def resolve_tracking_uri(configured: str | None = None) -> str:
    """Pick the tracking URI: the configured one, else MLFLOW_TRACKING_URI, else the default."""
    return configured or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def make_client(tracking_uri: str | None = None):
    """Build an MlflowClient whose tracking store also serves as the model registry."""
    from mlflow import MlflowClient

    uri = resolve_tracking_uri(tracking_uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def resolve_version(client, ref: ModelRef):
    """Return the MLflow ModelVersion that `ref` names, or raise RegistryError."""
    from mlflow.exceptions import MlflowException

    try:
        if ref.alias is not None:
            return client.get_model_version_by_alias(ref.name, ref.alias)
        return client.get_model_version(ref.name, str(ref.version))
    except MlflowException as error:
        raise RegistryError(
            f"model {ref} not found in the registry ({error.message.rstrip('.')}). Check the "
            "name and alias in the MLflow UI (Models page) or train one with `twinchat train`"
        ) from error


def default_cache_dir() -> Path:
    """Return the folder that holds downloaded model versions (TWINCHAT_MODEL_CACHE overrides)."""
    configured = os.environ.get("TWINCHAT_MODEL_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "twinchat" / "models"


def load_persona(
    ref: str, tracking_uri: str | None = None, cache_dir: str | Path | None = None
) -> PersonaArtifacts:
    """Resolve `ref` in the registry, download that version once, and describe its files.

    `ref` is `NAME@ALIAS` or `NAME/VERSION`. An alias is resolved on every call, so a moved
    alias takes effect at once; the files of a version are downloaded only the first time.
    Raises RegistryError when the reference is invalid, unknown, or its files are incomplete.
    """
    parsed = parse_ref(ref)
    uri = resolve_tracking_uri(tracking_uri)
    version = resolve_version(make_client(uri), parsed)
    number = int(version.version)
    target = Path(cache_dir or default_cache_dir()) / _safe_name(parsed.name) / str(number)
    if not (target / COMPLETE_MARKER).exists():
        _download_version(parsed.name, number, uri, target)
    return describe_local_version(target, parsed.name, number, version.run_id, version.aliases)


def describe_local_version(
    root: Path,
    name: str,
    version: int,
    run_id: str | None = None,
    aliases: list[str] | None = None,
) -> PersonaArtifacts:
    """Build PersonaArtifacts for a downloaded model folder; raise RegistryError if incomplete."""
    files = root / "artifacts" if (root / "artifacts").is_dir() else root
    config_path = files / CONFIG_FILE
    if not config_path.is_file():
        raise RegistryError(f"model {name}/{version} has no {CONFIG_FILE} in {files}")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if "base_model" not in config:
        raise RegistryError(f"{config_path} has no base_model entry")
    adapter_dir = files / "adapter" if (files / "adapter").is_dir() else None
    model_dir = files / "model" if (files / "model").is_dir() else None
    if adapter_dir is None and model_dir is None:
        raise RegistryError(f"model {name}/{version} has neither adapter/ nor model/ in {files}")
    tokenizer_dir = files / "tokenizer"
    if not tokenizer_dir.is_dir():
        raise RegistryError(f"model {name}/{version} has no tokenizer/ in {files}")
    return PersonaArtifacts(
        name=name,
        version=version,
        root=files,
        tokenizer_dir=tokenizer_dir,
        config=config,
        adapter_dir=adapter_dir,
        model_dir=model_dir,
        run_id=run_id,
        aliases=list(aliases or []),
    )


def _download_version(name: str, version: int, tracking_uri: str, target: Path) -> None:
    """Download into a temporary sibling folder, then rename it into place."""
    import mlflow

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    logger.info("downloading model %s/%s to %s", name, version, target)
    try:
        mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{name}/{version}",
            dst_path=str(staging),
            tracking_uri=tracking_uri,
            registry_uri=tracking_uri,
        )
        (staging / COMPLETE_MARKER).touch()
        if target.exists():
            # A folder without the marker is a download that was interrupted.
            shutil.rmtree(target)
        try:
            staging.rename(target)
        except OSError:
            # Another process finished the same download first; its copy is identical.
            if not (target / COMPLETE_MARKER).exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def persona_slug(persona: str) -> str:
    """Turn a persona's name or id into the lowercase slug used in registered model names."""
    slug = re.sub(r"[^a-z0-9]+", "-", persona.casefold()).strip("-")
    return slug or "persona"
