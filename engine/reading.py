"""English readings of atoms and rules, from the KB's `reads` templates and the words of its terms.

Every sentence citelog shows comes from here: the steps of an explanation, why-not, the facts of
a scenario in an export, and the rules of a provision on the Law page. A value reads in the KB's
words (`citelog.wording`); a value left open (a variable of a question) reads as "any" and the
parameter's noun ("any records"), and an open period as "any period", so that no sentence says
"for anything anything anything"; a variable of a rule reads as its name.
"""

from __future__ import annotations

import re

from .core import DEFEASIBLE, DEFEATER, NEG, Atom, BinOp, Comparison, Const, Negation, Rule, Var, opposite
from .defeasible import ATTACKED, DEFINITELY, KINDS, OVERRIDDEN
from .names import INTERNAL, is_generated
from .program import Program
from .wording import Wording, joined, ordinal

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PERIOD = frozenset({"Bound", "Amount", "Unit"})  # the parameters of a period in the legal vocabulary
_OPEN_PERIOD = re.compile(r"\{(?:Bound|Amount|Unit)(?::\w+)?\}(?: \{(?:Bound|Amount|Unit)(?::\w+)?\})*")
_NOUNS = {"Trigger": "event", "Start": "date", "CapTrigger": "event", "Received": "date"}  # names that are not the noun
_COMPARED = {"==": "is", "=": "is", "!=": "is not", "<": "is before or less than", "<=": "is at most",
             ">": "is after or more than", ">=": "is at least"}


def noun(param: str) -> str:
    """The noun a parameter stands for: 'Records' -> 'records', 'CapTrigger' -> 'event'."""
    return _NOUNS.get(param) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", param).lower()


def is_open(value) -> bool:
    """Whether a value of a reading is left open: no value, or an anonymous or generated variable."""
    return value is None or (isinstance(value, Var) and (value.anonymous or is_generated(value.name)))


class Reader:
    """The readings of one program."""

    def __init__(self, program: Program):
        self.words = Wording.of(program)
        self._declarations = {d.name: d for d in program.declarations}
        self._heads = {rule.head.predicate: rule for rule in program.rules if INTERNAL in rule.head.predicate}
        self._written = {r.id: r for rules in program.theory.rules.values() for r in rules}

    def sentence(self, predicate: str, values: tuple) -> str:
        """The English reading of an atom. A value may be None (any value) or, in a rule, a Var."""
        if INTERNAL in predicate and predicate.split(INTERNAL, 1)[0] in KINDS:
            return self._theory(*predicate.split(INTERNAL, 1), values)
        if predicate.startswith(NEG) and predicate not in self._declarations:
            return f"it is not the case that {self.sentence(opposite(predicate), values)}"
        if INTERNAL in predicate:
            return self._exception(predicate, values)
        decl = self._declarations.get(predicate)
        if decl is None:
            return statement(predicate, values)
        by_name = dict(zip((p.name for p in decl.params), values))
        for reading in decl.readings:
            if reading.param is None or by_name.get(reading.param) == reading.value:
                template = reading.template
                if all(is_open(by_name[p]) for p in PERIOD & by_name.keys()) and PERIOD & by_name.keys():
                    template = _OPEN_PERIOD.sub("any period", _LABELLED_PERIOD.sub("period", template))
                return PLACEHOLDER.sub(lambda m: self._fill(m.group(1), by_name), _open_phrasing(template, by_name))
        return statement(predicate, values)

    def _exception(self, predicate: str, values: tuple) -> str:
        kind, _, rule_id = predicate.partition(INTERNAL)
        rule = self._heads.get(predicate)
        where = rule.authority.citation if rule else rule_id
        # an `unless` clause is an exception too: calling it a "condition" of the rule it defeats
        # would say the opposite of what it is
        clause = " (its 'unless' clause)" if kind == "unless" else ""
        return f"the exception of {where}{clause} applies" + (f" to {joined([self._value(v) for v in values])}"
                                                              if values else "")

    def _theory(self, kind: str, key: str, values: tuple) -> str:
        """The reading of a predicate that the compilation of a defeasible theory generates."""
        if kind == DEFINITELY:
            return f"{self.sentence(key, values)}, by facts and strict rules alone"
        if kind == ATTACKED:
            return f"an undefeated rule stands against the conclusion that {self.sentence(key, values)}"
        rule = self._written.get(key.replace("·", "."))
        if rule is None:  # pragma: no cover - every generated key names a written rule
            return statement(f"{kind}{INTERNAL}{key}", values)
        if kind == OVERRIDDEN:
            return f"{self.rule_name(rule)} is overridden by a superior rule"
        concludes = self.sentence(rule.head.predicate, values)
        manner = {DEFEASIBLE: "normally, ", DEFEATER: "it might be that "}.get(rule.strength, "")
        return f"{self.rule_name(rule)} applies: {manner}{concludes}"

    @staticmethod
    def rule_name(rule: Rule) -> str:
        """A rule as a reader finds it: its label or place, and the provision or reading it belongs to."""
        where = (f"the interpretation {rule.authority.citation}" if rule.authority.kind == "interpretation"
                 else rule.authority.citation)
        return f"rule {rule.id} of {where}" if rule.labelled else f"{where} (rule {rule.id})"

    def _fill(self, placeholder: str, by_name: dict) -> str:
        name, _, style = placeholder.partition(":")
        value = by_name.get(name)
        if is_open(value):
            return "Nth" if style == "ordinal" else f"any {noun(name)}"
        if isinstance(value, Var):
            return value.name
        if style == "ordinal" and type(value) is int:
            return ordinal(value)
        return self.words.a(value) if style == "a" else self.words.word(value)

    def _value(self, value) -> str:
        if is_open(value):
            return "anyone"
        return value.name if isinstance(value, Var) else self.words.word(value)

    # ---- rules -------------------------------------------------------------------------------------

    def rule(self, rule: Rule) -> str:
        """A rule as a sentence: 'P is an importer if P imported merchandise under any
        entry, unless the exception of 19 U.S.C. 1508(d) applies to P'."""
        head = self.atom(rule.head)
        conditions = [self.atom(lit) if isinstance(lit, Atom) else self._comparison(lit)
                      for lit in rule.body if not isinstance(lit, Negation)]
        exceptions = [self.atom(lit.atom) for lit in rule.body if isinstance(lit, Negation)]
        text = head + (" if " + joined(conditions) if conditions else "")
        return text + (", unless " + " or ".join(exceptions) if exceptions else "")

    def atom(self, atom: Atom) -> str:
        return self.sentence(atom.predicate, tuple(a.value if isinstance(a, Const) else a for a in atom.args))

    def _comparison(self, comparison: Comparison) -> str:
        return f"{self._term(comparison.left)} {_COMPARED.get(comparison.op, comparison.op)} " \
               f"{self._term(comparison.right)}"

    def _term(self, term) -> str:
        if isinstance(term, BinOp):
            return f"{self._term(term.left)} {term.op} {self._term(term.right)}"
        return self._value(term.value if isinstance(term, Const) else term)


