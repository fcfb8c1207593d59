"""Explanations: proofs resolved into what a reader needs, and why-not for a missing answer.

A `Step` is a proof node with everything a renderer shows already looked up: the statement in
Datalog, its English reading (from the predicate's `reads` template), the rule and the authority
(statute, regulation or the analyst's interpretation) with its citation and quote, or the reason
there is no quote (a reconstructed provision, an interpretation, a given fact). `why_not` finds,
for each rule that could conclude a missing atom, the first condition that fails or the
exception that defeats it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .absence import Unevaluable, bind, substituted, walk
from .core import Atom, Const, Negation, Rule, Var
from .errors import EvaluationError
from .knowledge_base import Answer, KnowledgeBase
from .memo import Memo
from .names import INTERNAL
from .parser import parse_atom
from .defeasible import Override
from .proofs import Prover
from .provenance import ABSENT, GIVEN, RULE, TEST, Proof
from .dates import describe
from .reading import Reader, statement as _statement
from .values import Date, Value, sort_key
from .wording import word

TRUNCATED = "truncated"


@dataclass(frozen=True)
class Step:
    """One step of an explanation, ready to render."""

    kind: str  # given | fact | rule | absent | comparison | truncated
    statement: str  # e.g. is_a(acme, importer)
    sentence: str  # e.g. "acme is a importer"
    rule: str | None = None  # rule id
    authority: str | None = None  # statute | regulation | interpretation
    citation: str | None = None
    quote: str | None = None
    no_quote: str | None = None  # why there is no quote, when there is none
    bindings: tuple[tuple[str, Value], ...] = ()
    premises: tuple["Step", ...] = ()
    alternatives: int = 0
    arithmetic: str | None = None  # for a dated period (a Start, an Amount, a Unit): its date arithmetic

    def steps(self):
        """This step and all below it, depth first."""
        yield self
        for premise in self.premises:
            yield from premise.steps()


@dataclass(frozen=True)
class Explained:
    """An answer with its proof, as explained, and its number among the answers of its question."""

    answer: Answer
    proof: Step
    number: int = 1  # stable: answer 12 of a question is exported as answer 12

    @property
    def citations(self) -> list[str]:
        seen: dict[str, None] = {}
        for kind in ("statute", "regulation", "interpretation"):
            for step in self.proof.steps():
                if step.authority == kind and step.citation:
                    seen.setdefault(step.citation)
        return list(seen)


@dataclass(frozen=True)
class Explanation:
    """Every answer of one query, each with its proof; renders itself in four formats."""

    query: str
    answers: tuple[Explained, ...]
    provisions: tuple[tuple[str, str, str | None, str | None], ...] = field(default=())
    # (citation, authority, quote, reason for no quote) of every provision cited, numbered in order
    memo: Memo | None = None  # what an export says about itself (citelog.memo); None: nothing

    def with_memo(self, memo: Memo) -> "Explanation":
        return replace(self, memo=memo)

    @property
    def numbers(self) -> dict[str, int]:
        """Each cited provision's number in the list of provisions cited (from 1)."""
        return {provision[0]: number for number, provision in enumerate(self.provisions, start=1)}

    def to_text(self) -> str:
        from .render import to_text

        return to_text(self)

    def to_markdown(self) -> str:
        from .render import to_markdown

        return to_markdown(self)

    def to_html(self) -> str:
        from .render import to_html

        return to_html(self)

    def to_json(self) -> str:
        from .render import to_json

        return to_json(self)

    def _repr_html_(self) -> str:  # Jupyter
        return self.to_html()


