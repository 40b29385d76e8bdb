"""Persona dialogue datasets: sessions, context windows, filters, redaction and splits.

Nothing here imports torch, and `datasets` is imported only when a dataset is written.
"""

from trainer.dataset.build import PrepareResult, prepare_dataset, run_prepare
from trainer.dataset.config import PrepareConfig, PrepareError, RedactConfig

__all__ = [
    "PrepareConfig",
    "PrepareError",
    "PrepareResult",
    "RedactConfig",
    "prepare_dataset",
    "run_prepare",
]
