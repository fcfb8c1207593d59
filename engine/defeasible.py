"""Defeasible logic, compiled into the stratified Datalog that the engine evaluates.

The variant is the standard defeasible logic of Nute and of Antoniou, Billington, Governatori and
Maher ("Representation results for defeasible logic", 2001): strict rules, defeasible rules,
defeaters and a superiority relation between rules, with ambiguity blocking and team defeat. A
literal `p(a)` is concluded (+∂) when it follows from facts and strict rules alone (+Δ), or when
a strict or defeasible rule for it applies, its opposite `¬p(a)` does not follow strictly, and
every rule for `¬p(a)` that applies (defeaters included) is overridden by some applicable rule for
`p(a)` that is superior to it. docs/LANGUAGE.md says why this variant.

A predicate is defeasible when some rule concludes it defeasibly (`normally`), a defeater bears on
it (`might`), or a rule concludes its opposite (`~p`). For it, and only for it, the rules are
rewritten into core rules over generated predicates (a name with ':' cannot be written in a rule
file), each kept with the id and authority of the rule it comes from:

    definitely:p(a) :- B'.                      p(a) by strict rules: +Δ (B' reads definitely:q for q)
    p(a) :- B, not definitely:¬p(a), not attacked:p(a).          a rule for p concludes it: +∂
    applies:r(a) :- B.                          rule r applies (its body holds)
    attacked:p(X) :- applies:s(X), not overridden:s(X).          s, for ¬p, stands against p(X)
    overridden:s(X) :- applies:t(X).            t prevails over s (stated by the superiority)

Only what a rule can meet is generated: a rule with no opponent (no rule for the opposite whose
head unifies with its own) is left as it was written, so a KB that uses no defeasible form
compiles exactly as before. Negated conditions (`not q`) read the conclusions of q; the checker
rejects a theory whose compilation cannot be stratified.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from .core import (
    DEFEATER,
    NEG,
    STRICT,
    Atom,
    Authority,
    BinOp,
    Comparison,
    Const,
    Literal,
    Negation,
    Rule,
    Var,
    opposite,
)
from .errors import Diagnostic, Position
from .names import INTERNAL, fresh
from .surface import Statement, Superiority

DEFINITELY, APPLIES, ATTACKED, OVERRIDDEN = "definitely", "applies", "attacked", "overridden"
KINDS = (DEFINITELY, APPLIES, ATTACKED, OVERRIDDEN)  # of the predicates a theory's compilation generates

REASONS = {
    "lex_specialis": "lex specialis: the specific provision prevails over the general one",
    "lex_posterior": "lex posterior: the later provision prevails over the earlier one",
    "lex_superior": "lex superior: the provision of higher authority prevails",
    "except_that": "the law says 'except that': the exception prevails over the rule it qualifies",
}
_RANK = {"statute": 2, "regulation": 1}


@dataclass(frozen=True)
class Override:
    """One pair of a superiority relation: rule `superior` prevails over rule `inferior`."""

    superior: Rule
    inferior: Rule
    reason: str  # a key of REASONS, or "reading"
    reading: str | None  # the analyst's reading, for the reason "reading"
    id: str  # the id of the statement that says so
    authority: Authority  # of the block that states it
    position: Position

    @property
    def because(self) -> str:
        """The reason in words."""
        return REASONS.get(self.reason) or f"the analyst's reading: {self.reading}"


@dataclass
class Theory:
    """The defeasible part of a program: its rules as written, by literal, and the superiority."""

    rules: dict[str, list[Rule]]  # p or ¬p -> the rules that conclude it (defeaters too)
    overrides: list[Override]

    def applied(self, predicate: str, rule_id: str, premise: str) -> Override | None:
        """The superiority that a step `overridden:s(...)`, derived by rule `rule_id` from `applies:t(...)`,
        applies: t prevailing over s."""
        return next((o for o in self.overrides if o.id == rule_id and predicate == generated(OVERRIDDEN, o.inferior.id)
                     and premise == generated(APPLIES, o.superior.id)), None)

    def opponents(self, rule: Rule) -> list[Rule]:
        """The rules for the opposite literal whose heads can meet this rule's head."""
        return [s for s in self.rules.get(opposite(rule.head.predicate), []) if unifiable(rule.head, s.head)]


