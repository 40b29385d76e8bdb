"""One copy of each base model in memory, with persona LoRA adapters attached in an LRU.

Each base model gets a `BaseModelSlot`: the model wrapped in a peft `PeftModel` whose named
adapters are the personas' LoRA weights. Loading a persona adds an adapter. When the slot
contains `max_adapters` adapters or `max_adapter_bytes` of adapter weights, the least
recently used one that the current batch does not need is deleted.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import torch

from serving.generation import BatchDecoder

logger = logging.getLogger(__name__)


class AdapterCapacityError(RuntimeError):
    """A batch needs more adapters at once than the slot may hold."""


def adapter_name(model_name: str, version: int) -> str:
    """Return a peft adapter name for a model version.

    peft stores adapters as submodule names, which may not contain dots, so other characters
    become underscores and a short hash keeps names like `a-b` and `a_b` apart.
    """
    readable = re.sub(r"[^A-Za-z0-9_]", "_", model_name)[:48]
    digest = hashlib.sha256(model_name.encode("utf-8")).hexdigest()[:8]
    return f"{readable}_{digest}_v{version}"


@dataclass(frozen=True)
class AdapterInfo:
    name: str
    path: Path
    bytes: int


class BaseModelSlot:
    """A base model and its attached LoRA adapters.

    `ensure_adapters` and decoding must run on one thread (the batch worker), because
    adding or deleting an adapter changes the modules a running forward pass uses.
    """

    def __init__(
        self,
        key: str,
        model: torch.nn.Module,
        max_adapters: int,
        max_adapter_bytes: int | None = None,
    ) -> None:
        self.key = key
        self.base_model = model
        self.model: torch.nn.Module = model
        # Padding positions are masked out, so any id in the vocabulary works.
        pad_token_id = getattr(model.config, "pad_token_id", None)
        self.pad_token_id = pad_token_id if isinstance(pad_token_id, int) else 0
        self.max_adapters = max_adapters
        self.max_adapter_bytes = max_adapter_bytes
        self.adapters: OrderedDict[str, AdapterInfo] = OrderedDict()
        self.evictions = 0
        self.base_bytes = parameter_bytes(model)
        self._decoder: BatchDecoder | None = None

    @property
    def vocab_size(self) -> int:
        return self.base_model.get_input_embeddings().num_embeddings

    @property
    def adapter_bytes(self) -> int:
        # A snapshot, because the metrics thread reads this while the worker changes it.
        return sum(info.bytes for info in list(self.adapters.values()))

    @property
    def decoder(self) -> BatchDecoder:
        if self._decoder is None or self._decoder.model is not self.model:
            self._decoder = BatchDecoder(self.model, self.pad_token_id)
        return self._decoder

    def ensure_adapters(self, needed: Mapping[str, Path]) -> None:
        """Attach every adapter in `needed` (name -> folder) and mark them most recently used.

        Raises AdapterCapacityError when `needed` alone exceeds `max_adapters`; a failed load
        raises the loader's error and leaves the other adapters in place.
        """
        if len(needed) > self.max_adapters:
            raise AdapterCapacityError(
                f"a batch needs {len(needed)} adapters, but base model {self.key} is limited "
                f"to {self.max_adapters}; raise max_adapters or lower max_batch_size"
            )
        for name in needed:
            if name in self.adapters:
                self.adapters.move_to_end(name)
        for name, path in needed.items():
            if name not in self.adapters:
                self._evict_for_one_more(keep=set(needed))
                self._load(name, Path(path))

    def _load(self, name: str, path: Path) -> None:
        from peft import PeftModel

        if self.model is self.base_model:
            self.model = PeftModel.from_pretrained(
                self.base_model, str(path), adapter_name=name, is_trainable=False
            )
        else:
            self.model.load_adapter(str(path), adapter_name=name, is_trainable=False)
        self.model.eval()
        size = adapter_parameter_bytes(self.model, name)
        self.adapters[name] = AdapterInfo(name, path, size)
        logger.info(
            "loaded adapter %s on %s (%.1f MiB, %d loaded)",
            name,
            self.key,
            size / 2**20,
            len(self.adapters),
        )

    def _evict_for_one_more(self, keep: set[str]) -> None:
        while self.adapters and self._over_limit_with_one_more():
            victim = next((name for name in self.adapters if name not in keep), None)
            if victim is None:
                return
            self.model.delete_adapter(victim)
            del self.adapters[victim]
            self.evictions += 1
            logger.info("evicted adapter %s from %s", victim, self.key)

    def _over_limit_with_one_more(self) -> bool:
        if len(self.adapters) + 1 > self.max_adapters:
            return True
        if self.max_adapter_bytes is None or not self.adapters:
            return False
        # The next adapter's size is unknown until it loads, so the mean loaded size is used.
        mean_size = self.adapter_bytes / len(self.adapters)
        return self.adapter_bytes + mean_size > self.max_adapter_bytes


def parameter_bytes(model: torch.nn.Module) -> int:
    """Return the bytes held by a model's parameters."""
    return sum(parameter.numel() * parameter.element_size() for parameter in model.parameters())


def adapter_parameter_bytes(model: torch.nn.Module, name: str) -> int:
    """Return the bytes of the parameters that belong to adapter `name`."""
    marker = f".{name}."
    return sum(
        parameter.numel() * parameter.element_size()
        for parameter_name, parameter in model.named_parameters()
        if marker in parameter_name
    )


ModelLoader = Callable[[str], torch.nn.Module]


class ModelStore:
    """Base-model slots by key (a base model path or hub id, or a fully fine-tuned model).

    A base model loads once, on first use, under a lock, so concurrent requests for new
    personas on the same base wait for one load.
    """

    def __init__(
        self, load_model: ModelLoader, max_adapters: int, max_adapter_bytes: int | None = None
    ) -> None:
        self.load_model = load_model
        self.max_adapters = max_adapters
        self.max_adapter_bytes = max_adapter_bytes
        self.slots: dict[str, BaseModelSlot] = {}
        self._lock = threading.Lock()

    def slot(self, key: str) -> BaseModelSlot:
        """Return the slot for `key`, loading the model the first time."""
        with self._lock:
            found = self.slots.get(key)
            if found is None:
                logger.info("loading base model %s", key)
                model = self.load_model(key)
                found = BaseModelSlot(key, model, self.max_adapters, self.max_adapter_bytes)
                self.slots[key] = found
            return found

    def loaded_adapters(self) -> int:
        return sum(len(slot.adapters) for slot in self.slots.values())

    def adapter_bytes(self) -> int:
        return sum(slot.adapter_bytes for slot in self.slots.values())

    def evictions(self) -> int:
        return sum(slot.evictions for slot in self.slots.values())
