"""discord export parser (being written)."""

from collections.abc import Iterator

from trainer.ingest.records import Message
from trainer.ingest.report import IngestReport
from trainer.ingest.sources import Source


def looks_like(head: str) -> bool:
    return False


def parse(unit: list[Source], report: IngestReport) -> Iterator[Message]:
    raise NotImplementedError
