"""DVC stage `ingest`: parse the chat exports at `ingest.input` into normalized messages.

Usage: python pipelines/ingest.py [--params params.yaml]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from twinchat.env import apply_offline_defaults

logger = logging.getLogger("pipelines.ingest")


def main(argv: list[str] | None = None) -> int:
    apply_offline_defaults()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)

    from trainer.stages import StageError, load_params, run_ingest

    try:
        run_ingest(load_params(args.params))
    except StageError as error:
        logger.error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
