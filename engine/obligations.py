"""Dated obligations: a KB with a scenario's facts given, as rows with concrete dates and citations.

The KB says who must keep what for how long and from which event (`keeps`, `person_must_keep`),
and which duties run from which dated event (`deadline_from`, `duty_lifted`); see the
interpretations `records_and_events`, `deadlines_of_persons` and `dated_duties_of_163` of the
bundled KB. This module turns each answer into a row: the end date is computed in Python from
(start, amount, unit, bound) by `citelog.dates`, and the citations come from the answer's proof.

Rows of four kinds:

- a dated retention (`keeps`): records kept for a subject from a dated event;
- an undated retention (`person_must_keep` without any dated `keeps`): a period the Secretary
  prescribes, or one whose starting event has no date in the scenario;
- a deadline (`deadline_from`), or an undated one (a duty with a deadline whose event has no date);
- a lifted duty (`duty_lifted`): a duty that does not apply (19 CFR 163.11(c));
- a displaced period (`person_displaced_period`): a period that a provision which prevails over its
  own displaces (the row says which prevails, and why).

Warnings (`warning`) are facts that contradict a condition of the law, from which the KB draws no
conclusion; `warnings` reads them in words.

Two retention rows of one person for the same records and subject conflict as in
`citelog.retention`: a minimum against a maximum, or an exact period against any other. With
dates, the row also says whether the dates really clash (the minimum ends after the maximum).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .conflicts import Prevailing, prevailing
from .dates import Period
from .explanations import Explainer
from .knowledge_base import Answer, KnowledgeBase
from .proofs import Prover
from .provenance import Citation
from .values import Date, Value, sort_key, to_json
from .wording import Wording, word

KEEPS = "keeps(Person, Class, Records, Subject, Amount, Unit, Trigger, Bound, Event, Start)"
MUST_KEEP = "person_must_keep(Person, Class, Records, Amount, Unit, Trigger, Bound)"
DEADLINE_FROM = "deadline_from(Person, Class, Action, Object, Subject, Amount, Unit, Trigger, Start)"
LIFTED = "duty_lifted(Person, Action, Object, Subject, Paragraph)"

DISPLACED = "person_displaced_period(Person, Class, Records, Amount, Unit, Trigger, Bound)"
WARNING = "warning(Person, Subject, Kind, Date)"

# the predicates this module reads, with their arities (a KB without them gives fewer rows)
CONTRACT = {"keeps": 10, "person_must_keep": 7, "deadline_from": 9, "duty_lifted": 5, "person_duty": 4,
            "deadline": 6, "person_displaced_period": 7, "warning": 4}


@dataclass(frozen=True)
class Obligation:
    """One dated (or undated) obligation of one person, with the arithmetic and citations."""

    person: str
    role: str  # the class the person acts in
    action: str  # keep, disclose, notify, provide_for, ...
    object: str  # the records (or what is disclosed, notified, ...)
    subject: str | None  # the entry, claim, good, request ... (None: not tied to one)
    event: str | None  # the event that starts the period (None: no date)
    start: Date | None
    period: Period
    end: Date | None
    meaning: str  # minimum | maximum | exact | deadline | prescribed | lifted | displaced
    arithmetic: str
    wording: str  # the period as the law states it: 'until the 3rd anniversary of the date of liquidation of the claim'
    citations: tuple[Citation, ...]
    source: Answer  # the KB answer the row comes from (explanations explain it)
    conflicts: tuple[int, ...] = ()
    clashes: tuple[bool | None, ...] = field(default=())  # per conflict: do the dates clash? None: unknown
    displaced_by: tuple[Prevailing, ...] = ()  # a period that does not apply: what prevails over it

    @property
    def until(self) -> str:
        """The end date with what it means: '2027-05-01 (minimum)', or why there is none."""
        if self.meaning in ("lifted", "displaced"):
            return "not applicable"
        return self.period.until(self.start)

    def to_json(self, rows: list["Obligation"]) -> dict:
        return {
            "person": self.person,
            "class": self.role,
            "action": self.action,
            "object": self.object,
            "subject": self.subject,
            "event": self.event,
            "start": to_json(self.start) if self.start else None,
            "period": self.wording,
            "amount": self.period.amount,
            "unit": self.period.unit,
            "trigger": self.period.trigger,
            "bound": self.period.bound,
            "end": to_json(self.end) if self.end else None,
            "meaning": self.meaning,
            "arithmetic": self.arithmetic,
            "citations": list(self.citations),
            "conflicts_with": [
                {"row": i + 1, "period": rows[i].wording, "end": to_json(rows[i].end) if rows[i].end else None,
                 "meaning": rows[i].meaning, "dates_clash": clash, "citations": list(rows[i].citations)}
                for i, clash in zip(self.conflicts, self.clashes)
            ],
            "displaced_by": [p.to_json() for p in self.displaced_by],
        }


def period_text(words: Wording, period: Period) -> str:
    """A period as the law states it, in the KB's words: 'at most 5 years from the date of entry,
    filing of a reconciliation, or exportation'; a lifted duty says which paragraph no longer applies."""
    if period.bound == "lifted":
        return f"does not apply ({period.trigger} does not apply after a formal investigation)"
    return words.period(period.amount, period.unit, period.trigger, period.bound)


