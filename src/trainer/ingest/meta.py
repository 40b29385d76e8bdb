"""Messenger and Instagram export parser (being written)."""

from collections.abc import Iterator

from trainer.ingest.records import Message
from trainer.ingest.report import IngestReport
from trainer.ingest.sources import Source


def looks_like(head: str, name: str) -> str | None:
    return None


def parse_messenger(unit: list[Source], report: IngestReport) -> Iterator[Message]:
    raise NotImplementedError


def parse_instagram(unit: list[Source], report: IngestReport) -> Iterator[Message]:
    raise NotImplementedError