_LABELLED_PERIOD = re.compile(r"\bperiod " + _OPEN_PERIOD.pattern)  # 'the period {Amount} {Unit}', all open
_LABELLED = re.compile(r"(?P<phrase>(?:\b[\w-]+ ){0,2}(?P<last>[\w-]+)) \{(?P<name>\w+)(?::\w+)?\}")
_ARTICLE = re.compile(r"\b(?:the|an?) (?=\{(?P<name>\w+)(?::\w+)?\})")
_AS = re.compile(r"\bas (?=\{(\w+)(?::\w+)?\})")  # 'as {Class:a}', read 'in any class' when open
_OPEN_VERB = re.compile(r"\b(must|may|to) \{(Action|Failure)\}")  # an open action: 'must do something with'
_FUNCTION_WORDS = frozenset("a an the of on for to from in by as and or under after about within which whether "
                            "that is are regarding involving with must may".split())


def _open_phrasing(template: str, by_name: dict) -> str:
    """A template made to read with its open values: an article before one goes ('the any records'
    reads 'any records'); one that labels the noun before it merges with it ('under entry any entry'
    reads 'under any entry', 'the decision any decision' 'any decision') or goes ('the notice of
    violation any notice' reads 'the notice of violation'); 'as any class' reads 'in any class'; an
    open action reads 'must do something with any object'."""
    def left_open(name: str) -> bool:
        return name in by_name and is_open(by_name[name])

    def labelled(match: re.Match) -> str:
        name, words = match["name"], match["phrase"].split()
        named = noun(name).split()[-1]
        if not left_open(name) or words[-1].lower() in _FUNCTION_WORDS or named not in words:
            return match[0]
        before = words[:-1]
        if words[-1] == named and (not before or before[-1].lower() in _FUNCTION_WORDS - {"and", "or"}):
            if before and before[-1].lower() in ("a", "an", "the"):
                before = before[:-1]
            return " ".join(before + [f"any {named}"])
        return match["phrase"]

    template = _OPEN_VERB.sub(lambda m: f"{m[1]} do something with" if left_open(m[2]) else m[0], template)
    template = _LABELLED.sub(labelled, template)
    template = _ARTICLE.sub(lambda m: "" if left_open(m["name"]) else m[0], template)
    return _AS.sub(lambda m: "in " if left_open(m[1]) else m[0], template)


def statement(predicate: str, values: tuple) -> str:
    """An atom as Datalog writes it, `_` for an open value; a generated predicate loses its suffix
    (a predicate of a defeasible theory names its rule: `applies[r1]`)."""
    if INTERNAL in predicate:
        kind, _, key = predicate.partition(INTERNAL)
        predicate = f"{kind}[{key.replace('·', '.')}]" if kind in KINDS else kind
    return f"{predicate}({', '.join('_' if v is None else str(Const(v)) for v in values)})"
