"""Expand the user's inputs (files, folders, zip archives) into export files to parse."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from trainer.ingest.report import IngestError

# Extensions that can hold chat text; photos, voice notes and stickers next to an export are
# attachments and are never opened.
EXPORT_SUFFIXES = {".json", ".txt", ".csv", ".html", ".htm", ".jsonl"}
META_PART = re.compile(r"^message_\d+\.json$")
HEAD_BYTES = 64 * 1024


@dataclass(eq=False)
class Source:
    """One export file, on disk or inside a zip archive, opened lazily as bytes."""

    name: str
    size: int
    opener: Callable[[], BinaryIO]
    on_read: Callable[[int], None] | None = field(default=None, repr=False)

    @property
    def path(self) -> PurePosixPath:
        """The file's path inside its export, used for names and grouping."""
        return PurePosixPath(self.name.split("!", 1)[-1])

    def open(self) -> BinaryIO:
        """Open the file for reading; reads are reported to `on_read` for progress bars."""
        stream = self.opener()
        if self.on_read is None:
            return stream
        return _CountingReader(stream, self.on_read)

    def head(self, size: int = HEAD_BYTES) -> str:
        """Return the first `size` bytes decoded as UTF-8, without a byte order mark."""
        with self.opener() as stream:
            data = stream.read(size)
        return data.decode("utf-8", errors="replace").lstrip("\ufeff")


class _CountingReader(io.RawIOBase):
    def __init__(self, stream: BinaryIO, on_read: Callable[[int], None]) -> None:
        self._stream = stream
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self._on_read(size)
        return size

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._on_read(len(data))
        return data

    def close(self) -> None:
        self._stream.close()
        super().close()


def _file_source(path: Path) -> Source:
    return Source(str(path), path.stat().st_size, lambda: open(path, "rb"))


def _zip_sources(path: Path) -> list[Source]:
    try:
        archive = zipfile.ZipFile(path)
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        raise IngestError(
            f"{path}: not a readable zip archive ({error}); export the chat again or unpack it "
            "and pass the folder"
        ) from error

    def opener(member: str) -> Callable[[], BinaryIO]:
        return lambda: zipfile.ZipFile(path).open(member)

    sources = []
    for info in members:
        member_path = PurePosixPath(info.filename)
        if member_path.suffix.lower() not in EXPORT_SUFFIXES or member_path.name.startswith("._"):
            continue
        sources.append(Source(f"{path}!{info.filename}", info.file_size, opener(info.filename)))
    return sources


def _folder_sources(path: Path, exclude: frozenset[Path]) -> list[Source]:
    sources = []
    for child in sorted(path.rglob("*")):
        if exclude and child.resolve() in exclude:
            continue
        if child.is_file() and child.suffix.lower() in EXPORT_SUFFIXES:
            sources.append(_file_source(child))
        elif child.is_file() and child.suffix.lower() == ".zip":
            sources.extend(_zip_sources(child))
    return sources


def group_units(sources: list[Source]) -> list[list[Source]]:
    """Group files that form one export: Messenger and Instagram split a thread into
    `message_1.json`, `message_2.json`, ... in one folder. Every other file is a unit of its own."""
    units: list[list[Source]] = []
    threads: dict[str, list[Source]] = {}
    for source in sources:
        if META_PART.match(source.path.name):
            key = _thread_key(source)
            if key not in threads:
                threads[key] = []
                units.append(threads[key])
            threads[key].append(source)
        else:
            units.append([source])
    for unit in units:
        unit.sort(key=lambda source: _part_number(source.path.name))
    return units


def _thread_key(source: Source) -> str:
    """Return the folder of a thread part, prefixed by its archive if it is in one."""
    archive = source.name.split("!", 1)[0] if "!" in source.name else ""
    return f"{archive}!{source.path.parent}"


def _part_number(name: str) -> int:
    digits = re.findall(r"\d+", name)
    return int(digits[-1]) if digits else 0


def expand_inputs(
    inputs: list[str | Path], exclude: Iterable[Path] = ()
) -> Iterator[tuple[str, list[list[Source]]]]:
    """Yield, per user input, the export units it holds; raise IngestError for a missing path.

    Files in `exclude`, such as this run's own output, are left out when a folder is expanded.
    """
    excluded = frozenset(path.resolve() for path in exclude)
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise IngestError(f"{path}: no such file or folder; check the path")
        if path.is_dir():
            sources = _folder_sources(path, excluded)
        elif path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
            sources = _zip_sources(path)
        else:
            sources = [_file_source(path)]
        if not sources:
            kinds = (
                ".json, .txt, .csv, .html or .zip"
                if path.is_dir()
                else ".json, .txt, .csv or .html"
            )
            raise IngestError(
                f"{path}: contains no {kinds} file; pass the chat export itself (WhatsApp .txt "
                "or .zip, Telegram result.json, Discord .json or .csv, Messenger or Instagram "
                "message_N.json)"
            )
        yield str(path), group_units(sources)
