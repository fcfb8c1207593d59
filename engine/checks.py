"""Static checks of a program: everything pyDatalog would silently get wrong, found up front.

Each check returns diagnostics with a code; `check_program` runs them all so that a KB editor
sees every problem at once. The codes are documented in docs/ERRORS.md.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from .core import Atom, BinOp, Comparison, Const, Literal, Negation, Rule, Var, variables
from .defeasible import APPLIES, ATTACKED, DEFINITELY, KINDS, OVERRIDDEN, base
from .desugar import ORPHAN
from .errors import CheckError, Diagnostic, Position
from .names import INTERNAL
from .program import Program
from .quotes import SourceText

CITATION = re.compile(r"[0-9]+ (U\.S\.C\.|CFR) [0-9]+[0-9A-Za-z.\-]*(\([0-9A-Za-z]+\))*")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check_program(program: Program, sources: dict[str, SourceText]) -> list[Diagnostic]:
    """Every problem of the program, sorted by position."""
    found: list[Diagnostic] = []
    for check in (
        _duplicates,
        _provisions,
        _orphans,
        _templates,
        _terms,
        _arities,
        _unknown_predicates,
        _unsafe_variables,
        _types,
        _stratification,
        _superiority_cycles,
        _defeasible_inputs,
    ):
        found += check(program)
    found += _quotes(program, sources)
    return sorted(set(found))


def _error(position: Position, code: str, message: str) -> Diagnostic:
    return Diagnostic(position, code, message)


# ---- identity -------------------------------------------------------------------------------


def _duplicates(program: Program) -> Iterator[Diagnostic]:
    def first_seen(items, key, what):
        seen: dict = {}
        for item in items:
            name = key(item)
            if name in seen:
                yield _error(item.position, "duplicate-id", f"duplicate {what} '{name}' (first at {seen[name]})")
            else:
                seen[name] = item.position

    yield from first_seen(program.provisions, lambda p: p.citation, "provision")
    yield from first_seen(program.interpretations, lambda i: i.name, "interpretation")
    yield from first_seen(program.sources, lambda s: s.name, "source")
    yield from first_seen(program.declarations, lambda d: d.name, "declaration of")
    yield from first_seen(program.terms, lambda t: t.name, "term")
    yield from first_seen(program.queries, lambda q: q.name, "query")
    statements = [
        statement
        for module in program.modules
        for block in [*module.provisions, *module.interpretations]
        for statement in block.statements
    ] + [statement for module in program.modules for statement in module.loose]
    yield from first_seen([s for s in statements if s.label], lambda s: s.label, "rule label")


def _provisions(program: Program) -> Iterator[Diagnostic]:
    for provision in program.provisions:
        if not CITATION.fullmatch(provision.citation):
            yield _error(
                provision.position,
                "bad-citation",
                f"malformed citation '{provision.citation}': write it like '19 U.S.C. 1508(c)(3)' "
                "or '19 CFR 163.12(b)(3)(iv)'",
            )
        if provision.reconstructed is not None and provision.quotes:
            yield _error(
                provision.quotes[0].position,
                "reconstructed-quote",
                f"provision '{provision.citation}' is reconstructed (its text is missing from the source) "
                "and so cannot carry a quote",
            )
        if provision.reconstructed is None and not provision.quotes:
            yield _error(
                provision.position,
                "missing-quote",
                f"provision '{provision.citation}' has no quote: quote its text, or mark it "
                '`reconstructed "why"` if the source lacks it',
            )


def _orphans(program: Program) -> Iterator[Diagnostic]:
    for rule in program.rules:
        if rule.authority.kind == ORPHAN:
            yield _error(
                rule.position,
                "orphan-rule",
                "rule belongs to no provision: put it in a `provision` block, or in an "
                "`interpretation NAME { note \"why\" ... }` block if it is the analyst's own reading",
            )


def _templates(program: Program) -> Iterator[Diagnostic]:
    for decl in program.declarations:
        names = {p.name for p in decl.params}
        listed = ", ".join(sorted(names)) or "none"
        for reading in decl.readings:
            if reading.param is not None and reading.param not in names:
                yield _error(decl.position, "bad-template",
                             f"reading of {decl.name} depends on {reading.param}, which is not one of its "
                             f"parameters ({listed})")
            for placeholder in _PLACEHOLDER.findall(reading.template):
                name, _, style = placeholder.partition(":")
                if name not in names or style not in ("", "ordinal", "a"):
                    yield _error(
                        decl.position,
                        "bad-template",
                        f"reading of {decl.name} uses {{{placeholder}}}: placeholders are its parameters "
                        f"({listed}), optionally with ':ordinal' (3rd) or ':a' (an importer)",
                    )


def _terms(program: Program) -> Iterator[Diagnostic]:
    """Words for a value that no rule names would never be read: the name is most likely misspelt."""
    named = sorted(v for v in program.constants() if isinstance(v, str))
    for term in program.terms:
        if term.name not in named:
            close = difflib.get_close_matches(term.name, named, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            yield _error(term.position, "unknown-term",
                         f"term '{term.name}' is not a value that any rule, fact or query names{hint}")


# ---- predicates -------------------------------------------------------------------------------


def _atoms(rule: Rule) -> Iterator[tuple[Atom, bool]]:
    """The atoms of a rule with whether each is in the body."""
    yield rule.head, False
    for literal in rule.body:
        if isinstance(literal, Atom):
            yield literal, True
        elif isinstance(literal, Negation):
            yield literal.atom, True


def _arities(program: Program) -> Iterator[Diagnostic]:
    arity: dict[str, tuple[int, Position]] = {}
    for decl in program.declarations:
        arity.setdefault(decl.name, (len(decl.params), decl.position))
    atoms = [atom for rule in program.rules for atom, _ in _atoms(rule)]
    for atom in atoms + [query.atom for query in program.queries]:
        expected = arity.setdefault(atom.predicate, (len(atom.args), atom.position))
        if expected[0] != len(atom.args):
            yield _error(
                atom.position,
                "arity-mismatch",
                f"{atom.predicate} takes {expected[0]} argument(s) (as at {expected[1]}), not {len(atom.args)}",
            )


def _unknown_predicates(program: Program) -> Iterator[Diagnostic]:
    known = set(program.defined_predicates()) | set(program.input_predicates)
    used = [atom for rule in program.rules for atom, in_body in _atoms(rule) if in_body]
    for atom in used + [query.atom for query in program.queries]:
        if atom.predicate not in known:
            yield _error(atom.position, "unknown-predicate", unknown_predicate_message(atom.predicate, known))


def unknown_predicate_message(name: str, known: set[str]) -> str:
    """The message for a predicate nobody defines, with the nearest known name if any."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown predicate '{name}': no rule defines it and it is not declared as input{hint}"


