"""A whole program after desugaring: core rules plus what explains them.

This is the hand-over point between the front end (parse, desugar, check) and the back end
(compile, evaluate, prove): it holds the core rules with their ids and authority, the predicate
declarations (input vocabulary and readings), the provisions with their quotes, and the sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .core import Atom, Negation, Rule, constants
from .defeasible import Theory
from .errors import Diagnostic, Position, QueryError
from .surface import Interpretation, Module, NamedQuery, Noise, PredicateDecl, Provision, SourceDecl, TermDecl


@dataclass
class Program:
    rules: list[Rule] = field(default_factory=list)
    declarations: list[PredicateDecl] = field(default_factory=list)
    terms: list[TermDecl] = field(default_factory=list)  # the words values read as
    provisions: list[Provision] = field(default_factory=list)
    interpretations: list[Interpretation] = field(default_factory=list)
    sources: list[SourceDecl] = field(default_factory=list)
    noise: list[Noise] = field(default_factory=list)
    queries: list[NamedQuery] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)
    root: Path | None = None  # the KB folder, against which source paths resolve
    kb_mode: bool = True  # KB files: every rule needs a provision; plain programs: no
    theory: Theory = field(default_factory=lambda: Theory({}, []))  # the defeasible part, as written
    plan: object = field(default=None, compare=False, repr=False)  # its evaluation plan (strata.Plan), made
    # once a program is checked, kept with it in the cache of builds (citelog.cache)

    @property
    def warnings(self) -> list[Diagnostic]:
        """What the rule files hold that is accepted but probably not meant (docs/ERRORS.md)."""
        return sorted(w for module in self.modules for w in module.warnings)

    @property
    def activities_file(self) -> Path | None:
        """The KB's file of the activities an inventory may name (citelog.activities), if it has one."""
        path = self.root / "activities.yaml" if self.root is not None else None
        return path if path is not None and path.is_file() else None

    def declaration(self, name: str) -> PredicateDecl | None:
        return next((d for d in self.declarations if d.name == name), None)

    @property
    def input_predicates(self) -> dict[str, int]:
        """Predicates a user may supply as facts, with their arity."""
        return {d.name: len(d.params) for d in self.declarations if d.is_input}

    def defined_predicates(self) -> dict[str, int]:
        """Predicates with at least one rule or fact, with the arity of their first definition."""
        found: dict[str, int] = {}
        for rule in self.rules:
            found.setdefault(rule.head.predicate, len(rule.head.args))
        return found

    def constants(self) -> set:
        """Every value its rules, facts and catalogue queries name: the values a query or a `term`
        can mean (a scenario may give others)."""
        found: set = set()
        literals = [lit for rule in self.rules for lit in (rule.head, *rule.body)] + [q.atom for q in self.queries]
        for literal in literals:
            literal = literal.atom if isinstance(literal, Negation) else literal
            terms = literal.args if isinstance(literal, Atom) else (literal.left, literal.right)
            found.update(value for term in terms for value in constants(term))
        return found

    def rules_by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def provision(self, citation: str) -> Provision | None:
        return next((p for p in self.provisions if p.citation == citation), None)

    def named_query(self, name: str) -> NamedQuery | None:
        return next((q for q in self.queries if q.name == name), None)

    def catalogue_query(self, name: str) -> NamedQuery:
        """The catalogue query NAME, or an error that lists the names there are."""
        named = self.named_query(name)
        if named is None:
            names = ", ".join(q.name for q in self.queries) or "none"
            raise QueryError(f"no query named '{name}' in the catalogue, which has: {names}",
                             Position("<query>", 1, 1), code="unknown-query")
        return named
