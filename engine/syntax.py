"""The abstract syntax of the rule language, in two layers.

Core nodes (terms, atoms, literals, `Rule`) are plain Datalog; the compiler only ever sees these.
Surface nodes (`Provision`, `Interpretation`, the legal statements) are what the parser builds
from a KB file; `desugar` turns them into core rules. Positions are kept on every node for
error messages but never take part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .errors import Diagnostic, Position
from .values import Value

NOWHERE = Position("<generated>")


class _Node:
    """A syntax node: immutable, without a dict of its own, pickled as its class and the values of
    its fields (a build of 10,000 provisions holds half a million of them, and the cache of builds,
    `citelog.cache`, stores them all: each one costs time to rebuild and to garbage-collect)."""

    __slots__ = ()

    def __reduce__(self):
        return type(self), tuple(getattr(self, name) for name in self.__match_args__)


def _pos() -> Position:
    return field(default=NOWHERE, compare=False, repr=False)


# ---- core: terms ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Var(_Node):
    name: str
    position: Position = _pos()

    @property
    def anonymous(self) -> bool:
        """`_` alone: any value, never joined. (`_Y` is an ordinary variable.)"""
        return self.name == "_"

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Const(_Node):
    value: Value
    position: Position = _pos()

    def __str__(self) -> str:
        from .values import Date, Money

        if isinstance(self.value, str):
            return _render_string(self.value)
        if isinstance(self.value, (Date, Money)):
            return str(self.value)
        return repr(self.value) if not isinstance(self.value, int) else str(self.value)


@dataclass(frozen=True, slots=True)
class BinOp(_Node):
    op: str
    left: "Term"
    right: "Term"
    position: Position = _pos()

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
class Atom(_Node):
    predicate: str
    args: tuple[Term, ...]
    position: Position = _pos()

    @property
    def key(self) -> tuple[str, int]:
        return (self.predicate, len(self.args))

    def variables(self) -> list[Var]:
        return [v for arg in self.args for v in variables(arg)]

    def __str__(self) -> str:
        return f"{self.predicate}({', '.join(str(a) for a in self.args)})"


@dataclass(frozen=True, slots=True)
class Negation(_Node):
    atom: Atom
    position: Position = _pos()

    def variables(self) -> list[Var]:
        return self.atom.variables()

    def __str__(self) -> str:
        return f"not {self.atom}"


@dataclass(frozen=True, slots=True)
class Comparison(_Node):
    op: str  # one of == != < <= > >=  ("=" is read as "==")
    left: Term
    right: Term
    position: Position = _pos()

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
class Authority(_Node):
    """Where a rule's force comes from: a provision of statute or regulation, or the analyst."""

    kind: str  # "statute", "regulation", "interpretation" or "program"
    citation: str  # the provision's citation, or the interpretation's name
    position: Position = _pos()


@dataclass(frozen=True, slots=True)
class Rule(_Node):
    """A core Datalog rule (a fact when the body is empty), with its id and authority."""

    id: str
    head: Atom
    body: tuple[Literal, ...]
    authority: Authority
    position: Position = _pos()
    labelled: bool = False
    strength: str = STRICT  # strict | defeasible | defeater (see citelog.defeasible)

    @property
    def is_fact(self) -> bool:
        return not self.body

    def __str__(self) -> str:
        if not self.body:
            return f"{self.head}."
        return f"{self.head} :- {', '.join(str(lit) for lit in self.body)}."


# ---- surface: declarations ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Param(_Node):
    name: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Reading(_Node):
    """An English template; used when `param` is None or the argument `param` equals `value`."""

    template: str
    param: str | None = None
    value: Value | None = None


@dataclass(frozen=True, slots=True)
class PredicateDecl(_Node):
    """`input p(A, B) means "..." reads "..."` or `predicate p(A, B) ...`."""

    name: str
    params: tuple[Param, ...]
    meaning: str | None
    readings: tuple[Reading, ...]
    is_input: bool
    position: Position = _pos()

    @property
    def key(self) -> tuple[str, int]:
        return (self.name, len(self.params))


@dataclass(frozen=True, slots=True)
class TermDecl(_Node):
    """`term secretary reads "the Secretary".`: the words a value of the KB reads as in a sentence."""

    name: str
    words: str
    position: Position = _pos()