# ---- variables --------------------------------------------------------------------------------


def bound_variables(body: tuple[Literal, ...]) -> set[str]:
    """Variables bound by positive atoms (as whole arguments: in `p(N - 1)` the atom binds the
    value of N - 1, not N), then by assignments `X = expr` whose expr is bound."""
    bound = {arg.name for lit in body if isinstance(lit, Atom) for arg in lit.args if isinstance(arg, Var)}
    changed = True
    while changed:
        changed = False
        for literal in body:
            if isinstance(literal, Comparison) and literal.op == "==":
                for target, source in ((literal.left, literal.right), (literal.right, literal.left)):
                    if (
                        isinstance(target, Var)
                        and target.name not in bound
                        and all(v.name in bound for v in variables(source))
                    ):
                        bound.add(target.name)
                        changed = True
    return bound


def _unsafe_variables(program: Program) -> Iterator[Diagnostic]:
    for rule in program.rules:
        bound = bound_variables(rule.body)
        in_expressions = {v.name for lit in rule.body if isinstance(lit, Atom)
                          for arg in lit.args if isinstance(arg, BinOp) for v in variables(arg)}
        for var in rule.head.variables():
            if var.name in in_expressions and var.name not in bound:
                continue  # said below, where it is used
            if var.anonymous:
                yield _error(var.position, "unsafe-variable", "anonymous variable '_' cannot appear in a rule head")
            elif var.name not in bound:
                yield _error(
                    var.position,
                    "unsafe-variable",
                    f"variable {var.name} in the head of {rule.head.predicate} is not bound by a positive "
                    "condition of the rule",
                )
        for literal in rule.body:
            if isinstance(literal, Atom):
                for arg in literal.args:
                    for var in (variables(arg) if isinstance(arg, BinOp) else []):
                        if var.name not in bound:
                            yield _error(
                                var.position, "unsafe-variable",
                                f"variable {var.name} appears only inside the expression {arg} in an argument of "
                                f"{literal.predicate}(...), which cannot be solved for it: bind {var.name} by "
                                f"another condition, or name the argument (e.g. {literal.predicate}(M, ...), "
                                f"{var.name} = M + 1)")
                continue
            if isinstance(literal, Negation):
                loose = [v for v in literal.variables() if not v.anonymous and v.name not in bound]
                where = f"in 'not {literal.atom.predicate}(...)'"
            elif isinstance(literal, Comparison):
                loose = [v for v in literal.variables() if v.anonymous or v.name not in bound]
                where = f"in the comparison '{literal}'"
            else:
                continue
            for var in loose:
                yield _error(
                    var.position,
                    "unsafe-variable",
                    f"variable {var.name} {where} is not bound by a positive condition of the rule",
                )


