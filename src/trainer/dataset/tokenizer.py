"""Load the token counter for target and context budgets: a local tokenizer or the estimate."""

from __future__ import annotations

from pathlib import Path

from trainer.dataset.config import PrepareError
from trainer.dataset.examples import APPROXIMATE_METHOD, TokenCounter, count_tokens_approx

# A folder written by a tokenizer's save_pretrained has at least one of these.
TOKENIZER_FILES = ("tokenizer_config.json", "tokenizer.json")


def load_token_counter(tokenizer: str | None) -> tuple[TokenCounter, str]:
    """Return a token counting function and its description for stats.json."""
    if tokenizer is None:
        return count_tokens_approx, APPROXIMATE_METHOD
    from transformers import AutoTokenizer

    folder = Path(tokenizer).expanduser()
    check_tokenizer_folder(tokenizer, folder)
    try:
        loaded = AutoTokenizer.from_pretrained(
            str(folder) if folder.exists() else tokenizer, local_files_only=True
        )
    except (OSError, ValueError) as error:
        if folder.exists():
            reason = str(error)
        else:
            reason = (
                "it is not a local folder, and prepare reads a hub id only from the local "
                "Hugging Face cache because it never downloads"
            )
        raise PrepareError(
            f"cannot load the tokenizer {tokenizer!r}: {reason}; set prepare.tokenizer to a "
            "local tokenizer folder, or to null for the approximate count"
        ) from error

    def count(text: str) -> int:
        return len(loaded(text, add_special_tokens=False)["input_ids"])

    return count, f"tokenizer: {tokenizer}"


def looks_like_path(value: str) -> bool:
    """Tell a file system path from a hub id such as `HuggingFaceTB/SmolLM2-135M`.

    Hub ids are `name` or `owner/name`, so a value with a leading `/`, `.` or `~`, a
    backslash, or more than one `/` is a path.
    """
    return value.startswith(("/", ".", "~")) or "\\" in value or value.count("/") > 1


def check_tokenizer_folder(tokenizer: str, folder: Path) -> None:
    """Raise PrepareError for a missing path, a file, or a folder without tokenizer files.

    A value that is neither a path nor an existing folder passes, as a possible hub id.
    """
    if not folder.exists() and looks_like_path(tokenizer):
        raise PrepareError(
            f"the tokenizer folder {tokenizer} does not exist; set prepare.tokenizer to a "
            "local tokenizer folder, or to null for the approximate count"
        )
    if folder.is_file():
        raise PrepareError(
            f"the tokenizer {tokenizer} is a file; set prepare.tokenizer to the folder that "
            "contains tokenizer_config.json"
        )
    if folder.is_dir() and not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise PrepareError(
            f"the tokenizer folder {tokenizer} has no {' or '.join(TOKENIZER_FILES)}; set "
            "prepare.tokenizer to a folder written by save_pretrained, or to null for the "
            "approximate count"
        )
