"""DVC stage `ingest`: parse the chat exports at `ingest.input` into normalized messages.

Usage: python pipelines/ingest.py [--params params.yaml]
"""

from __future__ import annotations

import sys

from twinchat.env import apply_offline_defaults

# huggingface_hub reads HF_HUB_OFFLINE when it is first imported, so set it before the stage
# modules import it.
apply_offline_defaults()

from trainer.stages import run_ingest, run_stage_script  # noqa: E402

if __name__ == "__main__":
    sys.exit(run_stage_script(run_ingest, __doc__.splitlines()[0]))
