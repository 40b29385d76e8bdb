"""Write a prepared dataset atomically: the DatasetDict, a JSONL preview and stats.json."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from trainer.dataset.config import PrepareError
from trainer.dataset.split import Split

logger = logging.getLogger(__name__)

# Written into stats.json. A folder whose stats.json carries it may be replaced by a new run.
STATS_FORMAT = "twinchat-prepare/1"
DATASET_DIR = "dataset"
PREVIEW_FILE = "preview.jsonl"
STATS_FILE = "stats.json"


def dataset_features():
    """Return the `datasets.Features` of one row, as docs/design.md defines it."""
    from datasets import Features, Value

    return Features(
        {
            "example_id": Value("string"),
            "chat_id": Value("string"),
            "session_id": Value("string"),
            "group_chat": Value("bool"),
            "persona": Value("string"),
            "context": [
                {
                    "speaker": Value("string"),
                    "is_persona": Value("bool"),
                    "messages": [Value("string")],
                }
            ],
            "target": [Value("string")],
            "target_ts": Value("string"),
        }
    )


def preview_rows(split: Split, limit: int) -> list[dict[str, Any]]:
    """Return the first `limit` rows, train before validation, each with its split name."""
    rows: list[dict[str, Any]] = []
    for name, examples in (("train", split.train), ("validation", split.validation)):
        for example in examples:
            if len(rows) >= limit:
                return rows
            rows.append({"split": name, **example.to_row()})
    return rows


def check_replaceable(out: Path) -> None:
    """Raise PrepareError unless `out` is missing, empty, or an earlier prepare output."""
    if not out.exists():
        return
    if not out.is_dir():
        raise PrepareError(f"--out {out} is a file; pass a folder path for the dataset")
    if not any(out.iterdir()):
        return
    try:
        marker = json.loads((out / STATS_FILE).read_text(encoding="utf-8")).get("format")
    except (OSError, ValueError, AttributeError):
        marker = None
    if marker != STATS_FORMAT:
        raise PrepareError(
            f"--out {out} is a folder with other files; pass a new or empty folder, or the "
            "folder of an earlier `twinchat prepare` run to replace it"
        )


def write_output(
    out: Path, split: Split, stats: dict[str, Any], preview: list[dict], progress: bool = False
) -> None:
    """Write everything into a temporary sibling folder, then swap it in for `out`.

    If anything fails, the temporary folder is removed and an earlier `out` stays as it
    was. The swap is two renames, so an interruption between them leaves the old output
    under a `.old-` name next to `out`. Raises PrepareError for file system errors.
    """
    check_replaceable(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as error:
        raise PrepareError(f"cannot create the output folder {out}: {error}") from error
    try:
        _write_files(staging, split, stats, preview, progress)
        _swap(staging, out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise PrepareError(
            f"failed to write the dataset to {out}: {error}; any earlier output there is "
            "unchanged, so free disk space or fix the folder's permissions and run again"
        ) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_files(
    folder: Path, split: Split, stats: dict[str, Any], preview: list[dict], progress: bool
) -> None:
    from datasets import Dataset, DatasetDict
    from datasets.utils import logging as datasets_logging

    # mkdtemp creates the folder readable by its owner only, so give it the usual mode.
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)

    features = dataset_features()
    splits = DatasetDict()
    for name, examples in (("train", split.train), ("validation", split.validation)):
        # Built from columns, because Dataset.from_list drops the schema of an empty split.
        rows = [example.to_row() for example in examples]
        columns = {column: [row[column] for row in rows] for column in features}
        splits[name] = Dataset.from_dict(columns, features=features)
    bars_were_enabled = datasets_logging.is_progress_bar_enabled()
    if not progress:
        datasets_logging.disable_progress_bar()
    # An empty split is written as one empty shard with the full schema. Left to choose,
    # save_to_disk (datasets 5.2) writes no shard for it, and load_from_disk then fails.
    shards = {name: 1 for name, dataset in splits.items() if len(dataset) == 0}
    try:
        splits.save_to_disk(str(folder / DATASET_DIR), num_shards=shards or None)
    finally:
        if bars_were_enabled:
            datasets_logging.enable_progress_bar()

    with (folder / PREVIEW_FILE).open("w", encoding="utf-8") as stream:
        for row in preview:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    (folder / STATS_FILE).write_text(
        json.dumps(stats, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
