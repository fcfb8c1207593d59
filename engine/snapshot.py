"""A snapshot of what a KB answers: every answer of the headline query, of every catalogue query
and of every scenario-based regression case, each with its citations and a digest of its proof.

Two snapshots of two versions of a KB compare answer by answer (engine/semantic_diff.py). The
snapshot is deterministic: sections in a fixed order (the headline, the catalogue in its order,
then the cases by file and position), answers sorted as the KB sorts them, and JSON written with
a fixed layout, so the same KB gives the same bytes.

The proof digest is the SHA-256 of the proof's canonical JSON: for each node its kind, atom,
typed values, rule id, rule text and citation, the rule's bindings and the premises in order. The
count of other derivations is left out: the digest names the proof shown, not how many exist.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from .cases import Case
from .core import Atom, Var
from .errors import CitelogError
from .knowledge_base import KnowledgeBase
from .parser import parse_atom
from .proofs import Prover
from .provenance import Proof
from .retention import HEADLINE
from .values import Value, to_json, type_name

SCHEMA = "citelog.snapshot/1"
HEADLINE_ID = "headline"


def canonical_proof(proof: Proof) -> dict:
    rule = proof.rule
    return {
        "kind": proof.kind,
        "atom": proof.predicate,
        "values": [None if v is None else [type_name(v), str(v)] for v in proof.values],
        "rule": rule.id if rule else None,
        "text": str(rule) if rule else None,
        "citation": rule.authority.citation if rule else None,
        "bindings": [[name, type_name(value), str(value)] for name, value in proof.bindings],
        "premises": [canonical_proof(p) for p in proof.premises],
    }


def proof_digest(proof: Proof | None) -> str:
    if proof is None:
        return "none"
    text = json.dumps(canonical_proof(proof), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _bindings(bindings: Iterable[tuple[str, Value]]) -> dict:
    return {name: to_json(value) for name, value in bindings}


def answers_of(kb: KnowledgeBase, atom: Atom) -> list[dict]:
    """Every answer of a query (the KB's facts as they are), with citations and proof digest."""
    prover = Prover(kb)
    found = []
    for one in prover.cited(atom, counting=True):
        found.append({
            "bindings": _bindings(one.answer.bindings),
            "citations": list(one.citations),
            "proof": proof_digest(one.proof),
        })
    return found


def same_question(one: Atom, other: Atom) -> bool:
    """Whether two atoms ask the same question up to the names of their variables."""
    if one.predicate != other.predicate or len(one.args) != len(other.args):
        return False
    mapping: dict[str, str] = {}
    for a, b in zip(one.args, other.args):
        if isinstance(a, Var) and isinstance(b, Var):
            if a.anonymous or b.anonymous:
                if a.anonymous != b.anonymous:
                    return False
            elif mapping.setdefault(a.name, b.name) != b.name:
                return False
        elif isinstance(a, Var) or isinstance(b, Var) or a != b:
            return False
    return len(set(mapping.values())) == len(mapping)


def case_section_id(case: Case) -> str:
    return f"case:{Path(case.path).name}::{case.name}"


def snapshot(kb: KnowledgeBase, cases: Iterable[Case] = ()) -> dict:
    """The snapshot of a loaded KB (with no given facts) and of the scenario cases given."""
    if kb.given_facts():
        raise CitelogError("a snapshot is taken of the KB alone: withdraw the given facts first", code="snapshot")
    program = kb.program
    sections: list[dict] = []
    headline = parse_atom(HEADLINE)
    if kb.arities.get("must_keep") == 6:
        sections.append({"id": HEADLINE_ID, "means": "who must keep what, for how long", "query": HEADLINE,
                         "answers": answers_of(kb, headline)})
    for named in program.queries:
        section = {"id": f"query:{named.name}", "means": named.meaning, "query": str(named.atom)}
        if sections and sections[0]["id"] == HEADLINE_ID and same_question(named.atom, headline):
            section["same_as"] = HEADLINE_ID
        else:
            section["answers"] = answers_of(kb, named.atom)
        sections.append(section)
    for case in cases:
        if case.facts:
            sections.append(case_section(kb, case))
    return {
        "schema": SCHEMA,
        "kb": {"provisions": len(program.provisions), "interpretations": len(program.interpretations),
               "rules": len(program.rules), "queries": len(program.queries)},
        "sections": sections,
    }


def case_section(kb: KnowledgeBase, case: Case) -> dict:
    """A regression case's query under its scenario (the case's expectations are not used)."""
    section = {"id": case_section_id(case), "means": case.scenario or case.name, "query": str(case.query)}
    try:
        with kb.scenario(case.facts):
            section["answers"] = answers_of(kb, case.query)
    except CitelogError as error:
        section["error"] = f"error[{error.code}]: {error.message}"
    return section


def dumps(snap: dict) -> str:
    return json.dumps(snap, indent=2, ensure_ascii=False) + "\n"
