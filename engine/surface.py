"""The surface syntax: what a KB editor writes, as the parser builds it from a rule file.

Declarations (inputs, terms, sources, named queries), provisions and interpretations with their
quotes and notes, and the legal statements (`P is a C`, duties, periods, powers, definitions,
penalties, exceptions, superiority) that read close to the statute. `citelog.desugar` turns the
statements into core rules (`citelog.core`, which this layer builds on and which never imports
it back); the declarations, provisions and quotes travel on in the `Program` to explain them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .core import STRICT, Atom, Authority, Literal, Node, Var, position_field
from .errors import Diagnostic, Position
from .values import Value


# ---- declarations ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Param(Node):
    name: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Reading(Node):
    """An English template; used when `param` is None or the argument `param` equals `value`."""

    template: str
    param: str | None = None
    value: Value | None = None


@dataclass(frozen=True, slots=True)
class PredicateDecl(Node):
    """`input p(A, B) means "..." reads "..."` or `predicate p(A, B) ...`."""

    name: str
    params: tuple[Param, ...]
    meaning: str | None
    readings: tuple[Reading, ...]
    is_input: bool
    position: Position = position_field()

    @property
    def key(self) -> tuple[str, int]:
        return (self.name, len(self.params))


@dataclass(frozen=True, slots=True)
class TermDecl(Node):
    """`term secretary reads "the Secretary".`: the words a value of the KB reads as in a sentence."""

    name: str
    words: str
    position: Position = position_field()


@dataclass(frozen=True, slots=True)
class SourceDecl(Node):
    name: str
    path: str
    position: Position = position_field()


@dataclass(frozen=True, slots=True)
class Quote(Node):
    source: str
    text: str
    position: Position = position_field()


@dataclass(frozen=True, slots=True)
class Noise(Node):
    """Text of a source that is not law (a doubled line, a source credit), said so explicitly."""

    source: str
    text: str
    note: str
    position: Position = position_field()


@dataclass(frozen=True, slots=True)
class NamedQuery(Node):
    """`query NAME means "..." asks ATOM.`: a documented question the KB answers."""

    name: str
    meaning: str
    atom: Atom
    position: Position = position_field()


# ---- statements ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Conditions(Node):
    """The `if ...` and `unless ...` parts shared by legal statements."""

    when: tuple[Literal, ...] = ()
    unless: tuple[Literal, ...] = ()


@dataclass(frozen=True, slots=True)
class Clause(Node):
    head: Atom
    body: tuple[Literal, ...]


@dataclass(frozen=True, slots=True)
class Membership(Node):
    """`P is a drawback_claimant if ... unless ...`"""

    variable: Var
    person_class: str
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Within(Node):
    amount: int
    unit: str
    trigger: str


@dataclass(frozen=True, slots=True)
class Duty(Node):
    """`claimant must make, keep and render records [within N days after event]`"""

    person_class: str
    actions: tuple[str, ...]
    obj: str
    within: Within | None
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Retention(Node):
    """`keep records for at least 5 years from signature` and its other period forms."""

    records: str
    amount: int
    unit: str  # years, days, calendar_days, anniversary, prescribed
    trigger: str
    bound: str  # exactly, at_least, at_most, until, as_prescribed
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Power(Node):
    """`customs may adjust previous_customs_treatment`"""

    agent: str
    action: str
    obj: str
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Definition(Node):
    """`define associated_records as "..." including purchase_records, ...`"""

    term: str
    text: str
    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Penalty(Node):
    """`failing to retain records is liable to a civil_penalty not exceeding $10,000`"""

    action: str
    obj: str
    kind: str
    cap: Value | None
    conditions: Conditions


@dataclass(frozen=True, slots=True)
class Superiority(Node):
    """`A prevails over B because REASON`: A and B are rule labels or provision citations."""

    superior: str
    inferior: str
    superior_is_provision: bool
    inferior_is_provision: bool
    reason: str  # lex_specialis | lex_posterior | lex_superior | except_that | reading
    reading: str | None = None  # the analyst's own reading, when the reason is a text


@dataclass(frozen=True, slots=True)
class Exception_(Node):
    """`exception to LABEL if ...`: defeats the labelled rule when the condition holds."""

    target: str
    when: tuple[Literal, ...]


Form = Union[Clause, Membership, Duty, Retention, Power, Definition, Penalty, Exception_, Superiority]


@dataclass(frozen=True, slots=True)
class Statement(Node):
    form: Form
    label: str | None
    position: Position = position_field()
    strength: str = STRICT


@dataclass
class Provision:
    citation: str
    quotes: list[Quote]
    reconstructed: str | None
    notes: list[str]
    statements: list[Statement]
    position: Position = position_field()

    @property
    def authority(self) -> Authority:
        kind = "regulation" if " CFR " in self.citation else "statute"
        return Authority(kind, self.citation, self.position)


@dataclass
class Interpretation:
    name: str
    note: str
    statements: list[Statement]
    position: Position = position_field()

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
