"""Write an output file whole or not at all, and never over a file citelog reads.

Every file citelog writes (`--out` of explain, retention and snapshot, the schedule and its
rejects) is written into a temporary file beside it and renamed over it only once complete, so a
reader never sees half a file, and a full disk, a bad row half-way or Ctrl-C leave the previous
file as it was. A target that is the same file as an input (compared by device and inode, so a
hard link or a symbolic link is seen through) is refused with `bad-output` before anything is
written: `--out v.yaml` must not destroy the scenario it was asked about.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CitelogError, Position

if TYPE_CHECKING:
    from .knowledge_base import KnowledgeBase


class OutputError(CitelogError):
    """An output file cannot be written, or would be written over an input."""

    code = "bad-output"


def kb_files(kb: "KnowledgeBase") -> list[Path]:
    """The files a loaded KB was read from: its rule files (the vocabulary too), its sources, and
    the activities an inventory may name."""
    activities = [kb.program.activities_file] if kb.program.activities_file else []
    return [Path(module.path) for module in kb.program.modules] + [s.path for s in kb.sources.values()] + activities


def refuse_inputs(target: Path, inputs: Iterable[Path]) -> None:
    """Raise OutputError if `target` is the same file as one of `inputs`."""
    try:
        written = os.stat(target)
    except OSError:  # no such file yet: it cannot be an input
        return
    for path in inputs:
        try:
            read = os.stat(path)
        except OSError:
            continue
        if (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino):
            raise OutputError(f"the output is the same file as the input {path}: citelog never writes over a file "
                              "it reads; name another file", Position(str(target)))


@contextmanager
def replacing(target: str | Path, inputs: Iterable[Path] = (), newline: str | None = None) -> Iterator["Whole"]:
    """A text file to write (UTF-8) that replaces `target` when the block ends without an error.

    A symbolic link at `target` is followed: the file it names is replaced, the link kept."""
    target = Path(target)
    refuse_inputs(target, inputs)
    real = target.resolve()
    temporary = real.with_name(f".{real.name}.{secrets.token_hex(4)}.tmp")
    try:
        file = _create(temporary, real, newline)
    except OSError as error:
        raise _failed(target, error) from None
    try:
        yield Whole(file, target)
        try:
            file.flush()
            os.fsync(file.fileno())
            file.close()
            os.replace(temporary, real)
        except OSError as error:
            raise _failed(target, error) from None
    except BaseException:
        try:
            file.close()
        except OSError:  # the unwritten rest of a full disk's buffer
            pass
        temporary.unlink(missing_ok=True)
        raise


def _create(temporary: Path, real: Path, newline: str | None):
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        if real.exists():  # the new file keeps the permissions of the one it replaces
            os.chmod(descriptor, stat.S_IMODE(real.stat().st_mode))
        return os.fdopen(descriptor, "w", encoding="utf-8", newline=newline)
    except BaseException:
        os.close(descriptor)
        temporary.unlink(missing_ok=True)
        raise


def write_text(target: str | Path, text: str, inputs: Iterable[Path] = ()) -> None:
    """Write a whole document to `target` (see `replacing`)."""
    with replacing(target, inputs) as file:
        file.write(text)


class Whole:
    """The file being written: a failed write (a full disk) is an OutputError naming the target."""

    def __init__(self, file, target: Path):
        self._file = file
        self._target = target

    def write(self, text: str) -> int:
        try:
            return self._file.write(text)
        except OSError as error:
            raise _failed(self._target, error) from None


def _failed(target: Path, error: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {error.strerror or error}; the previous file, if any, is unchanged",
                       Position(str(target)))