def _constant_type(term) -> str | None:
    from .values import type_name

    if isinstance(term, Const):
        return type_name(term.value)
    if isinstance(term, BinOp):
        left, right = _constant_type(term.left), _constant_type(term.right)
        if left == "date" and right == "integer" and term.op in "+-":
            return "date"
        return left if left == right else None
    return None


def _types(program: Program) -> Iterator[Diagnostic]:
    """Comparisons between constants of different types, which pyDatalog cannot evaluate."""
    for rule in program.rules:
        for literal in rule.body:
            if isinstance(literal, Comparison) and literal.op not in ("==", "!="):
                left, right = _constant_type(literal.left), _constant_type(literal.right)
                if left and right and left != right:
                    yield _error(
                        literal.position, "type-mismatch", f"cannot compare {left} with {right} in '{literal}'"
                    )


# ---- stratification ---------------------------------------------------------------------------


def dependency_components(rules: Iterable[Rule]) -> dict[str, int]:
    """The strongly connected component of each predicate in the graph head -> body predicate.

    Two predicates in one component depend on each other: they are defined by mutual recursion.
    """
    graph: dict[str, set[str]] = defaultdict(set)
    for rule in rules:
        for atom, in_body in _atoms(rule):
            if in_body:
                graph[rule.head.predicate].add(atom.predicate)
    return strongly_connected(graph)


def _stratification(program: Program) -> Iterator[Diagnostic]:
    component = dependency_components(program.rules)
    for rule in program.rules:
        head = rule.head.predicate
        for literal in rule.body:
            if isinstance(literal, Negation) and component.get(literal.atom.predicate) == component.get(head):
                negated = literal.atom.predicate
                if negated.partition(INTERNAL)[0] in KINDS:
                    message = (f"a defeasible theory that cannot be stratified: whether {_named(head)} holds "
                               f"depends on whether {_named(negated)}, which depends on {_named(head)} in turn; "
                               "a rule against a conclusion, or one that prevails over such a rule, cannot rest "
                               "on that conclusion")
                else:
                    message = (f"negation through recursion: {head} depends on 'not {negated}', and {negated} "
                               f"depends on {head}; such a program has no stable meaning")
                yield _error(literal.position, "unstratifiable", message)


def _named(predicate: str) -> str:
    """A predicate of a defeasible theory as a reader knows it."""
    kind, _, key = predicate.partition(INTERNAL)
    key = key.replace("·", ".")
    return {DEFINITELY: f"{key} follows strictly", ATTACKED: f"an undefeated rule stands against {key}",
            OVERRIDDEN: f"rule {key} is overridden", APPLIES: f"rule {key} applies"}.get(kind, predicate)