def generated(kind: str, key: str) -> str:
    """The name of a generated predicate (pyDatalog reads '.' as a class prefix: none is kept)."""
    return f"{kind}{INTERNAL}{key}".replace(".", "·")


def defeasible_predicates(rules: list[Rule]) -> set[str]:
    """The predicates (p, for both p and ¬p) that a defeasible form bears on."""
    found = set()
    for rule in rules:
        if rule.strength != STRICT or rule.head.predicate.startswith(NEG):
            found.add(base(rule.head.predicate))
    return found


def base(predicate: str) -> str:
    """The predicate of a literal's positive form: p for p and for ¬p."""
    return predicate[len(NEG):] if predicate.startswith(NEG) else predicate


def compile_theory(rules: list[Rule], superiorities: list[tuple[Statement, Superiority, str, Authority]]
                   ) -> tuple[list[Rule], Theory, list[Diagnostic]]:
    """Rewrite the rules of defeasible predicates into core rules; expand and check the superiority."""
    bases = defeasible_predicates(rules)
    theory = Theory(defaultdict(list), [])
    seen: dict[str, int] = {}
    for rule in rules:
        if base(rule.head.predicate) in bases:
            seen[rule.id] = seen.get(rule.id, 0) + 1  # generated names are keyed by rule id: keep them apart
            unique = rule.id if seen[rule.id] == 1 else f"{rule.id}/{seen[rule.id]}"
            theory.rules[rule.head.predicate].append(_plain_head(replace(rule, id=unique)))
    diagnostics = _arities(theory)
    overrides, found = _expand(theory, superiorities, rules)
    theory.overrides = overrides
    diagnostics += found
    if diagnostics:
        return rules, theory, diagnostics
    kept = [r for r in rules if base(r.head.predicate) not in bases]
    return kept + _Compiler(theory).rules(), theory, []


# ---- heads and unification ---------------------------------------------------------------------------


def _plain_head(rule: Rule) -> Rule:
    """The rule with every expression of its head moved into its body (`p(N + 1)` -> `p(V), V = N + 1`),
    so that generated literals over the head never carry expressions."""
    args, body = [], list(rule.body)
    for index, arg in enumerate(rule.head.args):
        if isinstance(arg, BinOp):
            var = Var(fresh("head", index), arg.position)
            body.append(Comparison("==", var, arg, arg.position))
            arg = var
        args.append(arg)
    return replace(rule, head=replace(rule.head, args=tuple(args)), body=tuple(body))


def unifiable(one: Atom, other: Atom) -> bool:
    """Whether some ground atom is an instance of both heads (their predicates aside)."""
    if len(one.args) != len(other.args):
        return False
    parent: dict[tuple, tuple] = {}
    value: dict[tuple, object] = {}  # the constant a class of terms is bound to

    def find(key: tuple) -> tuple:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    for left, right in zip(one.args, other.args):
        keys = []
        for side, term in ((0, left), (1, right)):
            if isinstance(term, Const):
                key = ("const", type(term.value).__name__, term.value)
                value[key] = term.value
            elif isinstance(term, Var) and not term.anonymous:
                key = ("var", side, term.name)
            else:  # `_` or an expression: any value
                key = None
            keys.append(key)
        if None in keys:
            continue
        a, b = find(keys[0]), find(keys[1])
        if a == b:
            continue
        if a in value and b in value and value[a] != value[b]:
            return False
        parent[a] = b
        if a in value:
            value[b] = value[a]
    return True


def _arities(theory: Theory) -> list[Diagnostic]:
    found = []
    for predicate, rules in sorted(theory.rules.items()):
        if predicate.startswith(NEG) and base(predicate) in theory.rules:
            arity = len(theory.rules[base(predicate)][0].head.args)
            for rule in rules:
                if len(rule.head.args) != arity:
                    found.append(_error(rule.head.position, "arity-mismatch",
                                        f"{predicate} takes {arity} argument(s), as {base(predicate)} does, "
                                        f"not {len(rule.head.args)}"))
    return found


