"""DVC stage `prepare`: build the persona's dialogue dataset from normalized messages.

Usage: python pipelines/prepare.py --params params.yaml --messages data/interim/messages.jsonl
                                   --out data/processed

Writes OUT/dataset/ (a DatasetDict with splits train and validation), OUT/preview.jsonl and
OUT/stats.json, replacing OUT atomically. Parameters come from the `prepare` section of the
composed params.yaml; the paths come from the arguments. Keys and defaults:

    prepare:
      persona_ids: []             # author ids of the persona (aliases); required unless
      persona_name: null          #   persona_name picks exactly one author by display name
      session_gap_seconds: 3600   # a longer silence starts a new session
      burst_gap_seconds: 600      # max silence inside one speaker's burst of messages
      context_max_tokens: 512     # token budget of the context before each target
      context_max_turns: 16       # max speaker turns in the context
      target_max_tokens: 256      # a target keeps its leading messages within this budget
      require_reply: true         # only persona bursts that reply to someone become targets
      val_share: 0.1              # share of examples, from the latest sessions, for validation
      preview_examples: 20        # rows written to preview.jsonl
      drop_forwarded: true        # drop forwarded messages
      drop_bots: true             # drop messages of bots and of bot_author_ids
      bot_author_ids: []          # authors to treat as bots
      drop_link_only: true        # drop messages that are only links
      drop_duplicates: true       # drop repeated records and repeated long texts
      max_message_chars: 2000     # longer messages are pastes and dropped; 0 keeps all
      keep_scripts: []            # e.g. [latin]: drop messages mostly in other scripts
      min_script_share: 0.5       # share of letters that must be in keep_scripts
      tokenizer: null             # local tokenizer folder for exact counts; null estimates
      redact:                     # false or true switches every rule; a mapping, single ones
        email: true
        phone: true
        card: true
        iban: true
        ip: true
        secret: true
        code: true
        name: true
        persona_name: false       # also replace the persona's own name
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from twinchat.env import apply_offline_defaults

logger = logging.getLogger("pipelines.prepare")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--params", type=Path, default=Path("params.yaml"), help="composed parameters file"
    )
    parser.add_argument(
        "--messages",
        type=Path,
        nargs="+",
        required=True,
        help="normalized messages (JSONL from `twinchat ingest`) or chat exports",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for dataset/, preview.jsonl, stats.json"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    apply_offline_defaults()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parse_args(argv)

    from trainer.dataset import PrepareConfig, PrepareError, run_prepare
    from trainer.dataset.config import read_prepare_section

    try:
        config = PrepareConfig.from_mapping(read_prepare_section(args.params))
        result = run_prepare(args.messages, args.out, config, progress=sys.stderr.isatty())
    except PrepareError as error:
        logger.error("%s", error)
        return 2
    for warning in result.warnings:
        logger.warning("%s", warning)
    examples = result.stats["examples"]
    logger.info(
        "wrote %d train and %d validation examples to %s",
        examples["train"],
        examples["validation"],
        args.out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
