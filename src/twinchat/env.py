"""Process-wide defaults that keep every tool offline and silent."""

import os

# Each variable stops one library from reaching the network: the Hugging Face hub,
# MLflow's telemetry and DVC's analytics. A value the user has set wins.
OFFLINE_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "DVC_NO_ANALYTICS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    # MLflow's download progress bars would flood the logs of long-running services.
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}


def apply_offline_defaults() -> None:
    """Set the offline and no-telemetry variables unless the environment already has them."""
    for name, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
