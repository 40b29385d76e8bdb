"""Chat-export parsers that turn every supported messenger into one normalized record.

Nothing here imports torch, so ingestion runs in the website and on small machines.
"""

from trainer.ingest.pipeline import iter_messages, write_jsonl
from trainer.ingest.records import Message
from trainer.ingest.report import IngestError, IngestReport

__all__ = ["IngestError", "IngestReport", "Message", "iter_messages", "write_jsonl"]
