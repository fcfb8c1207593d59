"""Scenario files: the facts of one case, in YAML or JSON, checked against the KB's inputs.

    scenario: Acme's drawback claim            # a title (optional)
    facts:
      files_drawback_claim:                    # an input predicate of the KB
        - [acme, C-7]                          # a row by position ...
      drawback_claim_liquidated:
        - {Claim: C-7, Date: 2024-05-01}       # ... or by parameter name

An optional `parties` section names the parties, with a display name and the roles (classes of
the KB) the author expects them to have; once it is there, every fact that names a party (a
parameter called Party, Person, Agent, Recordkeeper, Participant or Applicant) must name a
declared one:

    parties:
      acme: Acme Imports Inc.                  # id: display name
      swift: {name: Swift Brokers, roles: [agent_of_party]}

The format, every field and the error codes are documented in docs/SCENARIOS.md.

The file is read with PyYAML's composer, not its constructor, so every value keeps its line and
column and no YAML implicit typing applies (`no` stays a string, `2023-02-30` is an error rather
than a crash). Scalars are typed as the rule language types them: integers, ISO dates, dollar
amounts, and strings for everything else; a quoted scalar is always a string. JSON is read the
same way (it is YAML). Text values are normalised to NFC, so that `société` typed and pasted is
one party; one that holds an invisible character (a zero-width space) is kept, with a warning. A
key given twice in one mapping is an error: YAML would keep the last and lose the first value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .characters import INVISIBLE_CODE, invisible, nfc, revealed
from .errors import CheckError, Diagnostic, Position, warning
from .program import Program
from .surface import PredicateDecl
from .textfile import read_text
from .values import DATE_FORMAT, Date, Money, Value, parse_int, type_name

_INT = re.compile(r"-?[0-9]+")
_MONEY = re.compile(r"\$[0-9][0-9,.]*")  # looks like an amount: Money.parse says if it is one
TOO_LARGE = ("a scenario is one file (2 MB holds some tens of thousands of rows); give more records to "
             "`citelog schedule` as a CSV inventory, which is read row by row")
FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml
_TYPES = {"string": str, "integer": int, "date": Date, "money": Money}


# Parameters of input predicates that name a party (checked against `parties:` when it is given).
PARTY_PARAMS = frozenset({"Party", "Person", "Agent", "Recordkeeper", "Participant", "Applicant"})


@dataclass(frozen=True)
class Party:
    """A declared party: its id (as the facts name it), display name and expected roles."""

    id: str
    name: str
    roles: tuple[str, ...] = ()
    position: Position = Position("<scenario>")


@dataclass
class Scenario:
    title: str
    facts: dict[str, list[tuple[Value, ...]]] = field(default_factory=dict)
    path: str = "<scenario>"
    parties: dict[str, Party] = field(default_factory=dict)  # empty: no `parties:` section
    warnings: list[Diagnostic] = field(default_factory=list)  # values with invisible characters

    @property
    def size(self) -> int:
        """How many facts the scenario gives."""
        return sum(len(rows) for rows in self.facts.values())

    def names(self) -> set[str]:
        """Every party the scenario names: declared, or a value in its facts."""
        named = set(self.parties)
        for rows in self.facts.values():
            named |= {value for row in rows for value in row if isinstance(value, str)}
        return named

    def party_name(self, party: str) -> str:
        found = self.parties.get(party)
        return found.name if found else party


def load_scenario(path: str | Path, program: Program) -> Scenario:
    """Read and validate a scenario file; every problem is reported at once with its place."""
    path = Path(path)
    text = read_text(path, str(path), unreadable="bad-scenario", encoding="bad-scenario", instead=TOO_LARGE)
    return parse_scenario(text, program, str(path))


def compose_yaml(text: str, path: str, code: str, expected: str = "YAML or JSON") -> yaml.Node | None:
    """The YAML node tree of a text (it keeps every value's line and column), or one diagnostic.
    Read by libyaml where it is built in (four times faster on a scenario of thousands of rows);
    a text it rejects is read again by PyYAML's own reader, whose messages say more."""
    if FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=FAST_LOADER)
        except (yaml.YAMLError, UnicodeError):
            pass
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = place(path, mark) if mark else Position(path)
        problem = getattr(error, "problem", None) or str(error)
        raise CheckError([Diagnostic(where, code, f"not valid {expected}: {problem}")]) from None


