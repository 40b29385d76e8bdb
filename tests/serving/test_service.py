"""The chat service end to end on the tiny model: replies, batching, styles, streaming."""

from __future__ import annotations

import pytest

from serving.errors import ReplyTimeoutError
from serving.prompts import ChatMessage
from serving.service import Reply, ReplyJob
from serving.settings import InvalidSettingError
from tests.serving.conftest import ALICE, BOB, CARA

HELLO = [ChatMessage("user", "hello, how are you?")]


def batch_count(service) -> int:
    return sum(service.metrics.batch_size.counts)


def test_reply_has_tokens(service):
    reply = service.reply(ALICE, HELLO, timeout=60)
    assert reply.model == ALICE
    assert reply.version == 1
    assert reply.prompt_tokens > 10
    assert 0 < reply.completion_tokens <= 12


def test_reply_is_deterministic_when_greedy(service):
    first = service.reply(ALICE, HELLO, timeout=60)
    second = service.reply(ALICE, HELLO, timeout=60)
    assert first.messages == second.messages


def test_concurrent_personas_share_batch(service):
    personas = [service.resolve(name) for name in (ALICE, BOB, CARA, ALICE)]
    jobs = [service.submit(persona, HELLO) for persona in personas]
    batched = [job.result(60) for job in jobs]
    assert batch_count(service) == 1
    alone = [service.submit(persona, HELLO).result(60) for persona in personas]
    assert [reply.messages for reply in batched] == [reply.messages for reply in alone]


def test_adapters_attached_once(service):
    for name in (ALICE, BOB, ALICE):
        service.reply(name, HELLO, timeout=60)
    assert service.store.loaded_adapters() == 2


def test_stream_ends_with_reply(service):
    job = service.submit(service.resolve(BOB), HELLO)
    events = list(job.stream(60))
    assert isinstance(events[-1], Reply)
    assert "".join(events[:-1]) == events[-1].text


def test_request_overrides_sampling(service):
    reply = service.reply(ALICE, HELLO, overrides={"max_new_tokens": 3}, timeout=60)
    assert reply.completion_tokens <= 3


def test_invalid_override_rejected(service):
    with pytest.raises(InvalidSettingError, match="temperature"):
        service.submit(service.resolve(ALICE), HELLO, overrides={"temperature": 5.0})


def test_style_caps_reply_length(service, registry):
    name = "twinchat-terse"
    registry.register(
        name, registry.adapters[1], "Tess", style={"reply_tokens": {"p50": 2, "p90": 4}}
    )
    reply = service.reply(name, HELLO, timeout=60)
    assert reply.completion_tokens <= 4
    assert reply.finish_reason == "length"


def test_style_cap_keeps_max_tokens_check(service, registry):
    name = "twinchat-capped"
    registry.register(
        name, registry.adapters[1], "Cap", style={"reply_tokens": {"p50": 2, "p90": 4}}
    )
    with pytest.raises(InvalidSettingError, match=r"max_(new_)?tokens"):
        service.submit(service.resolve(name), HELLO, overrides={"max_new_tokens": 10**11})


def test_persona_generation_settings_used(service, registry):
    name = "twinchat-short"
    registry.register(name, registry.adapters[2], "Sam", generation={"max_new_tokens": 5})
    assert service.reply(name, HELLO, timeout=60).completion_tokens <= 5


def test_metrics_count_tokens(service):
    reply = service.reply(CARA, HELLO, timeout=60)
    values = service.metrics.completion_tokens.values
    assert values[(("model", CARA),)] == reply.completion_tokens


def test_job_timeout_cancels():
    job = ReplyJob(persona=None, slot=None, row=None, shaper=None)
    with pytest.raises(ReplyTimeoutError, match=r"longer than 0\.05 s"):
        job.result(timeout=0.05)
    assert job.cancel_event.is_set()
