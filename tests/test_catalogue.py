"""The headline query and every catalogue query of the bundled KB, pinned with their citations.

Each named query's answers (bindings and citations) are compared with a reviewed golden file in
tests/golden/catalogue/; set CITELOG_UPDATE_GOLDEN=1 to rewrite them after a deliberate change
to the KB, then read the diff as the review of that change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import citelog
from citelog.proofs import Prover
from citelog.values import to_json

GOLDEN = Path(__file__).parent / "golden" / "catalogue"
UPDATE = os.environ.get("CITELOG_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


def answers_with_citations(kb, atom) -> list[dict]:
    prover = Prover(kb)
    return [
        {
            "bindings": {name: to_json(value) for name, value in answer.bindings},
            "citations": prover.prove(answer.predicate, answer.values).citations(),
        }
        for answer in kb.query(atom)
    ]


def test_catalogue_is_listed_and_documented(kb):
    names = [q.name for q in kb.program.queries]
    assert len(names) == len(set(names))
    for required in ("who_keeps_what", "deadlines", "penalties", "program_applicants", "certification_requirements",
                     "notices_instead_of_penalties", "appealable_decisions", "denial_grounds"):
        assert required in names
    assert all(q.meaning.strip() for q in kb.program.queries)


@pytest.mark.parametrize("name", [q.name for q in citelog.load().program.queries])
def test_catalogue_query_answers_and_citations(kb, name):
    found = answers_with_citations(kb, kb.program.named_query(name).atom)
    path = GOLDEN / f"{name}.json"
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file for {name}: run with CITELOG_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")
    for answer in found:  # every answer of the law rests on at least one provision
        assert answer["citations"], answer


def test_deadlines_include_the_disclosures_the_conference_and_the_response(kb):
    rows = {tuple(a["bindings"].values()): a["citations"] for a in answers_with_citations(
        kb, "deadline(Class, Action, Object, Amount, Unit, Trigger)")}
    amounts = {(row[0], row[3], row[4]) for row in rows}
    assert ("director", 15, "calendar_days") in amounts  # 163.11(b)
    assert sum(1 for row in rows if row[3] == 30 and row[4] == "days") >= 2  # 1508(b)(2)(B)(ii), twice
    assert any(row[4] == "reasonable_time" for row in rows)  # 163.12(d)(3)