# ---- the superiority relation --------------------------------------------------------------------------


def _expand(theory: Theory, superiorities, rules: list[Rule]) -> tuple[list[Override], list[Diagnostic]]:
    """Each superiority statement as the pairs of rules it orders: rules whose heads conflict."""
    every = [r for members in theory.rules.values() for r in members]
    labels = {r.id.split("/", 1)[0] for r in rules if r.labelled}
    citations = {r.authority.citation for r in rules if r.authority.kind in _RANK}
    overrides, found = [], []
    for statement, form, statement_id, authority in superiorities:
        at = statement.position
        if form.reason != "reading" and form.reason not in REASONS:
            found.append(_error(at, "bad-reason", f"unknown reason '{form.reason}': write one of "
                                f"{', '.join(REASONS)}, or the analyst's reading as a string"))
            continue
        sides = []
        for ref, is_provision in ((form.superior, form.superior_is_provision),
                                  (form.inferior, form.inferior_is_provision)):
            if is_provision:
                members = [r for r in every if r.authority.citation == ref and r.authority.kind in _RANK]
            else:
                members = [r for r in every if r.labelled and r.id.split("/", 1)[0] == ref]
            sides.append(members)
            if ref not in (citations if is_provision else labels):
                found.append(_error(at, "unknown-rule", f"{_ref(ref, is_provision)}: no " + (
                    "provision with rules has this citation" if is_provision else "statement carries this label")))
            elif not members:
                found.append(_error(at, "no-conflict", f"{_ref(ref, is_provision)} concludes nothing that a "
                                    "defeasible rule, a defeater or a negative conclusion bears on, so no "
                                    "superiority can order it"))
        if not all(sides):
            continue
        pairs = [(t, s) for t in sides[0] for s in sides[1]
                 if t.head.predicate == opposite(s.head.predicate) and unifiable(t.head, s.head)]
        if not pairs:
            found.append(_error(at, "no-conflict", f"{_ref(form.superior, form.superior_is_provision)} and "
                                f"{_ref(form.inferior, form.inferior_is_provision)} have no conflicting conclusions: "
                                "a superiority orders rules whose heads are complementary, p(...) and ~p(...)"))
            continue
        for t, s in pairs:
            if form.reason == "lex_superior" and _RANK.get(t.authority.kind, 0) <= _RANK.get(s.authority.kind, 0):
                found.append(_error(at, "bad-reason", f"lex superior: {t.authority.citation} "
                                    f"({t.authority.kind}) does not outrank {s.authority.citation} "
                                    f"({s.authority.kind})"))
                break
            overrides.append(Override(t, s, form.reason, form.reading, statement_id, authority, at))
    return overrides, found


def _ref(name: str, is_provision: bool) -> str:
    return f"provision '{name}'" if is_provision else f"rule [{name}]"


# ---- the compilation ---------------------------------------------------------------------------------------


