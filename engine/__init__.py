"""citelog: statutory provisions as an executable, citable knowledge base.

    >>> import citelog
    >>> kb = citelog.load()                      # the bundled KB (19 U.S.C. 1508, 19 CFR 163)
    >>> kb.query('retention(R, N, U, T, B)')     # answers as variable bindings, sorted

    >>> print(citelog.explain(kb, 'must_keep(C, drawback_claim_records, N, U, T, B)').to_text())
    >>> print(citelog.why_not(kb, 'is_a(acme, importer)').to_text())

    >>> citelog.evaluate({"edge": [(1, 2), (2, 3)]},
    ...                  ["path(X, Y) :- edge(X, Y).", "path(X, Z) :- path(X, Y), edge(Y, Z)."])["path"]
    {(1, 2), (1, 3), (2, 3)}

This module is the library's door: `load`, `evaluate`, `explain` and `why_not`. The pipeline:
`parser` (Lark) -> `desugar` -> `checks` -> `compiler` -> `knowledge_base` (the evaluator, which
drives pyDatalog) -> `proofs` -> `explanations` -> `render`. Every error citelog raises derives from `CitelogError` and has a `.code`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from . import resources
from .errors import (
    CheckError,
    CitelogError,
    Diagnostic,
    EvaluationError,
    InputError,
    Position,
    QueryError,
)
from .knowledge_base import Answer, KnowledgeBase
from .limits import Limits
from .names import INTERNAL
from .pipeline import build, build_plain
from .proofs import Prover
from .provenance import Proof
from .values import Date, Money

if TYPE_CHECKING:
    from .explanations import Explanation, WhyNot

PREDICATE_NAME = re.compile(r"[a-z][a-zA-Z0-9_]*")

__all__ = [
    "Answer",
    "CheckError",
    "CitelogError",
    "Date",
    "Diagnostic",
    "EvaluationError",
    "InputError",
    "KnowledgeBase",
    "Limits",
    "Money",
    "Position",
    "Proof",
    "Prover",
    "QueryError",
    "evaluate",
    "explain",
    "load",
    "why_not",
]


def load(path: str | Path | None = None, limits: Limits | None = None) -> KnowledgeBase:
    """Load a KB folder or rule file (None: the bundled KB); raises CheckError if it has errors.

    `limits` bound each evaluation (default: `Limits.from_environment()`, see docs/LIMITS.md)."""
    program, sources, diagnostics = build(Path(path) if path is not None else resources.bundled_kb())
    if diagnostics:
        raise CheckError(diagnostics)
    return KnowledgeBase(program, sources, limits)


def explain(kb: KnowledgeBase, query: str, depth: int | None = None) -> "Explanation":
    """Every answer of a query with its proof, quotes and citations (citelog.explanations); it
    renders as text, Markdown, HTML and JSON. `depth` cuts the proof trees."""
    from .explanations import Explainer  # loaded by the commands that explain, not by every one

    return Explainer(kb, depth).explain(query)


def why_not(kb: KnowledgeBase, query: str) -> "WhyNot":
    """Why a query has no answer: each rule that could give one, and the first condition that fails."""
    from .explanations import Explainer

    return Explainer(kb).why_not(query)


def evaluate(facts: Mapping[str, Iterable[Iterable]], rules: Iterable[str],
             limits: Limits | None = None) -> dict[str, set[tuple]]:
    """Evaluate a plain core-Datalog program and return every relation of its model.

    `facts` maps predicate names to tuples of values (str, int, datetime.date, Date, Money or
    Decimal; floats are refused because pyDatalog would round them). `rules` are rule texts in
    the core language. Raises CheckError, InputError or EvaluationError (all CitelogError).
    """
    rows = {name: [tuple(row) for row in table] for name, table in facts.items()}
    inputs: dict[str, int | None] = {}
    for name, table in rows.items():
        if not isinstance(name, str) or not PREDICATE_NAME.fullmatch(name):
            raise InputError(f"'{name}' is not a predicate name (a lower-case letter, then letters, digits, _)",
                             code="unknown-input")
        arities = {len(row) for row in table}
        if len(arities) > 1:
            raise InputError(f"facts of '{name}' have different numbers of arguments: {sorted(arities)}",
                             code="arity-mismatch")
        inputs[name] = arities.pop() if arities else None  # no rows: the rules' use decides
    kb = KnowledgeBase(build_plain(list(rules), inputs), limits=limits)
    kb.add_facts(rows)
    visible = sorted(set(kb.program.defined_predicates()) | set(inputs))
    return {name: kb.relation(name) for name in visible if INTERNAL not in name}