@dataclass(frozen=True, slots=True)
class SourceDecl(_Node):
    name: str
    path: str
    position: Position = _pos()


@dataclass(frozen=True, slots=True)
class Quote(_Node):
    source: str
    text: str
    position: Position = _pos()


@dataclass(frozen=True, slots=True)
class Noise(_Node):
    """Text of a source that is not law (a doubled line, a source credit), said so explicitly."""

    source: str
    text: str
    note: str
    position: Position = _pos()


@dataclass(frozen=True, slots=True)
class NamedQuery(_Node):
    """`query NAME means "..." asks ATOM.`: a documented question the KB answers."""

    name: str
    meaning: str
    atom: "Atom"
    position: Position = _pos()


# ---- surface: statements ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Conditions(_Node):
    """The `if ...` and `unless ...` parts shared by legal statements."""

    when: tuple[Literal, ...] = ()
    unless: tuple[Literal, ...] = ()


@dataclass(frozen=True, slots=True)
class Clause(_Node):
    head: Atom
    body: tuple[Literal, ...]


@dataclass(frozen=True, slots=True)
class Membership(_Node):
    """`P is a drawback_claimant if ... unless ...`"""

    variable: Var
    person_class: str
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Within(_Node):
    amount: int
    unit: str
    trigger: str


@dataclass(frozen=True, slots=True)
class Duty(_Node):
    """`claimant must make, keep and render records [within N days after event]`"""

    person_class: str
    actions: tuple[str, ...]
    obj: str
    within: Within | None
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Retention(_Node):
    """`keep records for at least 5 years from signature` and its other period forms."""

    records: str
    amount: int
    unit: str  # years, days, calendar_days, anniversary, prescribed
    trigger: str
    bound: str  # exactly, at_least, at_most, until, as_prescribed
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Power(_Node):
    """`customs may adjust previous_customs_treatment`"""

    agent: str
    action: str
    obj: str
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Definition(_Node):
    """`define associated_records as "..." including purchase_records, ...`"""

    term: str
    text: str
    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Penalty(_Node):
    """`failing to retain records is liable to a civil_penalty not exceeding $10,000`"""

    action: str
    obj: str
    kind: str
    cap: Value | None
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Superiority(_Node):
    """`A prevails over B because REASON`: A and B are rule labels or provision citations."""

    superior: str
    inferior: str
    superior_is_provision: bool
    inferior_is_provision: bool
    reason: str  # lex_specialis | lex_posterior | lex_superior | except_that | reading
    reading: str | None = None  # the analyst's own reading, when the reason is a text


@dataclass(frozen=True, slots=True)
class Exception_(_Node):
    """`exception to LABEL if ...`: defeats the labelled rule when the condition holds."""

    target: str
    when: tuple[Literal, ...]


Form = Union[Clause, Membership, Duty, Retention, Power, Definition, Penalty, Exception_, Superiority]


@dataclass(frozen=True, slots=True)
class Statement(_Node):
    form: Form
    label: str | None
    position: Position = _pos()
    strength: str = STRICT


@dataclass
class Provision:
    citation: str
    quotes: list[Quote]
    reconstructed: str | None
    notes: list[str]
    statements: list[Statement]
    position: Position = _pos()

    @property
    def authority(self) -> Authority:
        kind = "regulation" if " CFR " in self.citation else "statute"
        return Authority(kind, self.citation, self.position)


@dataclass
class Interpretation:
    name: str
    note: str
    statements: list[Statement]
    position: Position = _pos()

    @property
    def authority(self) -> Authority:
        return Authority("interpretation", self.name, self.position)


@dataclass
class Module:
    """One parsed rule file."""

    path: str
    sources: list[SourceDecl] = field(default_factory=list)
    declarations: list[PredicateDecl] = field(default_factory=list)
    terms: list[TermDecl] = field(default_factory=list)
    noise: list[Noise] = field(default_factory=list)
    queries: list[NamedQuery] = field(default_factory=list)
    provisions: list[Provision] = field(default_factory=list)
    interpretations: list[Interpretation] = field(default_factory=list)
    loose: list[Statement] = field(default_factory=list)  # statements outside any block
    warnings: list[Diagnostic] = field(default_factory=list)  # accepted, but probably not meant
