"""Read a text file a user hands over (a rule file, a scenario) or say plainly why it cannot be.

Only a regular file is read: a FIFO would block for ever and a link to /dev/zero never ends, so
the file is opened without blocking and refused unless it is regular. A file over
`MAX_FILE_BYTES` is refused before it is read, and reading stops past the limit if the file grows
meanwhile: the parsers read about 100 KB a second, so a data dump saved under a rule file's name
would otherwise look like a hang. A UTF-8 byte-order mark is dropped; a byte that is not UTF-8
is reported at its line and column; a NUL byte means a binary file. Line ends (CR LF of Windows,
CR alone of old Macs) become LF, so that the parsers count lines as an editor does.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import CheckError, Diagnostic, Position

MAX_FILE_BYTES = 2_000_000
_LINE_END = re.compile(rb"\r\n?|\n")


def open_regular(path: Path) -> BinaryIO:
    """A regular file opened for reading in binary; OSError for anything else (a FIFO, a device)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO opens at once
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"{_kind(mode)}, not a regular file: citelog reads only regular files")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def read_text(path: Path, shown: str, unreadable: str = "unreadable-file", encoding: str = "bad-encoding",
              max_bytes: int = MAX_FILE_BYTES, instead: str = "split it into several files") -> str:
    """The text of `path` (shown as `shown` in messages); the codes name the two ways to fail, and
    `instead` what to do with a file that is too large."""
    try:
        with open_regular(path) as file:
            size = os.fstat(file.fileno()).st_size
            data = file.read(max_bytes + 1) if size <= max_bytes else b""
    except OSError as error:
        raise CheckError([Diagnostic(Position(shown), unreadable, error.strerror or str(error))]) from None
    if size > max_bytes or len(data) > max_bytes:
        raise CheckError([Diagnostic(Position(shown), "file-too-large",
                                     f"the file is {max(size, len(data)) / 1e6:.1f} MB; files of at most "
                                     f"{max_bytes / 1e6:g} MB are read: {instead}")])
    return decode_text(data, shown, encoding)


def decode_text(data: bytes, shown: str, encoding: str = "bad-encoding") -> str:
    """Bytes as text: UTF-8 without a byte-order mark, with LF line ends; or the place of a bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data:
        raise CheckError([Diagnostic(Position(shown, *_place(data, data.index(b"\x00"))), encoding,
                                     "file is binary (or UTF-16), not UTF-8 text")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CheckError([Diagnostic(Position(shown, *_place(data, error.start)), encoding,
                                     "file is not valid UTF-8")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _place(data: bytes, index: int) -> tuple[int, int]:
    """Line and column (from 1, in bytes) of a byte; any of CR LF, CR and LF ends a line."""
    ends = list(_LINE_END.finditer(data, 0, index))
    return len(ends) + 1, index - (ends[-1].end() if ends else 0) + 1
