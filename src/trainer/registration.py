"""Log a trained persona model as an MLflow model version and move its aliases.

Promotion rule: every new version gets the alias `challenger`. It also gets `champion`
when no version has it yet, or when its promotion metric beats the champion's by more
than `min_delta`. The metric (default `ppl_reduction`, the relative drop of validation
perplexity from the base model to the tuned model) is stored on each version as the tags
`twinchat.metric` and `twinchat.score`. A relative drop is compared because each version
is evaluated on its own validation split, so raw perplexities of two versions are not
measured on the same text. A champion without a score for the same metric is replaced.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from trainer.registry import CHALLENGER, CHAMPION

logger = logging.getLogger(__name__)

METRIC_TAG = "twinchat.metric"
SCORE_TAG = "twinchat.score"
# The wrapper logged as "model from code"; MLflow copies this file into each version.
PYFUNC_MODEL_FILE = Path(__file__).with_name("pyfunc.py")
# Exact pins of what loading and running the wrapper imports, recorded with every version.
REQUIRED_PACKAGES = ("torch", "transformers", "peft", "safetensors", "mlflow", "accelerate")


def pip_requirements() -> list[str]:
    """Return `name==version` pins of the installed packages the pyfunc wrapper needs."""
    return [f"{name}=={metadata.version(name)}" for name in REQUIRED_PACKAGES]


@dataclass(frozen=True)
class PromotionRule:
    """Which evaluation metric decides promotion, and in which direction."""

    metric: str = "ppl_reduction"
    greater_is_better: bool = True
    min_delta: float = 0.0

    def beats(self, candidate: float, champion: float) -> bool:
        """Tell whether `candidate` is better than `champion` by more than `min_delta`."""
        if math.isnan(candidate):
            return False
        if self.greater_is_better:
            return candidate > champion + self.min_delta
        return candidate < champion - self.min_delta


@dataclass(frozen=True)
class Registration:
    """The outcome of registering one model version."""

    name: str
    version: int
    score: float
    champion: bool
    previous_champion: int | None


def log_persona_model(
    name: str, files: dict[str, Path], artifact_name: str = "persona_model"
) -> int:
    """Log the files as a pyfunc model in the active run, register it, return the version.

    `files` maps artifact names (`adapter` or `model`, `tokenizer`, `twinchat.json`) to local
    paths; they land under `artifacts/` in the model version.
    """
    import mlflow

    missing = [key for key, path in files.items() if not Path(path).exists()]
    if missing:
        raise FileNotFoundError(f"cannot register {name}: missing {', '.join(missing)}")
    info = mlflow.pyfunc.log_model(
        name=artifact_name,
        python_model=str(PYFUNC_MODEL_FILE),
        artifacts={key: str(path) for key, path in files.items()},
        pip_requirements=pip_requirements(),
        registered_model_name=name,
    )
    version = int(info.registered_model_version)
    logger.info("registered %s version %d (logged model %s)", name, version, info.model_id)
    return version


def champion_score(client, name: str, rule: PromotionRule) -> tuple[int, float] | None:
    """Return the champion's version and score, or None when there is no champion.

    A champion without a score for `rule.metric` gets NaN, and any new version replaces it.
    """
    from mlflow.exceptions import MlflowException

    try:
        champion = client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        return None
    tags = champion.tags or {}
    if tags.get(METRIC_TAG) != rule.metric or SCORE_TAG not in tags:
        return int(champion.version), math.nan
    return int(champion.version), float(tags[SCORE_TAG])


def promote(client, name: str, version: int, score: float, rule: PromotionRule) -> Registration:
    """Tag `version` with its score, make it the challenger, and the champion if it wins."""
    client.set_model_version_tag(name, str(version), METRIC_TAG, rule.metric)
    client.set_model_version_tag(name, str(version), SCORE_TAG, repr(float(score)))
    client.set_registered_model_alias(name, CHALLENGER, str(version))
    current = champion_score(client, name, rule)
    if current is None:
        wins, previous = True, None
    else:
        previous, previous_score = current
        wins = math.isnan(previous_score) or rule.beats(score, previous_score)
    if wins:
        client.set_registered_model_alias(name, CHAMPION, str(version))
        logger.info(
            "%s version %d is the new champion (%s=%.4f)", name, version, rule.metric, score
        )
    else:
        logger.info(
            "%s version %d stays challenger: %s=%.4f does not beat champion version %s",
            name,
            version,
            rule.metric,
            score,
            previous,
        )
    return Registration(name, version, float(score), wins, previous)
