"""Answers as an analyst reads them: numbered rows of words, with their citations and conflicts.

`citelog retention` and the web app's Ask page show the same reports, made here once: the
headline question over the whole KB (`headline`), a scenario's dated obligations per party
(`obligations_report`), and any other question (`answers_report`), whose period parameters
(Amount, Unit, Trigger, Bound) read as one period and whose dated start (Start) gives an end date.
A row keeps the number of its answer in the full list, so that a filtered table still says
"answer 12" of what Explain calls answer 12.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .conflicts import Prevailing, unresolved
from .core import Atom, Var
from .dates import until
from .knowledge_base import KnowledgeBase
from .obligations import Obligation, warnings
from .proofs import Prover
from .provenance import Citation, by_label
from .reading import PERIOD, noun
from .retention import retention_rows
from .values import Date, sort_key
from .wording import Wording, word

if TYPE_CHECKING:  # read only for a scenario given: YAML is not loaded for the law alone
    from .scenario import Scenario

@dataclass(frozen=True)
class Row:
    number: int  # the answer's place (from 1) in the full list of the question
    cells: tuple[str, ...]
    keys: tuple[tuple, ...]  # how each cell sorts: by value, not by its words
    citations: tuple[Citation, ...]  # statute, regulation, then interpretations, each by label
    conflicts: tuple[int, ...] = ()  # numbers of the rows whose periods may not both be met with this one's
    facets: Mapping[str, str] = field(default_factory=dict)  # class, records, party: the ids a reader filters by
    displaced: bool = False  # a period that does not apply: a provision that prevails displaces it


@dataclass(frozen=True)
class Report:
    question: str  # in words
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()  # conflicts ('* row 12 conflicts with ...'), displaced periods ('† row 3 ...'),
    # warnings, conflicts no superiority resolves, roles that do not follow from the facts

    def filtered(self, **facets: str) -> "Report":
        """The rows whose facets are the values given (empty values do not filter); numbers kept."""
        wanted = {k: v for k, v in facets.items() if v}
        rows = tuple(r for r in self.rows if all(r.facets.get(k) == v for k, v in wanted.items()))
        return replace(self, rows=rows)

    def choices(self, facet: str, words: Wording) -> list[tuple[str, str]]:
        """The values of a facet in this report, as (id, words), sorted by their words."""
        found = {row.facets[facet] for row in self.rows if facet in row.facets}
        return sorted(((value, words.word(value)) for value in found), key=lambda c: (c[1].lower(), c[0]))


# ---- the headline question --------------------------------------------------------------------------


def headline(kb: KnowledgeBase) -> Report:
    """Who must keep what, for how long, over the whole KB: one row per class, records and period."""
    words = Wording.of(kb.program)
    retained = retention_rows(kb)
    rows = tuple(
        Row(number, (words.word(r.who), words.word(r.what), r.how_long, r.starts),
            (sort_key(r.who), sort_key(r.what), r.period.sort_key(), sort_key(r.period.trigger)),
            by_label(r.citations), tuple(i + 1 for i in r.conflicts), {"class": r.who, "records": r.what},
            bool(r.displaced_by))
        for number, r in enumerate(retained, start=1)
    )
    notes = [f"* row {row.number} conflicts with row(s) {', '.join(map(str, row.conflicts))}: the same "
             "records under periods that may not both be met" for row in rows if row.conflicts]
    notes += [f"† row {number} does not apply: {displaced_note(p)}"
              for number, r in enumerate(retained, start=1) for p in r.displaced_by]
    notes += unresolved_notes(kb)
    return Report("Who must keep what, for how long?", ("who", "what", "how long", "from"), rows, tuple(notes))


def displaced_note(prevailing: Prevailing) -> str:
    """Why a period does not apply: which provision prevails over which, why, and where that is stated."""
    p = prevailing
    return f"{p.superior} prevails over {p.inferior} ({p.because}; stated by {p.stated_by})"


def unresolved_conflicts(kb: KnowledgeBase) -> list[dict]:
    """Conflicts between rules that no superiority resolves (citelog.conflicts), for a report."""
    from .explanations import Explainer

    explainer = Explainer(kb)
    return [{"statement": explainer.sentence(u.predicate, u.values), "citations": list(u.citations),
             "for": [r.id for r in u.for_], "against": [r.id for r in u.against]} for u in unresolved(kb)]


def unresolved_notes(kb: KnowledgeBase) -> list[str]:
    return [f"! unresolved: whether {c['statement']}: {'; '.join(c['citations'])} conflict and no superiority "
            "is stated between them, so neither applies" for c in unresolved_conflicts(kb)]


# ---- a scenario's obligations ---------------------------------------------------------------------------

OBLIGATIONS_QUESTION = "Who must keep what, for how long: each party's obligations with their dates"
_VERDICT = {True: "the dates clash: both cannot be met", False: "with these dates both can be met",
            None: "no date to compare"}


def obligations_report(kb: KnowledgeBase, scenario: Scenario, found: list[Obligation],
                       person: str | None = None) -> Report:
    """The obligations of the scenario's parties (`obligations` of the KB with its facts given)."""
    words = Wording.of(kb.program)
    rows = tuple(_obligation_row(words, scenario, number, o) for number, o in enumerate(found, start=1))
    notes = [f"* row {number} conflicts with row {other + 1} (the same records under periods that may not both be "
             f"met): {_VERDICT[clash]}"
             for number, o in enumerate(found, start=1) for other, clash in zip(o.conflicts, o.clashes)
             if other + 1 > number]  # each pair once
    notes += [f"† row {number} does not apply: {displaced_note(p)}"
              for number, o in enumerate(found, start=1) for p in o.displaced_by]
    notes += [f"warning: {caution}" for caution in warnings(kb, person)]
    notes += unresolved_notes(kb)
    notes += role_notes(kb, scenario, person)
    return Report(OBLIGATIONS_QUESTION, ("who", "as", "what", "for", "period", "from", "until"), rows, tuple(notes))


