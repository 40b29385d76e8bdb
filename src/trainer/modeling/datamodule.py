"""The LightningDataModule that reads the prepared dataset and serves packed token rows."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import lightning as L
from datasets import DatasetDict, load_from_disk
from torch.utils.data import DataLoader, DistributedSampler
from transformers import PreTrainedTokenizerBase

from trainer.modeling.errors import TrainingSetupError
from trainer.modeling.packing import (
    PackedRow,
    collate_rows,
    encode_examples,
    pack_examples,
    single_example_rows,
)

logger = logging.getLogger(__name__)

TRAIN_SPLIT = "train"
VALIDATION_SPLIT = "validation"


def load_dataset_dict(dataset_dir: str | Path) -> DatasetDict:
    """Load the prepared `DatasetDict`, which must have a non-empty `train` split."""
    path = Path(dataset_dir)
    if not (path / "dataset_dict.json").is_file():
        raise TrainingSetupError(
            f"No prepared dataset at {path}: run `twinchat prepare` (or the prepare stage) "
            "first, or set data.dataset_dir to its output directory."
        )
    dataset = load_from_disk(str(path))
    if TRAIN_SPLIT not in dataset or len(dataset[TRAIN_SPLIT]) == 0:
        raise TrainingSetupError(
            f"The dataset at {path} has no training examples; prepare it from a larger "
            "export or with a persona who wrote more messages."
        )
    return dataset


class DialogueDataModule(L.LightningDataModule):
    """Tokenizes the `train` and `validation` splits once and batches their packed rows.

    Two runs with the same seed see the same batches in the same order. Under DDP each
    process trains on its own share of the rows.
    """

    def __init__(
        self,
        dataset_dir: str | Path,
        tokenizer: PreTrainedTokenizerBase,
        max_seq_len: int,
        batch_size: int,
        packing: bool = True,
        num_workers: int = 0,
        seed: int = 0,
    ) -> None:
        super().__init__()
        if max_seq_len < 2 or batch_size < 1:
            raise TrainingSetupError(
                f"data.max_seq_len={max_seq_len} and data.batch_size={batch_size} must be "
                "at least 2 and 1."
            )
        self.dataset_dir = Path(dataset_dir)
        self.tokenizer = tokenizer
        self.max_seq_len = max_seq_len
        self.batch_size = batch_size
        self.packing = packing
        self.num_workers = num_workers
        self.seed = seed
        self.rows: dict[str, list[PackedRow]] = {}

    def setup(self, stage: str | None = None) -> None:
        if self.rows:
            return
        dataset = load_dataset_dict(self.dataset_dir)
        for split in (TRAIN_SPLIT, VALIDATION_SPLIT):
            examples = encode_examples(dataset.get(split, []), self.tokenizer, self.max_seq_len)
            if self.packing:
                self.rows[split] = pack_examples(examples, self.max_seq_len)
            else:
                self.rows[split] = single_example_rows(examples)
            logger.info(
                "%s: %d examples in %d rows of up to %d tokens",
                split,
                len(examples),
                len(self.rows[split]),
                self.max_seq_len,
            )

    @property
    def has_validation(self) -> bool:
        self.setup()
        return bool(self.rows[VALIDATION_SPLIT])

    def train_dataloader(self) -> DataLoader:
        # A DistributedSampler, also for one process, shuffles with seed + epoch: every epoch
        # has its own order, and a run resumed at an epoch boundary sees the batches that an
        # uninterrupted run would. Lightning keeps a DistributedSampler that it is given.
        # NOTE: a run resumed in the middle of an epoch starts that epoch's order from the
        # beginning, so it repeats the batches seen before the checkpoint.
        world_size, rank = 1, 0
        if self.trainer is not None:
            world_size, rank = self.trainer.world_size, self.trainer.global_rank
        sampler = DistributedSampler(
            self.rows[TRAIN_SPLIT], num_replicas=world_size, rank=rank, shuffle=True, seed=self.seed
        )
        return self._loader(TRAIN_SPLIT, sampler=sampler)

    def val_dataloader(self) -> DataLoader | list:
        if not self.rows[VALIDATION_SPLIT]:
            return []
        return self._loader(VALIDATION_SPLIT)

    def _loader(self, split: str, sampler: DistributedSampler | None = None) -> DataLoader:
        return DataLoader(
            self.rows[split],
            batch_size=self.batch_size,
            sampler=sampler,
            num_workers=self.num_workers,
            collate_fn=partial(collate_rows, pad_token_id=self.tokenizer.pad_token_id),
        )
