"""Serving metrics in the Prometheus text exposition format (version 0.0.4).

A few counters, histograms and gauges are all serving needs, so they are kept here rather
than adding the prometheus_client dependency.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Callable

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64)

Labels = tuple[tuple[str, str], ...]


def _format_labels(labels: Labels, extra: tuple[str, str] | None = None) -> str:
    pairs = [*labels, extra] if extra else list(labels)
    if not pairs:
        return ""
    body = ",".join(f'{name}="{_escape(value)}"' for name, value in pairs)
    return "{" + body + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _format_number(value: float) -> str:
    if value == float("inf"):
        return "+Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class Counter:
    def __init__(self, name: str, help_text: str) -> None:
        self.name, self.help_text = name, help_text
        self.values: dict[Labels, float] = defaultdict(float)
        self._lock = threading.Lock()

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        with self._lock:
            self.values[tuple(sorted(labels.items()))] += amount

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help_text}", f"# TYPE {self.name} counter"]
        with self._lock:
            for labels, value in sorted(self.values.items()):
                lines.append(f"{self.name}{_format_labels(labels)} {_format_number(value)}")
        return lines


class Histogram:
    def __init__(self, name: str, help_text: str, buckets: tuple[float, ...]) -> None:
        self.name, self.help_text, self.buckets = name, help_text, buckets
        self.counts = [0] * (len(buckets) + 1)
        self.total = 0.0
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            self.counts[bisect.bisect_left(self.buckets, value)] += 1
            self.total += value

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help_text}", f"# TYPE {self.name} histogram"]
        with self._lock:
            cumulative = 0
            for bound, count in zip((*self.buckets, float("inf")), self.counts, strict=True):
                cumulative += count
                label = _format_labels((), ("le", _format_number(bound)))
                lines.append(f"{self.name}_bucket{label} {cumulative}")
            lines.append(f"{self.name}_sum {_format_number(self.total)}")
            lines.append(f"{self.name}_count {cumulative}")
        return lines


class Gauge:
    """A value read from a callback when the metrics are rendered."""

    def __init__(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        self.name, self.help_text, self.read = name, help_text, read

    def render(self) -> list[str]:
        return [
            f"# HELP {self.name} {self.help_text}",
            f"# TYPE {self.name} gauge",
            f"{self.name} {_format_number(self.read())}",
        ]


class ServingMetrics:
    """The metrics `GET /metrics` reports."""

    def __init__(self) -> None:
        self.requests = Counter(
            "twinchat_requests_total", "Chat completion requests by model and HTTP status."
        )
        self.prompt_tokens = Counter("twinchat_prompt_tokens_total", "Prompt tokens by model.")
        self.completion_tokens = Counter(
            "twinchat_completion_tokens_total", "Generated tokens by model."
        )
        self.latency = Histogram(
            "twinchat_request_latency_seconds",
            "Time from receiving a chat completion request to its last byte.",
            LATENCY_BUCKETS,
        )
        self.first_token = Histogram(
            "twinchat_time_to_first_token_seconds",
            "Time from submitting a reply to its first generated token.",
            LATENCY_BUCKETS,
        )
        self.batch_size = Histogram(
            "twinchat_batch_size", "Replies decoded together in one batch.", BATCH_BUCKETS
        )
        self.gauges: list[Gauge] = []

    def add_gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        self.gauges.append(Gauge(name, help_text, read))

    def render(self) -> str:
        lines: list[str] = []
        for metric in (
            self.requests,
            self.prompt_tokens,
            self.completion_tokens,
            self.latency,
            self.first_token,
            self.batch_size,
            *self.gauges,
        ):
            lines.extend(metric.render())
        return "\n".join(lines) + "\n"
