"""The LRU of LoRA adapters attached to one base model."""

from __future__ import annotations

import pytest
from transformers import AutoModelForCausalLM

from serving.adapters import (
    AdapterCapacityError,
    BaseModelSlot,
    ModelStore,
    adapter_name,
    parameter_bytes,
)


def make_slot(registry, max_adapters=2, max_adapter_bytes=None) -> BaseModelSlot:
    model = AutoModelForCausalLM.from_pretrained(str(registry.base_dir)).eval()
    return BaseModelSlot("tiny", model, max_adapters, max_adapter_bytes)


def attached(slot: BaseModelSlot) -> set[str]:
    return set(getattr(slot.model, "peft_config", {}))


def test_adapter_name_has_no_dots():
    name = adapter_name("twinchat.mira-v2", 3)
    assert "." not in name
    assert name.endswith("_v3")


def test_adapter_name_keeps_similar_names_apart():
    assert adapter_name("a-b", 1) != adapter_name("a_b", 1)


def test_first_adapter_wraps_model(registry):
    slot = make_slot(registry)
    slot.ensure_adapters({"a": registry.adapters[0]})
    assert attached(slot) == {"a"}
    assert slot.model is not slot.base_model


def test_lru_evicts_oldest(registry):
    slot = make_slot(registry, max_adapters=2)
    slot.ensure_adapters({"a": registry.adapters[0]})
    slot.ensure_adapters({"b": registry.adapters[1]})
    slot.ensure_adapters({"c": registry.adapters[2]})
    assert attached(slot) == {"b", "c"}
    assert list(slot.adapters) == ["b", "c"]
    assert slot.evictions == 1


def test_lru_use_refreshes_adapter(registry):
    slot = make_slot(registry, max_adapters=2)
    slot.ensure_adapters({"a": registry.adapters[0]})
    slot.ensure_adapters({"b": registry.adapters[1]})
    slot.ensure_adapters({"a": registry.adapters[0]})
    slot.ensure_adapters({"c": registry.adapters[2]})
    assert attached(slot) == {"a", "c"}


def test_batch_adapters_not_evicted(registry):
    slot = make_slot(registry, max_adapters=2)
    slot.ensure_adapters({"a": registry.adapters[0]})
    slot.ensure_adapters({"b": registry.adapters[1]})
    slot.ensure_adapters({"a": registry.adapters[0], "c": registry.adapters[2]})
    assert attached(slot) == {"a", "c"}


def test_batch_over_capacity_rejected(registry):
    slot = make_slot(registry, max_adapters=2)
    needed = {name: path for name, path in zip("abc", registry.adapters, strict=True)}
    with pytest.raises(AdapterCapacityError, match="is limited to 2"):
        slot.ensure_adapters(needed)


def test_byte_limit_evicts(registry):
    probe = make_slot(registry)
    probe.ensure_adapters({"a": registry.adapters[0]})
    one_adapter = probe.adapter_bytes
    slot = make_slot(registry, max_adapters=10, max_adapter_bytes=int(one_adapter * 1.5))
    slot.ensure_adapters({"a": registry.adapters[0]})
    slot.ensure_adapters({"b": registry.adapters[1]})
    assert attached(slot) == {"b"}


def test_adapter_bytes_counted(registry):
    slot = make_slot(registry)
    slot.ensure_adapters({"a": registry.adapters[0]})
    # r=8 on q, k, v, o of 2 layers: A is 8 x 64 per module; B is 64 x 8 for q and o and
    # 32 x 8 for k and v (two key-value heads of 16), float32.
    expected = 2 * (4 * 8 * 64 + 2 * 64 * 8 + 2 * 32 * 8) * 4
    assert slot.adapter_bytes == expected
    assert slot.adapter_bytes < parameter_bytes(slot.base_model)


def test_store_loads_base_once(registry):
    calls = []

    def load(key):
        calls.append(key)
        return AutoModelForCausalLM.from_pretrained(str(registry.base_dir))

    store = ModelStore(load, max_adapters=2)
    first = store.slot("tiny")
    second = store.slot("tiny")
    assert first is second
    assert calls == ["tiny"]
