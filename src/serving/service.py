"""The chat service: from a model reference and a conversation to the persona's reply.

Request threads resolve the model, load its base model on first use and build the prompt;
the batch worker thread attaches adapters and decodes. A `ReplyJob` carries the reply back
as a stream of text deltas followed by the finished `Reply`.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from serving.adapters import BaseModelSlot, ModelStore
from serving.errors import ModelLoadError, ReplyTimeoutError
from serving.generation import FINISH_CANCELLED, DecodeRow
from serving.metrics import ServingMetrics
from serving.personas import LoadedPersona
from serving.prompts import ChatMessage, encode_prompt, to_conversation
from serving.registry_cache import PersonaRegistry
from serving.replies import ReplyShaper, speaker_stop_strings
from serving.scheduler import BatchScheduler
from serving.settings import ServingSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    """A finished reply: the burst's messages and what it cost."""

    model: str
    version: int
    messages: list[str]
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int

    @property
    def text(self) -> str:
        return "\n\n".join(self.messages)


@dataclass
class ReplyJob:
    """One submitted reply, shared by the request thread and the batch worker."""

    persona: LoadedPersona
    slot: BaseModelSlot
    row: DecodeRow
    shaper: ReplyShaper
    submitted_at: float = field(default_factory=time.monotonic)
    first_token_at: float | None = None
    # Set by the worker once the final event is queued.
    finished: bool = False
    events: queue.Queue = field(default_factory=queue.Queue)
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """Ask the worker to drop this reply from its batch at the next token."""
        self.cancel_event.set()

    def stream(self, timeout: float | None = None) -> Iterator[str | Reply]:
        """Yield text deltas as they are generated, then the finished Reply.

        Raises ReplyTimeoutError when the reply is not finished `timeout` seconds after
        this call, and re-raises an error the worker hit for this reply.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                kind, value = self.events.get(timeout=remaining)
            except queue.Empty as error:
                self.cancel()
                raise ReplyTimeoutError(f"the reply took longer than {timeout} s") from error
            if kind == "error":
                raise value
            yield value
            if kind == "done":
                return

    def result(self, timeout: float | None = None) -> Reply:
        """Wait for the finished Reply."""
        for event in self.stream(timeout):
            if isinstance(event, Reply):
                return event
        raise AssertionError("a reply stream always ends with a Reply")


class ChatService:
    """Replies for many personas at once, batched per base model."""

    def __init__(
        self,
        settings: ServingSettings,
        registry: PersonaRegistry,
        store: ModelStore,
        metrics: ServingMetrics | None = None,
    ) -> None:
        self.settings = settings.validate()
        self.registry = registry
        self.store = store
        self.metrics = metrics or ServingMetrics()
        self.scheduler: BatchScheduler[ReplyJob] = BatchScheduler(
            self._run_batch, settings.max_batch_size, settings.batch_wait_ms
        )
        self.metrics.add_gauge(
            "twinchat_loaded_adapters", "LoRA adapters attached now.", store.loaded_adapters
        )
        self.metrics.add_gauge(
            "twinchat_adapter_bytes", "Bytes of attached LoRA weights.", store.adapter_bytes
        )
        self.metrics.add_gauge(
            "twinchat_adapter_evictions", "Adapters evicted since start.", store.evictions
        )
        self.metrics.add_gauge(
            "twinchat_queued_replies", "Replies waiting for a batch.", self.scheduler.pending
        )

    def start(self) -> ChatService:
        self.scheduler.start()
        return self

    def close(self) -> None:
        self.scheduler.stop()

    def __enter__(self) -> ChatService:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def resolve(self, model: str) -> LoadedPersona:
        """Return the loaded version `model` names; see PersonaRegistry.resolve."""
        return self.registry.resolve(model)

    def submit(
        self,
        persona: LoadedPersona,
        messages: Sequence[ChatMessage],
        overrides: dict[str, Any] | None = None,
        stop: Sequence[str] = (),
    ) -> ReplyJob:
        """Build the prompt and queue the reply.

        Raises InvalidSettingError for sampling values out of range, ValueError when the
        prompt cannot fit, and ModelLoadError when the base model cannot be loaded.
        """
        sampling = persona.sampling(self.settings.sampling).updated(overrides or {})
        # Validate the request's own values first, so an out-of-range max_tokens is rejected
        # even when the persona's reply-length cap would have lowered it.
        sampling.validate(self.settings.max_new_tokens_limit)
        cap = persona.reply_token_cap()
        if cap is not None and cap < sampling.max_new_tokens:
            sampling = sampling.updated({"max_new_tokens": cap})

        slot = self._slot(persona)
        conversation = to_conversation(messages, persona.persona)
        prompt_ids = encode_prompt(
            persona.tokenizer,
            conversation,
            persona.persona,
            self._prompt_budget(persona, slot, sampling.max_new_tokens),
        )
        stop_strings = [*persona.prompt_format.stop_strings, *stop]
        if conversation.group_chat:
            stop_strings += speaker_stop_strings(conversation.other_speakers)
        shaper = ReplyShaper(
            persona.persona,
            stop_strings,
            conversation.other_speakers if conversation.group_chat else (),
            max_messages=persona.message_cap(),
        )
        row = DecodeRow(
            prompt_ids=prompt_ids,
            sampling=sampling,
            stop_token_ids=persona.prompt_format.stop_token_ids,
            adapter=persona.adapter,
        )
        job = ReplyJob(persona, slot, row, shaper)
        row.on_tokens = lambda token_ids: self._on_tokens(job, token_ids)
        row.cancelled = job.cancel_event.is_set
        self.scheduler.submit(job)
        return job

    def reply(
        self,
        model: str,
        messages: Sequence[ChatMessage],
        overrides: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Reply:
        """Resolve `model`, generate one reply and wait for it."""
        return self.submit(self.resolve(model), messages, overrides).result(timeout)

    def _slot(self, persona: LoadedPersona) -> BaseModelSlot:
        try:
            slot = self.store.slot(persona.base_key)
        except (OSError, ValueError) as error:
            raise ModelLoadError(
                f"base model {persona.base_key} of {persona.name}/{persona.version} could not "
                f"be loaded: {error}"
            ) from error
        if len(persona.tokenizer) > slot.vocab_size:
            raise ModelLoadError(
                f"the tokenizer of {persona.name}/{persona.version} has {len(persona.tokenizer)} "
                f"tokens but base model {persona.base_key} has {slot.vocab_size} embeddings"
            )
        return slot

    def _prompt_budget(self, persona: LoadedPersona, slot: BaseModelSlot, new_tokens: int) -> int:
        budget = self.settings.context_tokens
        if persona.prompt_budget is not None:
            budget = min(budget, persona.prompt_budget)
        positions = getattr(slot.base_model.config, "max_position_embeddings", None)
        if isinstance(positions, int):
            budget = min(budget, positions - new_tokens)
        return budget

    def _on_tokens(self, job: ReplyJob, token_ids: list[int]) -> bool:
        if job.first_token_at is None:
            job.first_token_at = time.monotonic()
            self.metrics.first_token.observe(job.first_token_at - job.submitted_at)
        text = job.persona.tokenizer.decode(token_ids, skip_special_tokens=True)
        delta, stop = job.shaper.update(text)
        if delta:
            job.events.put(("delta", delta))
        return stop

    def _run_batch(self, jobs: list[ReplyJob]) -> None:
        groups: dict[str, list[ReplyJob]] = defaultdict(list)
        for job in jobs:
            groups[job.slot.key].append(job)
        for group in groups.values():
            for chunk in _chunks_by_adapters(group, group[0].slot.max_adapters):
                try:
                    self._run_chunk(chunk)
                except Exception as error:
                    # A bug must not leave the chunk's requests waiting until they time out.
                    logger.exception(
                        "a batch of %d replies on %s failed", len(chunk), chunk[0].slot.key
                    )
                    for job in chunk:
                        if not job.finished:
                            job.events.put(("error", RuntimeError(f"generation failed: {error}")))

    def _run_chunk(self, jobs: list[ReplyJob]) -> None:
        slot = jobs[0].slot
        needed = {
            job.persona.adapter: job.persona.adapter_dir for job in jobs if job.persona.adapter
        }
        try:
            slot.ensure_adapters(needed)
        except (OSError, ValueError, RuntimeError) as error:
            logger.error("loading adapters on %s failed: %s", slot.key, error)
            failure = ModelLoadError(f"the model's LoRA adapter could not be loaded: {error}")
            for job in jobs:
                job.finished = True
                job.events.put(("error", failure))
            return
        self.metrics.batch_size.observe(len(jobs))
        try:
            results = slot.decoder.decode([job.row for job in jobs])
        except (RuntimeError, ValueError) as error:
            logger.exception("decoding a batch of %d on %s failed", len(jobs), slot.key)
            for job in jobs:
                job.finished = True
                job.events.put(("error", error))
            return
        for job, result in zip(jobs, results, strict=True):
            self._finish(job, result.token_ids, result.finish_reason)

    def _finish(self, job: ReplyJob, token_ids: list[int], finish_reason: str) -> None:
        persona = job.persona
        text = persona.tokenizer.decode(token_ids, skip_special_tokens=True)
        delta, messages = job.shaper.finish(text)
        if delta:
            job.events.put(("delta", delta))
        if finish_reason == FINISH_CANCELLED:
            logger.info("reply for %s/%d cancelled", persona.name, persona.version)
        self.metrics.prompt_tokens.inc(len(job.row.prompt_ids), model=persona.name)
        self.metrics.completion_tokens.inc(len(token_ids), model=persona.name)
        reply = Reply(
            model=persona.name,
            version=persona.version,
            messages=messages,
            finish_reason=finish_reason,
            prompt_tokens=len(job.row.prompt_ids),
            completion_tokens=len(token_ids),
        )
        job.finished = True
        job.events.put(("done", reply))


def _chunks_by_adapters(jobs: list[ReplyJob], max_adapters: int) -> list[list[ReplyJob]]:
    """Split jobs so that no chunk needs more distinct adapters than a slot may hold."""
    chunks: list[list[ReplyJob]] = []
    current: list[ReplyJob] = []
    adapters: set[str] = set()
    for job in jobs:
        adapter = job.persona.adapter
        if adapter and adapter not in adapters and len(adapters) >= max_adapters:
            chunks.append(current)
            current, adapters = [], set()
        current.append(job)
        if adapter:
            adapters.add(adapter)
    if current:
        chunks.append(current)
    return chunks


def load_base_model(name_or_path: str, dtype: str = "float32", device: str = "cpu"):
    """Load a base causal LM for inference; raises BaseModelError (a ValueError) if missing."""
    import torch

    from trainer.modeling.base_model import load_causal_lm

    model = load_causal_lm(name_or_path, dtype=getattr(torch, dtype))
    return model.to(device).eval()


def build_service(settings: ServingSettings) -> ChatService:
    """Wire the registry, the base-model store and the batcher from settings (not started)."""
    settings.validate()
    registry = PersonaRegistry(
        settings.tracking_uri,
        settings.model_cache_dir,
        settings.alias_ttl_s,
        settings.max_personas,
    )
    store = ModelStore(
        functools.partial(load_base_model, dtype=settings.dtype, device=settings.device),
        settings.max_adapters,
        settings.max_adapter_bytes,
    )
    return ChatService(settings, registry, store)
