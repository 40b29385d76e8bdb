"""DVC stage `evaluate`: score the tuned model against its base model and log the report to MLflow.

Usage: python pipelines/evaluate.py [--params params.yaml]
"""

from __future__ import annotations

import sys

from twinchat.env import apply_offline_defaults

# huggingface_hub reads HF_HUB_OFFLINE when it is first imported, so set it before the stage
# modules import it.
apply_offline_defaults()

from trainer.evaluation.run import EvaluationError  # noqa: E402
from trainer.registry import RegistryError  # noqa: E402
from trainer.stages import run_evaluate, run_stage_script  # noqa: E402

if __name__ == "__main__":
    sys.exit(
        run_stage_script(run_evaluate, __doc__.splitlines()[0], (EvaluationError, RegistryError))
    )
