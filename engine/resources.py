"""Find the files citelog ships beside its code: the grammar, the legal vocabulary, the catalogue
of common syntax mistakes, the bundled KB.

In a source checkout (and an editable install) they sit beside `engine/` at the top of the
repository; in a wheel they are installed inside the package. Both layouts are tried, in that
order of likelihood, so that `pip install .` and `pip install -e .` behave the same.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for root in (_HERE, _HERE.parent):
        candidate = root / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"citelog is installed without its {name}/ folder (looked in {_HERE})")


@lru_cache(maxsize=None)
def grammar_text() -> str:
    return (_find("grammar") / "citelog.lark").read_text(encoding="utf-8")


def vocabulary_path() -> Path:
    """The legal vocabulary: declarations of the predicates the surface statements produce."""
    return _find("grammar") / "legal-vocabulary.clog"


def mistakes_path() -> Path:
    """The catalogue of common syntax mistakes, as examples (engine/mistakes.py)."""
    return _find("grammar") / "mistakes.yaml"


def bundled_kb() -> Path:
    return _find("kb")