def obligations_title(scenario: Scenario, person: str | None = None) -> str:
    """What an explanation of a scenario's obligations is of."""
    return f"obligations in the scenario: {scenario.title or scenario.path}" + (f" (party {person})" if person else "")


def _obligation_row(words: Wording, scenario: Scenario, number: int, o: Obligation) -> Row:
    what = words.word(o.object) if o.action == "keep" else f"{words.word(o.action)} {words.word(o.object)}"
    started = f"{word(o.event)} {o.start}" if o.start is not None and o.event else ""
    cells = (party(scenario, o.person), words.word(o.role), what, o.subject or "", o.wording, started, o.until)
    keys = (sort_key(o.person), sort_key(o.role), sort_key(o.object), _key(o.subject), o.period.sort_key(),
            _key(o.start), _key(o.end))
    return Row(number, cells, keys, by_label(o.citations), tuple(i + 1 for i in o.conflicts),
               {"party": o.person, "class": o.role, "records": o.object}, bool(o.displaced_by))


def party(scenario: Scenario | None, ident: str) -> str:
    """A party as a reader knows it: 'Acme Imports Inc. (acme)', or the id alone if it has no name."""
    name = scenario.party_name(ident) if scenario else ident
    return ident if name == ident else f"{name} ({ident})"


def role_notes(kb: KnowledgeBase, scenario: Scenario, person: str | None = None) -> list[str]:
    """Roles a scenario declares that do not follow from its facts (the KB decides classes)."""
    derived = {tuple(a.values) for a in kb.query("is_a(Party, Class)")}  # one query, not one per party
    notes = []
    for declared in scenario.parties.values():
        if person is not None and declared.id != person:
            continue
        for role in declared.roles:
            if (declared.id, role) not in derived:
                notes.append(f"note: {declared.id} is declared as {role}, which does not follow from the facts "
                             f"(citelog why-not 'is_a(\"{declared.id}\", {role})' --scenario ... says why)")
    return notes


# ---- any question ------------------------------------------------------------------------------------


def answers_report(kb: KnowledgeBase, atom: Atom, question: str, scenario: Scenario | None = None) -> Report:
    """Every answer of a query in words: its variables as columns, a period as one column, and the
    end date of a period that runs from a dated start."""
    words = Wording.of(kb.program)
    decl = kb.program.declaration(atom.predicate)
    params = [p.name for p in decl.params] if decl else [f"A{i}" for i in range(len(atom.args))]
    asked = {params[i]: arg.name for i, arg in enumerate(atom.args) if isinstance(arg, Var) and not arg.anonymous}
    period = {"Amount", "Unit"} <= set(params) and bool(PERIOD & asked.keys())
    dated = period and "Start" in asked
    shown = [p for p in params if p in asked and not (period and p in PERIOD | {"Trigger"})]
    columns = tuple(noun(asked[p]) for p in shown) + (("period",) if period else ()) + (("until",) if dated else ())
    rows = []
    found = Prover(kb).cited(atom)
    for number, one in enumerate(found, start=1):
        by_name = dict(zip(params, one.answer.values))
        cells = [_shown(words, scenario, by_name[p]) for p in shown]
        keys = [sort_key(by_name[p]) for p in shown]
        if period:
            amount, unit, bound = by_name["Amount"], str(by_name["Unit"]), str(by_name.get("Bound", "within"))
            cells.append(words.period(amount, unit, str(by_name.get("Trigger", "")), bound))
            keys.append((sort_key(amount), unit, bound))
        if dated:
            start = by_name["Start"] if isinstance(by_name["Start"], Date) else None
            cells.append(until(start, by_name["Amount"], str(by_name["Unit"]), str(by_name.get("Bound", "within"))))
            keys.append(_key(start))
        rows.append(Row(number, tuple(cells), tuple(keys), by_label(one.citations)))
    return Report(question, columns, tuple(rows))


def _shown(words: Wording, scenario: Scenario | None, value) -> str:
    if scenario and isinstance(value, str) and value in scenario.parties:
        return party(scenario, value)
    return words.word(value)


def _key(value) -> tuple:
    return (0, (), "") if value is None else (1, sort_key(value), "")