class Explainer:
    """Builds explanations over one KB."""

    def __init__(self, kb: KnowledgeBase, depth: int | None = None):
        self.kb = kb
        self.program = kb.program
        self.depth = depth
        self.prover = Prover(kb)
        self.reader = Reader(self.program)
        self._declarations = {d.name: d for d in self.program.declarations}

    # ---- proofs --------------------------------------------------------------------------------

    def explain(self, query: str | Atom) -> Explanation:
        atom = parse_atom(query) if isinstance(query, str) else query
        return self.explain_answers(str(atom) if not isinstance(query, str) else query, self.kb.query(atom))

    def explain_answers(self, title: str, answers, numbers=None) -> Explanation:
        """An explanation of answers already found (the rows of a report), in their order, numbered
        from 1 or by `numbers` (the answers' numbers in the full list of their question)."""
        explained = [Explained(a, self.step(self._proof(a.predicate, a.values)), n)
                     for a, n in zip(answers, numbers or range(1, len(answers) + 1))]
        return Explanation(title, tuple(explained), self._provisions(explained))

    def _proof(self, predicate: str, values: tuple) -> Proof:
        """The proof of something the engine derived: one exists, so never silently drop it."""
        proof = self.prover.prove(predicate, values)
        if proof is None:
            raise EvaluationError(f"no derivation found for {_statement(predicate, values)}", code="proof")
        return proof

    def step(self, proof: Proof, depth: int = 0) -> Step:
        statement = _statement(proof.predicate, proof.values)
        if proof.kind == TEST:
            return Step(TEST, proof.predicate, f"the condition {proof.predicate} holds")
        sentence = self.sentence(proof.predicate, proof.values)
        if proof.kind == ABSENT:  # its premises, if any, say why (citelog.absence)
            return Step(ABSENT, f"not {statement}", f"there is no evidence that {sentence}",
                        **self._authority(proof.rule), premises=tuple(self.step(p, depth + 1) for p in proof.premises))
        override = self._override(proof)
        if override is not None:
            sentence = (f"{self.reader.rule_name(override.superior)} prevails over {self.reader.rule_name(override.inferior)}: "
                        f"{override.because}")
        if proof.kind == GIVEN:
            return Step(GIVEN, statement, sentence, no_quote="given as a fact")
        truncated = self.depth is not None and depth >= self.depth and bool(proof.premises)
        premises = () if truncated else tuple(self.step(p, depth + 1) for p in proof.premises)
        return Step(
            TRUNCATED if truncated else proof.kind, statement, sentence, **self._authority(proof.rule),
            bindings=proof.bindings, premises=premises, alternatives=proof.alternatives,
            arithmetic=self._arithmetic(proof.predicate, proof.values),
        )

    def _override(self, proof: Proof) -> Override | None:
        """The superiority a proof step applies (a rule t prevailing over a rule s), if it is one."""
        if proof.kind != RULE or not proof.premises:
            return None
        return self.program.theory.applied(proof.predicate, proof.rule.id, proof.premises[0].predicate)

    def _arithmetic(self, predicate: str, values: tuple) -> str | None:
        """The date arithmetic of a dated period: a predicate with the parameters Start (a date),
        Amount and Unit, and optionally Bound and Event (see citelog.dates.describe)."""
        decl = self._declarations.get(predicate)
        if decl is None or not {"Start", "Amount", "Unit"} <= {p.name for p in decl.params}:
            return None
        by_name = dict(zip((p.name for p in decl.params), values))
        start, amount = by_name["Start"], by_name["Amount"]
        if not isinstance(start, Date) or type(amount) is not int:
            return None
        event = by_name.get("Event", by_name.get("Trigger"))
        try:
            return describe(start, amount, str(by_name["Unit"]), str(by_name.get("Bound", "within")),
                            word(event) if event is not None else None)
        except ValueError as error:
            return f"no date: {error}"

    def _authority(self, rule: Rule | None) -> dict:
        if rule is None:
            return {}
        authority = rule.authority
        found = {"rule": rule.id, "authority": authority.kind, "citation": authority.citation}
        if authority.kind == "interpretation":
            block = next(i for i in self.program.interpretations if i.name == authority.citation)
            return {**found, "no_quote": f"the analyst's interpretation: {_fold(block.note)}"}
        provision = self.program.provision(authority.citation)
        if provision is None:
            return {**found, "no_quote": "no provision"}
        if provision.reconstructed is not None:
            return {**found, "no_quote": f"reconstructed (not in the bundled text): {_fold(provision.reconstructed)}"}
        return {**found, "quote": " … ".join(_fold(q.text) for q in provision.quotes)}

    def _provisions(self, explained) -> tuple:
        cited: dict[str, tuple] = {}
        for item in explained:
            for step in item.proof.steps():
                if step.citation and step.citation not in cited:
                    cited[step.citation] = (step.citation, step.authority, step.quote, step.no_quote)
        rank = {"statute": 0, "regulation": 1}
        return tuple(sorted(cited.values(), key=lambda c: (rank.get(c[1], 2), list(cited).index(c[0]))))

    # ---- sentences -----------------------------------------------------------------------------

    def sentence(self, predicate: str, values: tuple) -> str:
        """The English reading of an atom (None: any value)."""
        return self.reader.sentence(predicate, values)

    # ---- why not ---------------------------------------------------------------------------------

    def why_not(self, query: str | Atom) -> "WhyNot":
        atom = parse_atom(query) if isinstance(query, str) else query
        answers = self.kb.query(atom)  # validates the atom, too
        values = tuple(a.value if isinstance(a, Const) else None for a in atom.args)
        if answers:
            proof = self.step(self._proof(answers[0].predicate, answers[0].values))
            return WhyNot(str(atom), self.sentence(atom.predicate, values), True, (), proof)
        with self.kb.bound():
            attempts = self._attempts(atom, frozenset(), 0)
        return WhyNot(str(atom), self.sentence(atom.predicate, values), False, attempts)

    def _attempts(self, atom: Atom, visiting: frozenset, depth: int) -> tuple["Attempt", ...]:
        key = (atom.predicate, _values(atom))  # variables are "any value", whatever their names
        if key in visiting or depth > 6:
            return ()
        attempts = []
        if atom.predicate in self.program.input_predicates:
            attempts.append(Attempt(None, "not-given", _shown(atom), "no such fact was given: "
                                    + self.sentence(atom.predicate, _values(atom))))
        for compiled in self.kb.compiled_rules(atom.predicate):
            start = _unify(compiled.head, atom)
            if start is not None:
                attempts.append(self._attempt(compiled, start, visiting | {key}, depth))
        return tuple(attempts)

    def _attempt(self, compiled, start: dict, visiting: frozenset, depth: int) -> "Attempt":
        """How one rule fails: at its first condition that no way of matching gets past."""
        try:
            failing = next(((literal, partial[0]) for literal, partial, failed in walk(self.kb, compiled, start)
                            if len(failed) == len(partial)), None)
        except Unevaluable as error:
            return Attempt(compiled.rule, "type-error", str(error.literal), error.message)
        if failing is None:
            return Attempt(compiled.rule, "holds", str(compiled.head), "all conditions hold")
        return self._failure(compiled.rule, *failing, visiting, depth)

    def _failure(self, rule: Rule, literal, bindings: dict, visiting: frozenset, depth: int) -> "Attempt":
        """A rule's attempt that fails at a condition, under the bindings that reached it."""
        if isinstance(literal, Atom):
            grounded = _ground(literal, bindings)
            return Attempt(rule, "missing", _shown(grounded),
                           "no evidence that " + self.sentence(grounded.predicate, _values(grounded)),
                           deeper=self._attempts(grounded, visiting, depth + 1))
        if isinstance(literal, Negation):
            grounded = _ground(literal.atom, bindings)
            rows = sorted(self.kb.ask(grounded.predicate, list(grounded.args)),
                          key=lambda row: tuple(sort_key(v) for v in row))
            kind = "defeated" if INTERNAL in literal.atom.predicate else "negation-fails"
            return Attempt(rule, kind, f"not {_shown(grounded)}", self.sentence(grounded.predicate, rows[0]),
                           defeat=self.step(self._proof(grounded.predicate, rows[0])))
        return Attempt(rule, "test-fails", str(literal), f"it is not the case that {substituted(literal, bindings)}")


