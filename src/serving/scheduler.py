"""A batching scheduler: requests that arrive close together run as one batch.

One worker thread takes the first waiting request, then collects more until the batch has
`max_batch_size` requests or the first has waited `batch_wait_ms`. Requests that arrive
while a batch runs wait in the queue and form the next batch at once.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")

_STOP = object()


class BatchScheduler(Generic[Item]):
    def __init__(
        self,
        run_batch: Callable[[list[Item]], None],
        max_batch_size: int,
        batch_wait_ms: float,
        name: str = "twinchat-batcher",
    ) -> None:
        self.run_batch = run_batch
        self.max_batch_size = max_batch_size
        self.batch_wait_s = batch_wait_ms / 1000.0
        self.name = name
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
            self._thread.start()
            logger.info(
                "batch scheduler started (max batch %d, wait %.0f ms)",
                self.max_batch_size,
                self.batch_wait_s * 1000,
            )

    def stop(self, timeout: float | None = 30.0) -> None:
        """Finish the running batch, then stop; requests still queued are not run."""
        if self._thread is None:
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)
        self._thread = None
        logger.info("batch scheduler stopped")

    def submit(self, item: Item) -> None:
        if self._thread is None:
            raise RuntimeError("the batch scheduler is not running; call start() first")
        self._queue.put(item)

    def pending(self) -> int:
        return self._queue.qsize()

    def _work(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch, stopping = self._collect(first)
            try:
                self.run_batch(batch)
            except Exception:
                # run_batch reports errors to each request itself; anything that escapes is
                # a bug, and the worker must survive it to serve the next batch.
                logger.exception("batch of %d requests failed", len(batch))
            if stopping:
                return

    def _collect(self, first: Item) -> tuple[list[Item], bool]:
        batch = [first]
        deadline = time.monotonic() + self.batch_wait_s
        while len(batch) < self.max_batch_size:
            remaining = deadline - time.monotonic()
            try:
                item = (
                    self._queue.get(timeout=remaining)
                    if remaining > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            batch.append(item)
        return batch, False