def obligations(kb: KnowledgeBase, person: str | None = None) -> list[Obligation]:
    """Every obligation that the KB derives from the given facts (of one person, if named), sorted."""
    prover = Prover(kb)
    words = Wording.of(kb.program)
    rows: list[Obligation] = []
    has = {name for name, arity in CONTRACT.items() if kb.arities.get(name) == arity}

    def answers(query: str, predicate: str):
        if predicate not in has:
            return []
        found = kb.query(query)
        return [a for a in found if person is None or a.values[0] == person]

    def cite(answer) -> tuple[Citation, ...]:
        return prover.cite(answer).citations

    dated_periods = set()
    for answer in answers(KEEPS, "keeps"):
        p, c, r, s, n, u, t, b, e, start = answer.values
        dated_periods.add((p, c, r, n, u, t, b))
        rows.append(_row(words, p, c, "keep", r, s, e, start, Period(n, u, t, b), cite(answer), answer))
    for answer in answers(MUST_KEEP, "person_must_keep"):
        p, c, r, n, u, t, b = answer.values
        if (p, c, r, n, u, t, b) not in dated_periods:
            rows.append(_row(words, p, c, "keep", r, None, None, None, Period(n, u, t, b), cite(answer), answer))
    dated_duties = set()
    for answer in answers(DEADLINE_FROM, "deadline_from"):
        p, c, a, o, s, n, u, t, start = answer.values
        dated_duties.add((p, c, a, o))
        rows.append(_row(words, p, c, a, o, s, t, start, Period(n, u, t, "within"), cite(answer), answer))
    if {"person_duty", "deadline"} <= has:
        rows += _undated_deadlines(kb, prover, words, person, dated_duties)
    for answer in answers(DISPLACED, "person_displaced_period"):
        p, c, r, *stated = answer.values
        period, cited = Period(*stated), prover.cite(answer)
        displaced_by = prevailing(kb, cited.proof)
        rows.append(Obligation(p, c, "keep", r, None, None, None, period, None, "displaced",
                               "no date: the period does not apply; " + "; ".join(
                                   f"{d.superior} prevails over {d.inferior} ({d.because})" for d in displaced_by),
                               period_text(words, period), cited.citations, answer,
                               displaced_by=displaced_by))
    for answer in answers(LIFTED, "duty_lifted"):
        p, a, o, s, paragraph = answer.values
        lifted = Period(0, "none", paragraph, "lifted")
        rows.append(Obligation(p, p, a, o, s, None, None, lifted, None, "lifted",
                               f"no date: {paragraph} does not apply after Customs commences a formal "
                               "investigation of the issue involved",
                               period_text(words, lifted), cite(answer), answer))
    rows.sort(key=_order)
    return _with_conflicts(rows)


def warnings(kb: KnowledgeBase, person: str | None = None) -> list[str]:
    """The KB's warnings about the given facts (of one person, if named), in words, sorted."""
    if kb.arities.get("warning") != CONTRACT["warning"]:
        return []
    explainer = Explainer(kb)
    return [explainer.sentence(a.predicate, a.values) for a in kb.query(WARNING)
            if person is None or a.values[0] == person]


def _row(words, person, role, action, obj, subject, event, start, period: Period, citations, answer) -> Obligation:
    deadline, shown_event = None, word(event) if event else None  # an event's own name: short, as the scenario says it
    try:
        if start is not None and period.counted:
            deadline = period.end(start)
        arithmetic = period.describe(start, shown_event)
    except ValueError as error:  # past 9999-12-31
        arithmetic = f"no date: {error}"
    return Obligation(person, role, action, obj, subject, event, start, period, deadline.end if deadline else None,
                      period.meaning, arithmetic, period_text(words, period), citations, answer)


def _undated_deadlines(kb, prover, words, person, dated) -> list[Obligation]:
    """Duties with a deadline whose starting event has no date in the scenario."""
    rows = []
    deadlines = {}
    for answer in kb.query("deadline(Class, Action, Object, Amount, Unit, Trigger)"):
        deadlines.setdefault(answer.values[:3], []).append(answer)
    for answer in kb.query("person_duty(Person, Class, Action, Object)"):
        p, c, a, o = answer.values
        if (person is not None and p != person) or (p, c, a, o) in dated or (c, a, o) not in deadlines:
            continue
        citations = prover.cite(answer).citations
        for deadline in deadlines[(c, a, o)]:
            period = Period(*deadline.values[3:], "within")
            merged = tuple(dict.fromkeys(citations + prover.cite(deadline).citations))
            rows.append(Obligation(p, c, a, o, None, None, None, period, None, "deadline", period.describe(None),
                                   period_text(words, period), merged, answer))
    return rows


def _order(row: Obligation) -> tuple:
    def key(value: Value | None) -> tuple:
        return (0, (), "") if value is None else (1, sort_key(value), "")

    return (row.person, 0 if row.action == "keep" else 1, row.role, row.object, bool(row.displaced_by),
            key(row.subject), key(row.start), row.period.bound, row.period.amount, row.period.unit, row.period.trigger)


def _with_conflicts(rows: list[Obligation]) -> list[Obligation]:
    """Mark the retention rows of one person whose periods for the same records may pull apart."""
    groups: dict[tuple, list[int]] = {}
    for index, row in enumerate(rows):
        if row.action == "keep" and not row.displaced_by:
            groups.setdefault((row.person, row.object), []).append(index)
    marked = list(rows)
    for members in groups.values():
        for i in members:
            found, clashes = [], []
            for j in members:
                one, other = rows[i], rows[j]
                if i == j or not one.period.conflicts_with(other.period):
                    continue
                if one.subject is not None and other.subject is not None and one.subject != other.subject:
                    continue
                found.append(j)
                clashes.append(_clash(one, other))
            if found:
                marked[i] = replace(rows[i], conflicts=tuple(found), clashes=tuple(clashes))
    return marked


def _clash(one: Obligation, other: Obligation) -> bool | None:
    """Whether the dates of two conflicting periods cannot both be met (None: a date is missing)."""
    if one.end is None or other.end is None:
        return None
    ends = {one.period.meaning: one.end, other.period.meaning: other.end}
    if "exact" in ends:
        return one.end != other.end
    return ends["minimum"] > ends["maximum"]
