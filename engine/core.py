"""Core Datalog: the representation that desugaring produces and every later pass reads.

Terms, atoms, literals and `Rule` (with its id, its authority and its strength) are plain
Datalog with stratified negation, comparisons and arithmetic; the checks, the compiler, the
evaluator and the proofs only ever see these. The surface layer a KB editor writes
(`citelog.surface`) is built on this one and turned into it by `citelog.desugar`. Positions are
kept on every node for error messages but never take part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .errors import Position
from .values import Value

NOWHERE = Position("<generated>")


class Node:
    """A syntax node: immutable, without a dict of its own, pickled as its class and the values of
    its fields (a build of 10,000 provisions holds half a million of them, and the cache of builds,
    `citelog.cache`, stores them all: each one costs time to rebuild and to garbage-collect)."""

    __slots__ = ()

    def __reduce__(self):
        return type(self), tuple(getattr(self, name) for name in self.__match_args__)


def position_field() -> Position:
    """A node's position: shown in messages, never part of its equality or its repr."""
    return field(default=NOWHERE, compare=False, repr=False)


# ---- core: terms ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Var(Node):
    name: str
    position: Position = position_field()

    @property
    def anonymous(self) -> bool:
        """`_` alone: any value, never joined. (`_Y` is an ordinary variable.)"""
        return self.name == "_"

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Const(Node):
    value: Value
    position: Position = position_field()

    def __str__(self) -> str:
        from .values import Date, Money

        if isinstance(self.value, str):
            return _render_string(self.value)
        if isinstance(self.value, (Date, Money)):
            return str(self.value)
        return repr(self.value) if not isinstance(self.value, int) else str(self.value)


@dataclass(frozen=True, slots=True)
class BinOp(Node):
    op: str
    left: "Term"
    right: "Term"
    position: Position = position_field()

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


Term = Union[Var, Const, BinOp]


def variables(term: Term) -> list[Var]:
    """The variables of a term, in order of appearance."""
    if isinstance(term, Var):
        return [term]
    if isinstance(term, BinOp):
        return variables(term.left) + variables(term.right)
    return []


def constants(term: Term) -> list[Value]:
    """The values of a term, in order of appearance."""
    if isinstance(term, Const):
        return [term.value]
    if isinstance(term, BinOp):
        return constants(term.left) + constants(term.right)
    return []


def _render_string(text: str) -> str:
    """A string constant as the language writes it: bare when it reads as a name."""
    import re

    if re.fullmatch(r"[a-z][a-zA-Z0-9_]*", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---- core: literals and rules -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Atom(Node):
    predicate: str
    args: tuple[Term, ...]
    position: Position = position_field()

    @property
    def key(self) -> tuple[str, int]:
        return (self.predicate, len(self.args))

    def variables(self) -> list[Var]:
        return [v for arg in self.args for v in variables(arg)]

    def __str__(self) -> str:
        return f"{self.predicate}({', '.join(str(a) for a in self.args)})"


@dataclass(frozen=True, slots=True)
class Negation(Node):
    atom: Atom
    position: Position = position_field()

    def variables(self) -> list[Var]:
        return self.atom.variables()

    def __str__(self) -> str:
        return f"not {self.atom}"


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    op: str  # one of == != < <= > >=  ("=" is read as "==")
    left: Term
    right: Term
    position: Position = position_field()

    def variables(self) -> list[Var]:
        return variables(self.left) + variables(self.right)

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


Literal = Union[Atom, Negation, Comparison]

# The strength of a rule (docs/LANGUAGE.md, "Defeasible rules"): a plain rule is strict; a rule
# written `normally ...` is defeasible; one written `might ...` is a defeater.
STRICT, DEFEASIBLE, DEFEATER = "strict", "defeasible", "defeater"

# The predicate of a negative conclusion: `~p(X)` (written `~` or `¬`) is an atom of `¬p`. A name in
# a rule file cannot contain `¬`, and pyDatalog reads a leading `~` as its own negation.
NEG = "¬"


def opposite(predicate: str) -> str:
    """The predicate of the complementary literal: p <-> ¬p."""
    return predicate[len(NEG):] if predicate.startswith(NEG) else NEG + predicate


@dataclass(frozen=True, slots=True)
class Authority(Node):
    """Where a rule's force comes from: a provision of statute or regulation, or the analyst."""

    kind: str  # "statute", "regulation", "interpretation" or "program"
    citation: str  # the provision's citation, or the interpretation's name
    position: Position = position_field()


@dataclass(frozen=True, slots=True)
class Rule(Node):
    """A core Datalog rule (a fact when the body is empty), with its id and authority."""

    id: str
    head: Atom
    body: tuple[Literal, ...]
    authority: Authority
    position: Position = position_field()
    labelled: bool = False
    strength: str = STRICT  # strict | defeasible | defeater (see citelog.defeasible)

    @property
    def is_fact(self) -> bool:
        return not self.body

    def __str__(self) -> str:
        if not self.body:
            return f"{self.head}."
        return f"{self.head} :- {', '.join(str(lit) for lit in self.body)}."