@dataclass(frozen=True)
class Attempt:
    """How one rule fails to conclude a missing atom."""

    rule: Rule | None
    outcome: str  # not-given | missing | defeated | negation-fails | test-fails | type-error | holds
    condition: str  # the failing condition, with the values known
    sentence: str
    deeper: tuple["Attempt", ...] = ()  # for a missing derived premise: why it is missing
    defeat: Step | None = None  # for a defeated rule: the proof of the exception


@dataclass(frozen=True)
class WhyNot:
    statement: str
    sentence: str
    holds: bool
    attempts: tuple[Attempt, ...]
    proof: Step | None = None

    def to_text(self) -> str:
        from .render import why_not_text

        return why_not_text(self)

    def to_json(self) -> str:
        from .render import why_not_json

        return why_not_json(self)


# ---- helpers ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(text.split())


def _values(atom: Atom) -> tuple:
    return tuple(a.value if isinstance(a, Const) else None for a in atom.args)


def _unify(head: Atom, atom: Atom) -> dict | None:
    """Bindings of a compiled head's variables that make it match a (partly ground) query atom."""
    bindings: dict = {}
    for pattern, arg in zip(head.args, atom.args):
        if not isinstance(arg, Const):
            continue
        if isinstance(pattern, Const):
            if pattern.value != arg.value:
                return None
        elif bindings.setdefault(pattern.name, arg.value) != arg.value:
            return None
    return bindings


def _ground(atom: Atom, bindings: dict) -> Atom:
    return Atom(atom.predicate, tuple(bind(a, bindings) for a in atom.args), atom.position)


def _shown(atom: Atom) -> str:
    """An atom as a reader should see it: generated variables read `_`, generated predicates lose
    their internal suffix (as in `_statement`)."""
    args = [Var("_") if isinstance(a, Var) and INTERNAL in a.name else a for a in atom.args]
    return str(Atom(atom.predicate.split(INTERNAL, 1)[0], tuple(args)))

