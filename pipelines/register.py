"""DVC stage `register`: register the adapter as a model version and move its aliases.

Usage: python pipelines/register.py [--params params.yaml]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from twinchat.env import apply_offline_defaults

logger = logging.getLogger("pipelines.register")


def main(argv: list[str] | None = None) -> int:
    apply_offline_defaults()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)

    from trainer.evaluation.run import EvaluationError
    from trainer.registry import RegistryError
    from trainer.stages import StageError, load_params, run_register

    try:
        run_register(load_params(args.params))
    except (StageError, EvaluationError, RegistryError) as error:
        logger.error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
