"""The pass from the surface syntax (`citelog.surface`) to core Datalog rules (`citelog.core`).

Every legal statement becomes one or more core rules over the legal vocabulary
(`grammar/legal-vocabulary.clog`): `P is a C` becomes `is_a(P, c)`, `C must keep R` becomes
`duty(c, keep, r)`, and so on. Conditions become body literals. Exceptions (`unless ...`
inside a statement, `exception to LABEL if ...` in another provision) become a defeater
predicate that the defeated rule negates, so the exception keeps its own citation and a proof
can say which exception defeated which rule. Defeasible rules, defeaters, negative conclusions
and superiority statements are compiled last, by `citelog.defeasible`.
"""

from __future__ import annotations

from dataclasses import replace

from .core import Atom, Authority, Comparison, Const, Literal, Negation, Rule, Var
from .defeasible import compile_theory
from .errors import Diagnostic
from .names import INTERNAL
from .program import Program
from .surface import (
    Clause,
    Conditions,
    Definition,
    Duty,
    Exception_,
    Membership,
    Module,
    Penalty,
    Power,
    Retention,
    Statement,
    Superiority,
)

ORPHAN = "none"  # authority kind of a rule outside any provision or interpretation


def desugar(modules: list[Module], kb_mode: bool = True) -> tuple[Program, list[Diagnostic]]:
    """Build the core program of a set of parsed files; report exceptions with unknown targets."""
    program = Program(modules=modules, kb_mode=kb_mode)
    exceptions: list[tuple[Statement, Exception_, str, Authority]] = []
    superiorities: list[tuple[Statement, Superiority, str, Authority]] = []
    for module in modules:
        program.sources += module.sources
        program.noise += module.noise
        program.queries += module.queries
        program.declarations += module.declarations
        program.terms += module.terms
        program.provisions += module.provisions
        program.interpretations += module.interpretations
        blocks = [(p.citation, p.authority, p.statements) for p in module.provisions]
        blocks += [(i.name, i.authority, i.statements) for i in module.interpretations]
        loose_authority = Authority(ORPHAN if kb_mode else "program", "")
        blocks += [(None, loose_authority, [s]) for s in module.loose]
        for prefix, authority, statements in blocks:
            for index, statement in enumerate(statements, start=1):
                rule_id = _statement_id(statement, prefix, index)
                if isinstance(statement.form, Exception_):
                    exceptions.append((statement, statement.form, rule_id, authority))
                elif isinstance(statement.form, Superiority):
                    superiorities.append((statement, statement.form, rule_id, authority))
                else:
                    program.rules += _rules_of(statement, rule_id, authority)
    diagnostics = _attach_exceptions(program, exceptions)
    program.rules, program.theory, found = compile_theory(program.rules, superiorities)
    return program, diagnostics + found


def _statement_id(statement: Statement, prefix: str | None, index: int) -> str:
    if statement.label:
        return statement.label
    if prefix is None:
        position = statement.position
        return f"{position.path}:{position.line}"
    return f"{prefix}#{index}"


def _const(value, statement: Statement) -> Const:
    return Const(value, statement.position)


def _rules_of(statement: Statement, rule_id: str, authority: Authority) -> list[Rule]:
    """The core rules of one statement (several for a duty with several actions)."""
    form = statement.form
    at = statement.position

    def atom(predicate: str, *values) -> Atom:
        args = tuple(v if isinstance(v, (Var, Const)) else _const(v, statement) for v in values)
        return Atom(predicate, args, at)

    heads: list[tuple[str, Atom]]  # (suffix of the rule id, head)
    conditions = getattr(form, "conditions", Conditions())
    if isinstance(form, Clause):
        heads = [("", form.head)]
        conditions = Conditions(form.body, ())
    elif isinstance(form, Membership):
        heads = [("", atom("is_a", form.variable, form.person_class))]
    elif isinstance(form, Duty):
        several = len(form.actions) > 1
        heads = [
            (f"/{action}" if several else "", atom("duty", form.person_class, action, form.obj))
            for action in form.actions
        ]
        if form.within:
            w = form.within
            heads += [
                (
                    f"/{action}/deadline" if several else "/deadline",
                    atom("deadline", form.person_class, action, form.obj, w.amount, w.unit, w.trigger),
                )
                for action in form.actions
            ]
    elif isinstance(form, Retention):
        heads = [("", atom("retention", form.records, form.amount, form.unit, form.trigger, form.bound))]
    elif isinstance(form, Power):
        heads = [("", atom("power", form.agent, form.action, form.obj))]
    elif isinstance(form, Definition):
        heads = [("", atom("defined", form.term, form.text))]
        heads += [(f"/{part}", atom("includes", form.term, part)) for part in form.parts]
    elif isinstance(form, Penalty):
        heads = [("", atom("penalty", form.action, form.obj, form.kind))]
        if form.cap is not None:
            heads.append(("/cap", atom("penalty_cap", form.action, form.obj, form.kind, form.cap)))
    else:  # pragma: no cover - the grammar has no other statement forms
        raise TypeError(f"unknown statement form {form!r}")

    rules = [
        Rule(rule_id + suffix, head, conditions.when, authority, at, labelled=statement.label is not None,
             strength=statement.strength)
        for suffix, head in heads
    ]
    if conditions.unless:
        rules = _defeat(rules, conditions.unless, rule_id + "/unless", "unless", authority, at)
    return rules


def _bound_variables(rule: Rule) -> set[str]:
    """Variables a rule binds: those of its head and of its positive atoms and assignments."""
    names = {v.name for v in rule.head.variables()}
    for literal in rule.body:
        if isinstance(literal, (Atom, Comparison)):
            names |= {v.name for v in literal.variables()}
    return {n for n in names if n != "_"}


def _defeat(
    targets: list[Rule], when: tuple[Literal, ...], defeater_id: str, kind: str, authority: Authority, at
) -> list[Rule]:
    """Add a defeater rule for `when` and make every target rule negate it."""
    mentioned = [v.name for lit in when for v in lit.variables() if not v.anonymous]
    shared = sorted({n for n in mentioned if any(n in _bound_variables(t) for t in targets)}, key=mentioned.index)
    name = f"{kind}{INTERNAL}{defeater_id}".replace(".", "·")  # pyDatalog reads "." as a class prefix
    head = Atom(name, tuple(Var(n, at) for n in shared), at)
    defeater = Rule(defeater_id, head, tuple(when), authority, at)
    return [replace(t, body=t.body + (Negation(head, at),)) for t in targets] + [defeater]


def _attach_exceptions(program: Program, exceptions) -> list[Diagnostic]:
    """Make the rules of each target statement negate its exceptions' conditions (one pass)."""
    by_statement: dict[str, list[Rule]] = {}
    for rule in program.rules:
        if rule.labelled:
            by_statement.setdefault(_statement_of(rule.id), []).append(rule)
    diagnostics = []
    replaced: dict[str, Rule] = {}
    for statement, form, rule_id, authority in exceptions:
        targets = [replaced.get(r.id, r) for r in by_statement.get(form.target, [])]
        if not targets:
            diagnostics.append(Diagnostic(
                statement.position,
                "unknown-rule",
                f"exception to '{form.target}': no statement carries the label [{form.target}]",
            ))
            continue
        *rewritten, defeater = _defeat(targets, form.when, rule_id, "exception", authority, statement.position)
        replaced.update((r.id, r) for r in rewritten)
        program.rules.append(defeater)
    program.rules = [replaced.get(r.id, r) for r in program.rules]
    return diagnostics


def _statement_of(rule_id: str) -> str:
    return rule_id.split("/", 1)[0]