class _Compiler:
    """The core rules of one theory (see the module's docstring)."""

    def __init__(self, theory: Theory):
        self.theory = theory
        self.overrides: dict[int, list[Override]] = defaultdict(list)  # by id() of the inferior rule
        for override in theory.overrides:
            if override.superior.strength != DEFEATER:  # a defeater proves nothing, so overrides nothing
                self.overrides[id(override.inferior)].append(override)
        self.definite_needed: set[str] = set()

    def rules(self) -> list[Rule]:
        out: list[Rule] = []
        attackers: dict[int, Rule] = {}
        for predicate, rules in sorted(self.theory.rules.items()):
            for rule in rules:
                opponents = self.theory.opponents(rule)
                for s in opponents:
                    attackers[id(s)] = s
                out += self._conclusions(rule, opponents)
        applying: dict[int, Rule] = dict(attackers)
        for overrides in self.overrides.values():
            applying.update((id(o.superior), o.superior) for o in overrides)
        for rule in applying.values():
            out.append(self._applies(rule))
        for s in attackers.values():
            out.append(self._attack(s))
            out += [self._override(o) for o in self.overrides.get(id(s), [])]
        out += self._definitely()
        return _without_empty_guards(out)

    def _conclusions(self, rule: Rule, opponents: list[Rule]) -> list[Rule]:
        """The rules that conclude the head of `rule` (+∂; +Δ for a strict rule that can be attacked)."""
        if rule.strength == DEFEATER:
            return []
        definite = self._definite_body(rule.body, needed=False) if rule.strength == STRICT else None
        if not opponents or definite == rule.body:  # unopposed, or strict over facts: cannot be defeated
            return [rule]
        head = rule.head
        guards: tuple[Literal, ...] = ()
        if any(s.strength == STRICT for s in opponents):
            self.definite_needed.add(opposite(head.predicate))
            guards += (Negation(Atom(generated(DEFINITELY, opposite(head.predicate)), head.args, head.position),
                                head.position),)
        guards += (Negation(Atom(generated(ATTACKED, head.predicate), head.args, head.position), head.position),)
        concluded = [replace(rule, body=rule.body + guards)]
        if definite is not None:  # +Δ: a strict rule whose body holds strictly cannot be defeated
            concluded.append(replace(rule, body=self._definite_body(rule.body)))
        return concluded

    def _applies(self, rule: Rule) -> Rule:
        head = Atom(generated(APPLIES, rule.id), rule.head.args, rule.head.position)
        return replace(rule, head=head, labelled=False)

    def _attack(self, s: Rule) -> Rule:
        against = opposite(s.head.predicate)
        xs = _fresh_args(len(s.head.args), s.position)
        body: tuple[Literal, ...] = (Atom(generated(APPLIES, s.id), xs, s.position),)
        if self.overrides.get(id(s)):
            body += (Negation(Atom(generated(OVERRIDDEN, s.id), xs, s.position), s.position),)
        return replace(s, head=Atom(generated(ATTACKED, against), xs, s.position), body=body, labelled=False)

    def _override(self, override: Override) -> Rule:
        xs = _fresh_args(len(override.inferior.head.args), override.position)
        head = Atom(generated(OVERRIDDEN, override.inferior.id), xs, override.position)
        body = (Atom(generated(APPLIES, override.superior.id), xs, override.position),)
        return Rule(override.id, head, body, override.authority, override.position)

    # -- the strict part: +Δ

    def _definite_body(self, body: tuple[Literal, ...], needed: bool = True) -> tuple[Literal, ...] | None:
        """The body read strictly: a defeasible predicate's atom reads its +Δ conclusions (which are then
        generated, if `needed`); None when some atom has no strict rule (it can never hold strictly)."""
        out = []
        for literal in body:
            if isinstance(literal, Atom) and literal.predicate in self.theory.rules:
                if not any(r.strength == STRICT for r in self.theory.rules[literal.predicate]):
                    return None
                if needed:
                    self.definite_needed.add(literal.predicate)
                literal = replace(literal, predicate=generated(DEFINITELY, literal.predicate))
            out.append(literal)
        return tuple(out)

    def _definitely(self) -> list[Rule]:
        out, done = [], set()
        while self.definite_needed - done:
            predicate = sorted(self.definite_needed - done)[0]
            done.add(predicate)
            for rule in self.theory.rules.get(predicate, []):
                if rule.strength != STRICT:
                    continue
                body = self._definite_body(rule.body)
                if body is not None:
                    head = Atom(generated(DEFINITELY, predicate), rule.head.args, rule.head.position)
                    out.append(replace(rule, head=head, body=body, labelled=False))
        return out


def _without_empty_guards(rules: list[Rule]) -> list[Rule]:
    """Drop `not definitely:q(...)` where no strict rule can ever give q strictly: it always holds."""
    defined = {r.head.predicate for r in rules}
    return [replace(r, body=tuple(lit for lit in r.body if not (
        isinstance(lit, Negation) and lit.atom.predicate.startswith(f"{DEFINITELY}{INTERNAL}")
        and lit.atom.predicate not in defined))) for r in rules]


def _fresh_args(arity: int, position: Position) -> tuple[Var, ...]:
    return tuple(Var(fresh("x", i), position) for i in range(arity))


def _error(position: Position, code: str, message: str) -> Diagnostic:
    return Diagnostic(position, code, message)
