"""MLflow tracking for pipeline runs: one MLflow run per trained model, shared by the stages.

The `train` stage's Lightning logger creates the run and records its id in
`<paths.output_dir>/mlflow_run.json`, next to the adapter. That file travels with the
trained weights (DVC caches and restores them together), so the `evaluate` and `register`
stages, which run as separate processes, log into the run that produced those weights.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lightning.pytorch.loggers import MLFlowLogger

from trainer.registry import resolve_tracking_uri

logger = logging.getLogger(__name__)

RUN_FILE = "mlflow_run.json"
DATASET_HASH_TAG = "twinchat.dataset_hash"
GIT_COMMIT_TAG = "twinchat.git_commit"
PERSONA_TAG = "twinchat.persona"
# MLflow rejects longer parameter values (mlflow.utils.validation.MAX_PARAM_VAL_LENGTH, 3.17).
MAX_PARAM_LENGTH = 6000


def artifact_location_uri(path: str | Path | None) -> str | None:
    """Turn a local artifact folder into the absolute `file://` URI MLflow stores."""
    if path is None:
        return None
    text = str(path)
    if "://" in text:
        return text
    return Path(text).resolve().as_uri()


class PipelineMLFlowLogger(MLFlowLogger):
    """Lightning's MLFlowLogger that resolves the tracking URI like the rest of twinchat.

    A null `tracking_uri` means MLFLOW_TRACKING_URI, else `sqlite:///mlflow.db`. When
    `run_file` is set, the run id is written there once the run exists. A given `run_id`
    continues that run instead of creating one.
    """

    def __init__(
        self,
        run_file: str | None = None,
        tracking_uri: str | None = None,
        artifact_location: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            tracking_uri=resolve_tracking_uri(tracking_uri),
            artifact_location=artifact_location_uri(artifact_location),
            **kwargs,
        )
        self._run_file = Path(run_file) if run_file else None

    def log_hyperparams(self, params: Any) -> None:
        super().log_hyperparams(params)
        self.write_run_file()

    def write_run_file(self) -> None:
        """Record the run id and tracking URI for the later stages."""
        if self._run_file is None:
            return
        write_run_file(self._run_file, self.run_id, self._tracking_uri)


def write_run_file(path: Path, run_id: str, tracking_uri: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"run_id": run_id, "tracking_uri": tracking_uri}, indent=1) + "\n")


def read_run_id(path: Path) -> str | None:
    """Return the run id recorded in `path`, or None when the file does not exist."""
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get("run_id")


def flatten_params(values: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten nested config values into `a.b.c` keys with string values MLflow accepts."""
    flat: dict[str, str] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_params(value, f"{name}."))
        else:
            flat[name] = str(value)[:MAX_PARAM_LENGTH]
    return flat


def dataset_hash(dataset_dir: str | Path) -> str:
    """Hash every file under the saved dataset (names and bytes), in a stable order."""
    root = Path(dataset_dir)
    digest = hashlib.sha256()
    for path in sorted(item for item in root.rglob("*") if item.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def git_commit(cwd: str | Path = ".") -> str | None:
    """Return HEAD's commit id, with `-dirty` when tracked files changed; None outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}-dirty" if status else commit


def prepare_experiment(experiment_name: str, artifact_location: str | None) -> str:
    """Create the experiment if needed, with artifacts under `artifact_location`; return its id."""
    import mlflow

    experiment = mlflow.get_experiment_by_name(experiment_name)
    if experiment is not None:
        return experiment.experiment_id
    return mlflow.create_experiment(
        experiment_name, artifact_location=artifact_location_uri(artifact_location)
    )


@contextmanager
def pipeline_run(
    logger_cfg: Mapping[str, Any] | None,
    run_file: Path,
    params: Mapping[str, Any] | None = None,
) -> Iterator[Any]:
    """Continue the run recorded in `run_file`, or start one and record it there.

    A new run logs `params` flattened, because no training logger logged them. The
    tracking URI, experiment and artifact folder come from the `logger` config group.
    """
    import mlflow

    logger_cfg = logger_cfg or {}
    tracking_uri = resolve_tracking_uri(logger_cfg.get("tracking_uri"))
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    run_id = read_run_id(run_file)
    if run_id is not None:
        with mlflow.start_run(run_id=run_id) as run:
            yield run
        return
    experiment_id = prepare_experiment(
        logger_cfg.get("experiment_name", "twinchat"), logger_cfg.get("artifact_location")
    )
    with mlflow.start_run(experiment_id=experiment_id, run_name=logger_cfg.get("run_name")) as run:
        write_run_file(run_file, run.info.run_id, tracking_uri)
        if params:
            mlflow.log_params(flatten_params(params))
        yield run


def tracking_errors() -> tuple[type[Exception], ...]:
    """Return the exception types of a failed MLflow request (an unreachable server, say)."""
    from mlflow.exceptions import MlflowException

    return (MlflowException,)


def active_tracking_uri() -> str:
    """Return the tracking URI that `pipeline_run` set for this process."""
    import mlflow

    return mlflow.get_tracking_uri()


def log_evaluation(evaluation: Any, dataset_dir: str | Path, params: Mapping[str, Any]) -> None:
    """Log an evaluation into the active run: provenance tags, metrics and its files.

    Tags: the git commit, the prepared dataset's hash and the persona. Metrics: every
    finite number of `metrics.json` as `eval/<key>`. Artifacts: the evaluation folder under
    `evaluation/` and the composed config as `config/params.yaml`.
    """
    import mlflow

    tags = {PERSONA_TAG: evaluation.persona}
    commit = git_commit()
    if commit:
        tags[GIT_COMMIT_TAG] = commit
    if Path(dataset_dir).is_dir():
        tags[DATASET_HASH_TAG] = dataset_hash(dataset_dir)
    mlflow.set_tags(tags)
    numbers = {
        f"eval/{key}": float(value)
        for key, value in evaluation.metrics.items()
        if isinstance(value, int | float) and math.isfinite(value)
    }
    mlflow.log_metrics(numbers)
    mlflow.log_artifacts(str(evaluation.out_dir), artifact_path="evaluation")
    mlflow.log_dict(dict(params), "config/params.yaml")
