"""The activities a row of a retention inventory may name, and the given facts each one states.

An inventory (`citelog schedule`, docs/SCHEDULE.md) says what a party did in a business's words:
`imports`, `files_entry`, `completes_and_issues_certificate`. Every two-place input of the KB whose
first parameter is a party is an activity stating just that fact (`imports(party, subject)`).
Activities that state more, such as the conditions that make the party a member of its class, are
the KB's own knowledge, kept beside its rules in `activities.yaml` and checked against its
declarations when they are read:

    files_entry:
      description: the party, whose activities require the filing of an entry, filed the entry (subject)
      facts:
        - activities_require_declaration_or_entry(party)
        - files_entry(party, subject)

A fact's arguments are `party`, `subject` or `certificate` (the row's columns of those names).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .core import Const
from .errors import CitelogError, CheckError, Diagnostic, Position
from .program import Program
from .parser import parse_atom
from .scenario import PARTY_PARAMS, compose_yaml, entries, place
from .textfile import read_text

ROLES = ("party", "subject", "certificate")  # what a fact's argument may name: a column of the row


@dataclass(frozen=True)
class Activity:
    """What a row's `activity` states: given facts about its party, subject and certificate."""

    name: str
    facts: tuple[tuple[str, tuple[str, ...]], ...]  # (predicate, the role of each argument)
    description: str = ""

    @property
    def needs_certificate(self) -> bool:
        return any("certificate" in roles for _, roles in self.facts)

    def instantiate(self, party, subject, certificate) -> dict[str, list[tuple]]:
        """The facts it states about one party, subject and certificate."""
        values = {"party": party, "subject": subject, "certificate": certificate}
        facts: dict[str, list[tuple]] = {}
        for predicate, roles in self.facts:
            facts.setdefault(predicate, []).append(tuple(values[role] for role in roles))
        return facts


def activities(program: Program) -> dict[str, Activity]:
    """Every activity a row may name with this KB, by name: the two-place inputs of a party, and
    the KB's own activities (its `activities.yaml`, if it has one); raises CheckError for a file
    that does not read or does not agree with the KB's declarations."""
    found = {}
    for decl in program.declarations:
        if decl.is_input and len(decl.params) == 2 and decl.params[0].name in PARTY_PARAMS:
            found[decl.name] = Activity(decl.name, ((decl.name, ("party", "subject")),), decl.meaning or "")
    if program.activities_file is not None:
        found.update(read_activities(program.activities_file, program))
    return dict(sorted(found.items()))


def problems(program: Program) -> list[Diagnostic]:
    """What is wrong with the KB's activities file (none if it has none): for `citelog check`."""
    try:
        activities(program)
    except CheckError as error:
        return list(error.diagnostics)
    return []


def read_activities(path: Path, program: Program) -> dict[str, Activity]:
    """The activities of a file, every problem reported at once with its place."""
    shown = str(path)
    text = read_text(path, shown, unreadable="bad-activities", encoding="bad-activities")
    root = compose_yaml(text, shown, "bad-activities", "YAML")
    problems: list[Diagnostic] = []

    def problem(node, message: str) -> None:
        problems.append(Diagnostic(place(shown, node.start_mark), "bad-activities", message))

    found: dict[str, Activity] = {}
    if not isinstance(root, yaml.MappingNode):
        raise CheckError([Diagnostic(Position(shown, 1, 1), "bad-activities",
                                     "the file maps each activity's name to its description and facts")])
    named, again = entries(root)
    for key, first in again:
        problem(key, f"activity '{key.value}' is given twice (first on line {first})")
    for name, (key, body) in named.items():
        fields, twice = entries(body) if isinstance(body, yaml.MappingNode) else ({}, [])
        if not isinstance(name, str) or not name.isidentifier() or not fields:
            problem(key, "an activity is a name (letters, digits, _) with a description and facts")
            continue
        for field, first in twice:
            problem(field, f"activity {name}: '{field.value}' is given twice (first on line {first})")
        for unknown in sorted(set(fields) - {"description", "facts"}, key=str):
            problem(fields[unknown][0], f"activity {name}: unknown field '{unknown}' (fields: description, facts)")
        facts = fields.get("facts", (key, None))[1]
        if not isinstance(facts, yaml.SequenceNode) or not facts.value:
            problem(key, f"activity {name} needs its facts: a list of atoms such as files_entry(party, subject)")
            continue
        stated = [_fact(item, program, problem) for item in facts.value]
        description = fields.get("description", (key, None))[1]
        words = description.value if isinstance(description, yaml.ScalarNode) else ""
        if not words:
            problem(key, f"activity {name} needs a description: what a row with this activity says the party did")
        if all(stated) and words:
            found[name] = Activity(name, tuple(stated), words)
    if problems:
        raise CheckError(sorted(problems, key=lambda d: (d.position.line, d.position.column)))
    return found


def _fact(node, program: Program, problem) -> tuple[str, tuple[str, ...]] | None:
    """One fact of an activity: an input of the KB over the roles party, subject and certificate."""
    if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
        problem(node, "a fact is an atom such as files_entry(party, subject)")
        return None
    try:
        atom = parse_atom(node.value)
    except CitelogError as error:
        split = node.value.count("(") != node.value.count(")")  # `[f(a, b)]`: YAML splits a flow list at commas
        problem(node, f"'{node.value}' is not an atom: {error.diagnostics[0].message}" + (
            " (a comma inside [ ] separates items: write one fact per line, after '- ')" if split else ""))
        return None
    decl = program.declaration(atom.predicate)
    if decl is None or not decl.is_input:
        problem(node, f"'{atom.predicate}' is not an input of the KB (an activity states given facts)")
        return None
    if len(atom.args) != len(decl.params):
        problem(node, f"{atom.predicate} takes {len(decl.params)} argument(s), not {len(atom.args)}")
        return None
    roles = tuple(str(a.value) if isinstance(a, Const) else "" for a in atom.args)
    if not all(role in ROLES for role in roles):
        problem(node, f"the arguments of {atom} are the row's party, subject or certificate")
        return None
    return atom.predicate, roles
