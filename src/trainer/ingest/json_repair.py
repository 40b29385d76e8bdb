"""A byte-stream filter that quotes bare string values, so one exporter bug does not lose a chat.

Telegram Desktop 4.1 wrote the `document_id` of custom emoji entities as a bare file path,
`"document_id": stickers/sticker.webm`, which is invalid JSON, and a strict parser stops there.
`RepairingReader` sits between the file and the JSON parser and turns every bare value after
an object key into a JSON string. A bare value runs to the next `,`, `}`, `]` or line break, or
to the closing `)` when it starts with `(` (the exporter's `(File not included...)`
placeholders contain commas). The literals `true`, `false` and `null` are left alone, and so
is anything that starts like a number, so a bare value such as `5_sticker.webm` stays invalid.
"""

from __future__ import annotations

import re
from typing import BinaryIO

READ_SIZE = 64 * 1024
_BOM = b"\xef\xbb\xbf"
# Maximum length of a bare value that is repaired. A longer one stays invalid and ends the parse.
MAX_BARE_VALUE = 512
# Bytes held back at the end of each chunk so that a bare value is never split between chunks.
_HOLD_BACK = MAX_BARE_VALUE + 64

# `":` then a byte that cannot start a JSON value (string, object, array, number). Whether the
# quote closes a key and whether the value is a literal is checked in `_repair`.
_SUSPECT = re.compile(rb'":[ \t]*([^\s"{\[\-0-9])')
_BARE_TOKEN = re.compile(
    rb"\([^)\"\r\n]{0,%d}\)|[^,}\]\"\r\n]{1,%d}" % (MAX_BARE_VALUE, MAX_BARE_VALUE)
)
_LITERAL = re.compile(rb"(?:true|false|null)(?![A-Za-z0-9_./])")
_KEY_END = re.compile(rb"[A-Za-z0-9_]")
_CONTEXT = re.compile(r"\n(.*)\n\s*\(right here\) -+\^", re.DOTALL)


class RepairingReader:
    """A read-only binary stream over `raw` with bare values quoted.

    It also keeps what is needed to turn a parser error back into a byte offset of the
    original file: the last chunk it returned and where that chunk started.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._carry = b""
        self._eof = False
        self.bytes_read = 0
        self.repairs = 0
        self.first_repair_offset: int | None = None
        self._chunk = b""
        self._chunk_start = 0
        self._chunk_added: list[tuple[int, int]] = []

    def read(self, size: int = -1) -> bytes:
        """Return the next repaired chunk; its length may differ from `size`."""
        if size == 0:
            return b""
        while not self._eof:
            data = self._raw.read(READ_SIZE if size is None or size < 0 else size)
            if not data:
                self._eof = True
                break
            if self.bytes_read == 0 and not self._carry and data.startswith(_BOM):
                data = data[len(_BOM) :]
                self.bytes_read = len(_BOM)
            chunk = self._take(self._carry + data, final=False)
            if chunk:
                return chunk
        if self._carry:
            return self._take(self._carry, final=True)
        return b""

    def _take(self, buffer: bytes, final: bool) -> bytes:
        cut = len(buffer) if final else _safe_cut(buffer)
        input_start = self.bytes_read
        self._carry = buffer[cut:]
        chunk, added = self._repair(buffer, cut, input_start)
        self.bytes_read += cut
        self._chunk = chunk
        self._chunk_start = input_start
        self._chunk_added = added
        return chunk

    def _repair(self, buffer: bytes, end: int, input_start: int) -> tuple[bytes, list]:
        """Quote the bare values in `buffer[:end]`; return the new bytes and where quotes went."""
        parts = []
        added: list[tuple[int, int]] = []
        position = 0
        output_length = 0
        for match in _SUSPECT.finditer(buffer, 0, end):
            value_start = match.start(1)
            if match.start() == 0 or not _KEY_END.match(buffer, match.start() - 1):
                continue
            if _LITERAL.match(buffer, value_start, end):
                continue
            token = _BARE_TOKEN.match(buffer, value_start, end)
            if token is None:
                continue
            value = token.group().rstrip()
            value_end = value_start + len(value)
            quoted = b'"' + value.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
            parts.append(buffer[position:value_start])
            output_length += value_start - position
            parts.append(quoted)
            output_length += len(quoted)
            added.append((output_length, len(quoted) - len(value)))
            position = value_end
            self.repairs += 1
            if self.first_repair_offset is None:
                self.first_repair_offset = input_start + value_start
        if not parts:
            return buffer[:end], added
        parts.append(buffer[position:end])
        return b"".join(parts), added

    def error_offset(self, message: str) -> int | None:
        """Find the file offset of a parse error from yajl's message, or None if unsure.

        yajl prints up to 30 bytes on each side of the position where it stopped, on the line
        above its `(right here) ------^` arrow, and stops just past the offending byte. The
        offset returned is that byte's, or the file's size when the file ended too early.
        """
        match = _CONTEXT.search(message)
        if match is None:
            return None
        context = match.group(1)
        # The padding before the text is spaces, so the stripped part is the text's tail.
        before = context[:40].lstrip(" ").encode("utf-8", errors="replace")
        after = context[40:].encode("utf-8", errors="replace")
        chunk = self._chunk.replace(b"\n", b" ").replace(b"\r", b" ")
        if not after:
            position = len(chunk)
        else:
            found = chunk.find(before + after)
            if found < 0 or chunk.find(before + after, found + 1) >= 0:
                return None
            position = found + len(before) - 1
            if position < 0:
                return None
        added_before = sum(size for at, size in self._chunk_added if at <= position)
        return self._chunk_start + position - added_before


def _safe_cut(buffer: bytes) -> int:
    """Return where to split `buffer` so that no key-value pair that might need a repair is cut.

    The rest is held back: from the key's last character before the final `":` in the last
    `_HOLD_BACK` bytes, else the last two bytes (which may be a key's end and its quote).
    """
    window_start = max(0, len(buffer) - _HOLD_BACK)
    separator = buffer.rfind(b'":', window_start)
    if separator >= 0:
        return max(separator - 1, 0)
    return max(len(buffer) - 2, 0)
