"""Dataset rows in the prepared-dataset format, built in code for the modeling tests."""

from __future__ import annotations

from datasets import Dataset, DatasetDict

REPLIES = [
    ["sure, see you at six"],
    ["haha no way", "that's wild"],
    ["I'll bring the cake"],
    ["ok"],
    ["can't tonight, sorry", "maybe tomorrow?"],
    ["yes!"],
]


def make_row(index: int, split: str) -> dict:
    """A dataset row in the prepared-dataset format, varied by `index`."""
    context = [
        {"speaker": "Bob", "is_persona": False, "messages": [f"message {index} from Bob", "ok?"]},
        {"speaker": "Alice", "is_persona": True, "messages": ["hmm"]},
        {"speaker": "Bob", "is_persona": False, "messages": ["are you coming " * (index % 3 + 1)]},
    ]
    return {
        "example_id": f"{split}-{index}",
        "chat_id": "telegram:1",
        "session_id": f"s{index}",
        "group_chat": index % 2 == 0,
        "persona": "Alice",
        "context": context[index % 2 :],
        "target": REPLIES[index % len(REPLIES)],
        "target_ts": "2024-01-01T10:00:00",
    }


def make_dataset(train_rows: int, validation_rows: int) -> DatasetDict:
    """A DatasetDict with a train split, and a validation split when `validation_rows` > 0.

    An empty split is left out because datasets 5.2 saves one that load_from_disk cannot
    read back (IndexError in `datasets.table`).
    """
    splits = {"train": Dataset.from_list([make_row(i, "train") for i in range(train_rows)])}
    if validation_rows:
        rows = [make_row(i + 100, "validation") for i in range(validation_rows)]
        splits["validation"] = Dataset.from_list(rows)
    return DatasetDict(splits)
