"""A cache of checked, compiled programs, so that a KB that has not changed is not parsed again.

Parsing is most of the cost of loading a KB (10,000 provisions: seconds). A build's result (the
program, its diagnostics and its evaluation plan; not the statements the program was desugared
from, which only the build reads) is stored under the user's cache folder, keyed
by a hash of everything it was built from: citelog's own code, the files of grammar/, and
the path and content of every rule file. The law texts a program quotes are named only inside it,
so an entry also holds their hashes, checked on every use. An entry is read only if it is whole
(its own hash checks), was written by this user into a folder no one else can write, and its
sources are unchanged; anything else is ignored and rebuilt, never trusted. Entries are written
to a temporary file and renamed, so a reader never sees half of one.

    CITELOG_CACHE_DIR=/path    where the cache lives (default: $XDG_CACHE_HOME/citelog or ~/.cache/citelog)
    CITELOG_CACHE=0            build every time, read and write nothing

Lark keeps its own cache of the grammar's parse tables in the same folder (`grammar_cache`).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import stat
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from . import resources
from .textfile import MAX_FILE_BYTES

_MAGIC = b"citelog-cache-1\n"
KEPT = 32  # entries kept, the most recently used: every diff against a revision builds another copy of a KB


def folder() -> Path | None:
    """The cache folder, made if needed and safe to read; None if caching is off or impossible."""
    if os.environ.get("CITELOG_CACHE", "").strip().lower() in ("0", "off", "no", "false"):
        return None
    chosen = os.environ.get("CITELOG_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "citelog")
    path = Path(chosen)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = path.stat()
    except OSError:
        return None
    if status.st_uid != os.getuid() or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None  # another user could plant an entry: never read it
    return path


def grammar_cache(grammar: str, start: str) -> str | bool:
    """What to give Lark's `cache=`: a file in the cache folder, or False."""
    where = folder()
    if where is None:
        return False
    return str(where / f"grammar-{start}-{hashlib.sha256(grammar.encode()).hexdigest()[:16]}.lark")


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """citelog's own code and bundled grammar: an entry made by other code is another entry."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.rglob("*.py")):
        digest.update(path.read_bytes())
    digest.update(resources.grammar_text().encode())
    digest.update(resources.vocabulary_path().read_bytes())
    digest.update(resources.mistakes_path().read_bytes())  # a build's diagnostics hold its hints
    return digest.hexdigest()


def key(files: Iterable[tuple[str, Path]], *extra: str) -> str:
    """The key of a build from these rule files (as displayed, where read) and settings. Raises
    OSError for a file that is not a regular file of at most `MAX_FILE_BYTES` (the build, not the
    cache, says what is wrong with it)."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    for shown, path in files:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_FILE_BYTES:
            raise OSError(f"{shown}: not a regular file of at most {MAX_FILE_BYTES:,} bytes")
        content = path.read_bytes()
        digest.update(f"\0{shown}\0{len(content)}\0".encode())
        digest.update(content)
    for item in extra:
        digest.update(f"\0{item}".encode())
    return digest.hexdigest()


def fingerprint(paths: Iterable[Path]) -> dict[str, str]:
    """The content hash of each file ("unreadable" for a file that is missing or not regular)."""
    found = {}
    for path in paths:
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise OSError(path)
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            found[str(path)] = "unreadable"
    return found


class _Restricted(pickle.Unpickler):
    """Builds only the values a build is made of (the classes of the modules in `BUILT_FROM`) and
    the few standard ones they hold: an entry can make no other object and call no function, so it
    can run no code even if someone managed to write one. An entry naming a class that has moved
    (written by older code) is refused like any other, and the KB rebuilt."""

    BUILT_FROM = frozenset(f"citelog.{name}" for name in (
        "core", "surface", "program", "defeasible", "strata", "compiler", "errors", "values"))
    ALLOWED = {("builtins", "list"), ("builtins", "dict"), ("builtins", "tuple"), ("builtins", "set"),
               ("builtins", "frozenset"), ("builtins", "object"), ("copyreg", "_reconstructor"),
               ("collections", "defaultdict"), ("collections", "OrderedDict"), ("pathlib", "PosixPath"),
               ("pathlib", "WindowsPath"), ("datetime", "date"), ("decimal", "Decimal")}

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        if module in self.BUILT_FROM:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a value of a build")


def load(name: str):
    """The value stored under a key, if there is a whole, fresh entry; else None."""
    where = folder()
    if where is None:
        return None
    path = where / f"{name}.pickle"
    try:
        with open(path, "rb") as stream:
            if os.fstat(stream.fileno()).st_uid != os.getuid():
                return None
            data = stream.read()
    except OSError:
        return None
    head, _, rest = data.partition(b"\n")
    digest, body = rest[:64], rest[64:]
    if head + b"\n" != _MAGIC or hashlib.sha256(body).hexdigest().encode() != digest:
        return None
    try:
        value, sources = _Restricted(io.BytesIO(body)).load()
    except Exception:  # written by citelog, checked whole: still, a cache is never trusted
        return None
    if fingerprint(Path(p) for p in sources) != sources:
        return None
    try:
        os.utime(path)  # used now: the last to be pruned
    except OSError:
        pass
    return value


def store(name: str, value, sources: Iterable[Path]) -> None:
    """Store a value under a key, with the hashes of the source files it depends on; any
    failure (a full disk, a read-only folder) leaves the cache as it was."""
    where = folder()
    if where is None:
        return
    try:
        body = pickle.dumps((value, fingerprint(sources)), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return
    data = _MAGIC + hashlib.sha256(body).hexdigest().encode() + body
    try:
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".entry-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, where / f"{name}.pickle")
    except OSError:
        try:
            os.unlink(temporary)
        except (OSError, UnboundLocalError):
            pass
    _prune(where)


def _prune(where: Path) -> None:
    """Delete all but the KEPT most recently used entries (another process may be doing the same)."""
    used = []
    for entry in where.glob("*.pickle"):
        try:
            used.append((entry.stat().st_mtime_ns, entry.name, entry))
        except OSError:
            continue
    for *_, entry in sorted(used, reverse=True)[KEPT:]:
        try:
            entry.unlink()
        except OSError:
            pass
