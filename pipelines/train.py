"""DVC stage `train`: fine-tune the base model on the prepared dataset.

Usage: python pipelines/train.py --params params.yaml --dataset data/processed/dataset
                                 --out models/train [--base-model DIR]

Parameters come from `params.yaml`, which `dvc exp run` composes from `configs/`; the paths
given as arguments replace `data.dataset_dir`, `paths.output_dir` and `model.name_or_path`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from twinchat.env import apply_offline_defaults

logger = logging.getLogger("pipelines.train")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--params", type=Path, default=Path("params.yaml"), help="composed parameters file"
    )
    parser.add_argument(
        "--dataset", type=Path, required=True, help="prepared DatasetDict directory"
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="directory for the adapter and metrics"
    )
    parser.add_argument(
        "--base-model",
        default=None,
        help="base model directory or hub id (default: model.name_or_path from the parameters)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    apply_offline_defaults()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parse_args(argv)
    if not args.params.is_file():
        logger.error(
            "Parameters file not found: %s. Run `dvc exp run` or pass --params.", args.params
        )
        return 1

    from omegaconf import OmegaConf

    from trainer.modeling.errors import TrainingSetupError
    from trainer.modeling.train import train

    cfg = OmegaConf.load(args.params)
    cfg.data.dataset_dir = str(args.dataset)
    cfg.paths.output_dir = str(args.out)
    if args.base_model:
        cfg.model.name_or_path = str(args.base_model)
    try:
        result = train(cfg)
    except TrainingSetupError as error:
        logger.error("%s", error)
        return 1
    logger.info("Trained model written to %s", result.model_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
