"""Output files that replace their target only when complete, with the usual permissions.

Each file is written to a temporary file in the target's folder and moved over the target
with `os.replace`, so an interrupted or failed run leaves the previous file as it was.
Opening the temporary file up front checks that the target can be written before any
parsing starts.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import TextIO

from trainer.ingest.report import IngestError


class OutputFile:
    """A temporary file next to `path` that replaces `path` on `commit`."""

    def __init__(self, path: Path, label: str) -> None:
        """Create the temporary file, and missing parent folders, or raise IngestError.

        `label` names the path in errors, such as `--out`.
        """
        self.path = path
        self.label = label
        self._created_folders: list[Path] = []
        if path.is_dir():
            raise IngestError(f"{label} {path} is a folder; name a file in it instead")
        self._make_parent()
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        except OSError as error:
            self._remove_created_folders()
            raise self._error(error) from error
        self.temporary = Path(temporary)
        self._stream: TextIO = os.fdopen(handle, "w", encoding="utf-8")

    @property
    def stream(self) -> TextIO:
        """The text stream to write the content to."""
        return self._stream

    def commit(self) -> None:
        """Replace `path` with what was written, keeping the mode of a file it replaces."""
        try:
            self._stream.close()
            os.chmod(self.temporary, _target_mode(self.path))
            os.replace(self.temporary, self.path)
        except OSError as error:
            self.discard()
            raise self._error(error) from error

    def discard(self) -> None:
        """Delete the temporary file and the folders this output created; keep `path`."""
        self._stream.close()
        self.temporary.unlink(missing_ok=True)
        self._remove_created_folders()

    def _make_parent(self) -> None:
        missing = []
        folder = self.path.parent
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        if not folder.is_dir():
            raise IngestError(
                f"{self.label} {self.path}: {folder} is a file, not a folder; choose another path"
            )
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except OSError as error:
                self._remove_created_folders()
                raise self._error(error) from error
            self._created_folders.append(folder)

    def _remove_created_folders(self) -> None:
        for folder in reversed(self._created_folders):
            try:
                folder.rmdir()
            except OSError:
                break
        self._created_folders.clear()

    def _error(self, error: OSError) -> IngestError:
        reason = error.strerror or str(error)
        return IngestError(
            f"{self.label} {self.path}: cannot write there ({reason}); choose a path in a "
            "folder you can write to"
        )


def _target_mode(path: Path) -> int:
    """Return the mode of the file at `path`, or what `open` would create it with."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_current_umask()


def _current_umask() -> int:
    # The umask can only be read by setting it, so it is set back at once.
    # NOTE: a file that another thread creates between these two calls gets umask 0o022.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
