"""Read a text file a user hands over (a rule file, a scenario) or say plainly why it cannot be.

A file over `MAX_FILE_BYTES` is refused before it is read: the parsers read about 100 KB a
second, so a data dump saved under a rule file's name would otherwise look like a hang. A
UTF-8 byte-order mark is dropped; a byte that is not UTF-8 is reported at its line and column;
a NUL byte means a binary file.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from .errors import CheckError, Diagnostic, Position

MAX_FILE_BYTES = 2_000_000


def read_text(path: Path, shown: str, unreadable: str = "unreadable-file", encoding: str = "bad-encoding") -> str:
    """The text of `path` (shown as `shown` in messages); the codes name the two ways to fail."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CheckError([Diagnostic(Position(shown), "file-too-large",
                                         f"the file is {size / 1e6:.1f} MB; files of at most "
                                         f"{MAX_FILE_BYTES / 1e6:g} MB are read: split it into several files")])
        data = path.read_bytes()
    except OSError as error:
        raise CheckError([Diagnostic(Position(shown), unreadable, error.strerror or str(error))]) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data:
        raise CheckError([Diagnostic(Position(shown, *_place(data, data.index(b"\x00"))), encoding,
                                     "file is binary (or UTF-16), not UTF-8 text")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CheckError([Diagnostic(Position(shown, *_place(data, error.start)), encoding,
                                     "file is not valid UTF-8")]) from None


def _place(data: bytes, index: int) -> tuple[int, int]:
    """Line and column (from 1, in bytes) of a byte."""
    return data.count(b"\n", 0, index) + 1, index - (data.rfind(b"\n", 0, index) + 1) + 1