def parse_scenario(text: str, program: Program, path: str = "<scenario>") -> Scenario:
    root = compose_yaml(text, path, "bad-scenario")
    reader = _Reader(path, program)
    scenario = reader.scenario(root)
    if reader.problems:
        raise CheckError(reader.problems)
    scenario.warnings = reader.warnings
    return scenario


def place(path: str, mark: yaml.Mark) -> Position:
    """A place in a YAML file as citelog reports it (lines and columns from 1)."""
    return Position(path, mark.line + 1, mark.column + 1)


def entries(node: yaml.MappingNode) -> tuple[dict[str, tuple], list[tuple]]:
    """A mapping's (key node, value node) by key, and the (key node, first line) of every key
    given again: YAML would keep the last one, silently losing the first value."""
    found: dict[str, tuple] = {}
    again: list[tuple] = []
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name in found:
            again.append((key, found[name][0].start_mark.line + 1))
        else:
            found[name] = (key, value)
    return found, again


class _Reader:
    def __init__(self, path: str, program: Program):
        self.path = path
        self.inputs = {d.name: d for d in program.declarations if d.is_input}
        self.classes = _classes(program)
        self.problems: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.parties: dict[str, Party] | None = None  # None: no `parties:` section, any party goes

    def _at(self, node) -> Position:
        return place(self.path, node.start_mark)

    def problem(self, node, message: str, code: str = "bad-scenario") -> None:
        where = self._at(node) if node is not None else Position(self.path, 1, 1)  # an empty file has no node
        self.problems.append(Diagnostic(where, code, message))

    def text(self, node) -> str:
        """A scalar's text as a value: in NFC, with a warning if it holds an invisible character."""
        note = invisible(node.value)
        if note:
            self.warnings.append(warning(self._at(node), INVISIBLE_CODE, note))
        return nfc(node.value)

    def fields(self, node, what: str) -> dict[str, tuple]:
        """A mapping's entries by key; a key given twice is reported (YAML would keep the last)."""
        found, again = entries(node)
        for key, first in again:
            self.problem(key, f"'{key.value}' is given twice{what} (first at line {first})", "duplicate-id")
        return found

    def scenario(self, root) -> Scenario:
        scenario = Scenario(title="", path=self.path)
        self.parties = None
        if not isinstance(root, yaml.MappingNode):
            self.problem(root, "a scenario is a mapping with the keys 'scenario' (a title), 'parties' (optional) "
                               "and 'facts'")
            return scenario
        keys = self.fields(root, "")
        if "parties" in keys:  # read first: the facts are checked against it, wherever it stands
            self.parties = self.read_parties(keys["parties"][1])  # None if malformed: facts are then not checked
            scenario.parties = self.parties or {}
        for name, (key, value) in keys.items():
            if name == "scenario" and isinstance(value, yaml.ScalarNode):
                scenario.title = value.value
            elif name == "facts":
                scenario.facts = self.facts(value)
            elif name != "parties":
                self.problem(key, f"unknown key '{name}': a scenario has 'scenario' (a title), 'parties' (optional) "
                                  "and 'facts'")
        if "facts" not in keys:
            self.problem(root, "missing 'facts': a scenario must give at least one fact")
        return scenario

    def read_parties(self, node) -> dict[str, Party] | None:
        """`parties:` maps each party id to a display name, or to {name: ..., roles: [...]}."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "'parties' maps each party id to its name, or to {name: ..., roles: [...]}")
            return None
        parties: dict[str, Party] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or not key.value.strip():
                self.problem(key, "a party id is a single value, such as acme")
                continue
            ident = self.text(key)
            if ident in parties:
                first = parties[ident].position.line
                self.problem(key, f"party '{ident}' is declared twice (first at line {first})", "duplicate-id")
                continue
            name, roles = ident, ()
            if isinstance(value, yaml.ScalarNode):
                name = value.value or ident
            elif isinstance(value, yaml.MappingNode):
                fields = self.fields(value, f" for party '{ident}'")
                for extra in sorted(set(fields) - {"name", "roles"}, key=str):
                    self.problem(fields[extra][0], f"unknown field '{extra}' of party '{ident}' (fields: name, roles)")
                if "name" in fields:
                    node = fields["name"][1]
                    if isinstance(node, yaml.ScalarNode) and node.value:
                        name = node.value
                    else:
                        self.problem(node, f"the name of party '{ident}' is a single value")
                if "roles" in fields:
                    roles = self.roles(fields["roles"][1], ident)
            else:
                self.problem(value, f"party '{ident}' maps to its name, or to {{name: ..., roles: [...]}}")
            parties[ident] = Party(ident, name, roles, self._at(key))
        return parties

    def roles(self, node, ident: str) -> tuple[str, ...]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        roles = []
        for item in items:
            if not isinstance(item, yaml.ScalarNode) or not item.value:
                self.problem(item, f"a role of party '{ident}' is the name of a class, such as importer")
            elif item.value not in self.classes:
                hint = ", ".join(sorted(self.classes)) or "none"
                self.problem(item, f"unknown role '{item.value}' of party '{ident}': roles are the classes of "
                                   f"this KB ({hint})", "unknown-role")
            else:
                roles.append(item.value)
        return tuple(roles)

    def facts(self, node) -> dict[str, list[tuple]]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "'facts' maps each input predicate to a list of rows")
            return {}
        facts: dict[str, list[tuple]] = {}
        for key, rows in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            decl = self.inputs.get(name)
            if decl is None:
                hint = ", ".join(sorted(self.inputs)) or "none"
                self.problem(key, f"'{name}' is not an input of this KB (inputs: {hint})", "unknown-input")
                continue
            if name in facts:
                self.problem(key, f"'{name}' is listed twice; put all its rows under one key", "duplicate-id")
                continue
            if not isinstance(rows, yaml.SequenceNode):
                self.problem(rows, f"the facts of '{name}' are a list of rows")
                continue
            facts[name] = [row for item in rows.value if (row := self.row(item, decl)) is not None]
        return facts

    def row(self, node, decl: PredicateDecl) -> tuple | None:
        names = [p.name for p in decl.params]
        if isinstance(node, yaml.SequenceNode):
            cells = node.value
            if len(cells) != len(names):
                self.problem(node, f"{decl.name} takes {len(names)} value(s) ({', '.join(names)}), not {len(cells)}",
                             "arity-mismatch")
                return None
        elif isinstance(node, yaml.MappingNode):
            before = len(self.problems)
            given = self.fields(node, f" in a row of {decl.name}")
            unknown = [str(k) for k in given if k not in names]
            missing = [n for n in names if n not in given]
            if unknown or missing:
                detail = "; ".join(filter(None, [
                    f"unknown field(s) {', '.join(unknown)}" if unknown else "",
                    f"missing field(s) {', '.join(missing)}" if missing else "",
                ]))
                self.problem(node, f"{decl.name} row: {detail} (fields: {', '.join(names)})", "missing-field")
            if len(self.problems) > before:
                return None
            cells = [given[n][1] for n in names]
        else:
            self.problem(node, f"a row of {decl.name} is a list [{', '.join(names)}] or a mapping of those fields")
            return None
        values = [self.value(cell, param.type, decl.name, param.name) for cell, param in zip(cells, decl.params)]
        if self.parties is not None:
            for cell, param, value in zip(cells, decl.params, values):
                if param.name in PARTY_PARAMS and value is not None and str(value) not in self.parties:
                    declared = ", ".join(sorted(self.parties)) or "none"
                    self.problem(cell, f"{decl.name}.{param.name}: '{revealed(str(value))}' is not a declared party "
                                       f"(parties: {declared})", "unknown-party")
                    values = [None]
        return None if any(v is None for v in values) else tuple(values)

    def value(self, node, declared: str | None, predicate: str, param: str) -> Value | None:
        if not isinstance(node, yaml.ScalarNode) or node.value == "":
            self.problem(node, f"{predicate}.{param} must be a single value")
            return None
        text, plain = self.text(node), not node.style  # libyaml marks a plain scalar "", PyYAML None
        expected = _TYPES.get(declared or "")
        if expected is str:
            return text
        try:
            if plain and _INT.fullmatch(text):
                value: Value = parse_int(text)
            elif DATE_FORMAT.fullmatch(text):
                value = Date.parse(text)
            elif plain and _MONEY.fullmatch(text):
                value = Money.parse(text)
            else:
                value = text
        except ValueError as error:
            self.problem(node, str(error), "bad-value")
            return None
        if expected is not None and not isinstance(value, expected):
            self.problem(node, f"{predicate}.{param} must be a {declared}, not the {type_name(value)} {text!r}",
                         "bad-value")
            return None
        return value


def _classes(program: Program) -> set[str]:
    """The classes of persons a KB knows: the constant classes of its `is_a` rules."""
    from .core import Const

    return {
        rule.head.args[1].value
        for rule in program.rules
        if rule.head.predicate == "is_a" and len(rule.head.args) == 2 and isinstance(rule.head.args[1], Const)
    }
