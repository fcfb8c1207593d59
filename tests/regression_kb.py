"""A small KB with regression cases, for the tests of the case runner, the diff and the pytest plugin.

It has its own source text, a catalogue and a tests/ folder, so that the assertions are exact and
do not depend on the bundled KB.
"""

from __future__ import annotations

from pathlib import Path

LAW = """\
(a) Every importer shall keep entry records. An agent of an importer
is also an importer.
(b) Entry records shall be kept for at least 5 years from the date of entry,
and records of Com-
pliance shall be kept for the same period.
(c) No person shall be liable where the entry is exempt.
"""

RULES = """\
source law = "sources/law.txt".
input imports(Party, Entry) means "Party imports under Entry" reads "{Party} imports under {Entry}".
input agent_of(Agent, Principal) means "Agent acts for Principal" reads "{Agent} acts for {Principal}".

query who_keeps_what means "Who must keep what, for how long?"
  asks must_keep(Class, Records, Amount, Unit, Trigger, Bound).
query classes means "Which person is in which class" asks is_a(Person, Class).

provision "19 U.S.C. 1508(a)" {
  quote law "Every importer shall keep entry records."
  [importer] P is an importer if imports(P, _).
  importer must keep entry_records.
}

provision "19 U.S.C. 1508(a)(2)" {
  quote law "An agent of an importer is also an importer."
  [agent] P is an importer if agent_of(P, Q), is_a(Q, importer).
}

provision "19 U.S.C. 1508(b)" {
  quote law "Entry records shall be kept for at least 5 years from the date of entry"
  keep entry_records for at least 5 years from entry.
}

interpretation keeping {
  note "joins duties and periods"
  must_keep(C, R, N, U, T, B) :- duty(C, keep, R), retention(R, N, U, T, B).
}
"""

CASES = """\
about: the small law of the regression tests
cases:
  - name: an importer keeps entry records at least 5 years
    query: who_keeps_what
    expect:
      - answer: {Class: importer, Records: entry_records, Amount: 5, Unit: years, Trigger: entry, Bound: at_least}
        citations: [19 U.S.C. 1508(a), 19 U.S.C. 1508(b)]

  - name: the agent of an importer is an importer
    scenario:
      facts:
        imports: [[acme, e1]]
        agent_of: [[broker, acme]]
    query: is_a(broker, Class)
    expect:
      - answer: {Class: importer}
        citations: [19 U.S.C. 1508(a)(2)]

  - name: nobody is in a class without facts
    query: classes
    expect: none
"""


# a case that fails on this KB: the law says at least 5 years
FAILING = """\
cases:
  - name: an importer keeps entry records 6 years
    query: who_keeps_what
    expect:
      - answer: {Class: importer, Records: entry_records, Amount: 6, Unit: years, Trigger: entry, Bound: at_least}
        citations: [19 U.S.C. 1508(b)]
"""


def write_regression_kb(root: Path, rules: str = RULES, cases: str | None = CASES, *,
                        case_file: str = "law.yaml") -> Path:
    """Write the KB folder (rules, source, tests/) under root and return it."""
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "sources" / "law.txt").write_text(LAW, encoding="utf-8")
    (root / "law.clog").write_text(rules, encoding="utf-8")
    if cases is not None:
        (root / "tests").mkdir(exist_ok=True)
        (root / "tests" / case_file).write_text(cases, encoding="utf-8")
    return root
