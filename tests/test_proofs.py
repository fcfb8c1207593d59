"""citelog.proofs: cited answers, and citations that keep the authority of the rules they come from."""

from __future__ import annotations

import copy
import pickle

import pytest

import citelog
from citelog.provenance import Citation, CitedAnswer, by_label
from citelog.retention import DISPLACED, HEADLINE


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


def test_a_citation_keeps_the_authority_of_its_provision(kb):
    kinds = {p.citation: p.authority.kind for p in kb.program.provisions}
    kinds.update({i.name: "interpretation" for i in kb.program.interpretations})
    prover = citelog.Prover(kb)
    cited = [one for query in [DISPLACED] + [q.atom for q in kb.program.queries] for one in prover.cited(query)]
    seen = {c.authority for one in cited for c in one.citations}
    assert seen == {"statute", "regulation", "interpretation"}
    for one in cited:
        for citation in one.citations:
            assert citation.authority == kinds[citation], citation


def test_a_cited_answer_is_an_answer_with_its_proof_and_the_proof_s_citations(kb):
    prover = citelog.Prover(kb)
    found = prover.cited(HEADLINE)
    assert [one.answer for one in found] == kb.query(HEADLINE)
    for one in found:
        assert isinstance(one, CitedAnswer)
        assert one.proof == prover.prove(one.answer.predicate, one.answer.values)
        assert one.citations == tuple(one.proof.citations())


def test_only_a_counting_proof_counts_other_derivations(kb):
    def counts(proof):
        return [proof.alternatives] + [n for p in proof.premises for n in counts(p)]

    counted = [n for one in citelog.Prover(kb).cited(HEADLINE, counting=True) for n in counts(one.proof)]
    plain = [n for one in citelog.Prover(kb).cited(HEADLINE) for n in counts(one.proof)]
    assert any(counted) and not any(plain)


def test_a_given_fact_is_cited_by_nothing():
    kb = citelog.load()
    kb.add_facts({"imports": [("acme", "e1")]})
    (one,) = citelog.Prover(kb).cited('imports("acme", E)')
    assert one.proof.kind == "given" and one.citations == ()


def test_a_table_orders_citations_by_authority_then_by_label_with_numbers_in_their_order():
    found = [Citation("records_and_events", "interpretation"), Citation("19 CFR 163.11(c)", "regulation"),
             Citation("19 U.S.C. 1508(c)(3)", "statute"), Citation("19 CFR 163.4(a)", "regulation"),
             Citation("19 U.S.C. 1508(a)", "statute"), Citation("19 CFR 163.4(a)", "regulation")]
    assert by_label(found) == ("19 U.S.C. 1508(a)", "19 U.S.C. 1508(c)(3)", "19 CFR 163.4(a)", "19 CFR 163.11(c)",
                               "records_and_events")
    assert [c.shown for c in by_label(found)][-1] == "records_and_events (interpretation)"


def test_a_citation_is_written_as_its_label_and_survives_a_copy():
    citation = Citation("19 CFR 163.4(a)", "regulation")
    assert citation == "19 CFR 163.4(a)" and f"{citation}" == "19 CFR 163.4(a)" and citation.shown == citation
    for again in (pickle.loads(pickle.dumps(citation)), copy.deepcopy(citation)):
        assert (again, again.authority) == ("19 CFR 163.4(a)", "regulation")
