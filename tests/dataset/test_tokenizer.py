"""Loading the tokenizer that counts target and context tokens."""

from pathlib import Path

import pytest

from trainer.dataset.config import PrepareError
from trainer.dataset.tokenizer import load_token_counter, looks_like_path


def load_error(tokenizer: str) -> str:
    with pytest.raises(PrepareError) as error:
        load_token_counter(tokenizer)
    return str(error.value)


def test_tokenizer_missing_folder() -> None:
    message = load_error("/nonexistent")
    assert "the tokenizer folder /nonexistent does not exist" in message
    assert "alphanumeric" not in message


def test_tokenizer_missing_relative_folder() -> None:
    assert "does not exist" in load_error("./models/no-tokenizer")


def test_tokenizer_uncached_hub_id() -> None:
    message = load_error("someorg/no-such-model")
    assert "not a local folder" in message
    assert "never downloads" in message


def test_tokenizer_empty_folder(tmp_path: Path) -> None:
    assert "has no tokenizer_config.json or tokenizer.json" in load_error(str(tmp_path))


def test_tokenizer_file(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    path.write_text("{}")
    assert "is a file" in load_error(str(path))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/models/tok", True),
        ("./tok", True),
        ("~/tok", True),
        ("data/models/tok", True),
        ("C:\\models\\tok", True),
        ("HuggingFaceTB/SmolLM2-135M", False),
        ("gpt2", False),
    ],
)
def test_looks_like_path(value: str, expected: bool) -> None:
    assert looks_like_path(value) is expected