def _defeasible_inputs(program: Program) -> Iterator[Diagnostic]:
    """Given facts are facts: no rule may conclude an input defeasibly, or conclude its opposite."""
    for predicate, rules in program.theory.rules.items():
        if base(predicate) in program.input_predicates:
            for rule in rules:
                yield _error(rule.head.position, "defeasible-input",
                             f"'{base(predicate)}' is an input: given facts cannot be defeated, so no rule may "
                             "conclude it defeasibly, bear on it with a defeater, or conclude its opposite")


def _superiority_cycles(program: Program) -> Iterator[Diagnostic]:
    """A superiority relation must be acyclic: no rule may, through others, prevail over itself."""
    graph: dict[str, set[str]] = defaultdict(set)
    for override in program.theory.overrides:
        graph[override.superior.id].add(override.inferior.id)
    component = strongly_connected(graph)
    for override in program.theory.overrides:
        if component[override.superior.id] == component[override.inferior.id]:
            members = sorted(r for r, c in component.items() if c == component[override.superior.id])
            yield _error(override.position, "superiority-cycle",
                         f"the superiority is circular: {override.superior.id} prevails over {override.inferior.id}, "
                         f"which prevails over it in turn (rules {', '.join(members)})")


def strongly_connected(graph: dict[str, set[str]]) -> dict[str, int]:
    """Tarjan's algorithm, iterative (deep KBs must not hit Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    nodes = sorted(set(graph) | {n for targets in graph.values() for n in targets})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break
    return component


# ---- quotes -------------------------------------------------------------------------------------


def _quotes(program: Program, sources: dict[str, SourceText]) -> Iterator[Diagnostic]:
    readable: dict[str, SourceText] = {}
    for decl in program.sources:
        source = sources.get(decl.name)
        problem = _source_problem(program, decl.path, source)
        if problem:
            yield _error(decl.position, *problem)
            continue
        try:
            source.original  # read once here, so that a file that cannot be read is reported at its declaration
        except CheckError as error:
            yield from (_error(decl.position, d.code, f"source file '{decl.path}': {d.message}")
                        for d in error.diagnostics)
            continue
        readable[decl.name] = source
    quoted = [(q, f"quote of {p.citation}") for p in program.provisions for q in p.quotes]
    quoted += [(n, "text marked as noise") for n in program.noise]
    for quote, what in quoted:
        source = readable.get(quote.source)
        if source is None:
            if not any(d.name == quote.source for d in program.sources):
                yield _error(quote.position, "unknown-source", f"no source is declared as '{quote.source}'")
            continue
        if not source.normalized.find(quote.text):
            yield _error(
                quote.position,
                "quote-not-found",
                f"{what} is not in {source.path.name}: \"{_shorten(quote.text)}\"{_nearest(quote.text, source)}",
            )


def _source_problem(program: Program, declared: str, source: SourceText | None) -> tuple[str, str] | None:
    """(code, message) if a declared source is not a file inside the KB folder (links followed):
    a rule file must not make citelog read, and `coverage` print, a file from elsewhere."""
    if source is None or program.root is None:
        return "missing-source", f"source file '{declared}' not found"
    folder = program.root.resolve()
    if not source.path.resolve().is_relative_to(folder):
        return "bad-source", (f"source file '{declared}' is outside the KB folder (links followed): a source is "
                              "a file inside the KB folder, such as sources/law.txt")
    if not source.path.exists():
        return "missing-source", f"source file '{declared}' not found"
    return None


def _shorten(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _nearest(quote: str, source: SourceText) -> str:
    """Where the quote stops matching: the longest prefix that is in the source."""
    words = quote.split()
    low, high = 0, len(words)
    while low < high:
        middle = (low + high + 1) // 2
        if source.normalized.find(" ".join(words[:middle])):
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return ""
    return f"; it matches up to \"...{' '.join(words[max(0, low - 4):low])}\" then differs"
