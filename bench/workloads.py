"""The engine benchmark's workloads: Datalog programs of the kinds published with Soufflé and
the Datalog literature, and the bundled KB over large scenarios, generated from fixed seeds.

A workload is its facts, its rules (core rule texts) and the relation whose tuples every system
must agree on.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

CLOSURE = ["path(X, Y) :- edge(X, Y).", "path(X, Z) :- path(X, Y), edge(Y, Z)."]


@dataclass
class Workload:
    name: str
    facts: dict[str, list[tuple]]
    rules: list[str] = field(default_factory=list)  # empty: the bundled KB
    output: str = "path"
    note: str = ""

    @property
    def size(self) -> int:
        return sum(len(rows) for rows in self.facts.values())


def chain(n: int) -> Workload:
    return Workload(f"chain closure {n:,}", {"edge": [(i, i + 1) for i in range(n - 1)]}, CLOSURE,
                    note=f"{n * (n - 1) // 2:,} tuples")


def random_graph(nodes: int = 1000, edges: int = 3000, seed: int = 1) -> Workload:
    rng = random.Random(seed)
    found: set[tuple[int, int]] = set()
    while len(found) < edges:
        found.add((rng.randrange(nodes), rng.randrange(nodes)))
    return Workload(f"random graph {nodes:,}/{edges:,}", {"edge": sorted(found)}, CLOSURE)


def same_generation(depth: int = 8) -> Workload:
    """A complete binary tree of the given depth: nodes 1..2^(depth+1)-1, parent of n is n // 2."""
    last = 2 ** (depth + 1) - 1
    return Workload(f"same generation, tree of depth {depth}", {"parent": [(n, n // 2) for n in range(2, last + 1)]}, [
        "sg(X, Y) :- parent(X, P), parent(Y, P), X != Y.",
        "sg(X, Y) :- parent(X, A), sg(A, B), parent(Y, B).",
    ], output="sg")


def not_reachable(nodes: int = 2000, seed: int = 2) -> Workload:
    """Nodes of a sparse random graph that node 0 does not reach: negation over a recursion."""
    rng = random.Random(seed)
    edges = sorted({(rng.randrange(nodes), rng.randrange(nodes)) for _ in range(nodes)})
    return Workload(f"not reachable, {nodes:,} nodes", {"node": [(n,) for n in range(nodes)], "edge": edges}, [
        "reach(Y) :- edge(0, Y).",
        "reach(Y) :- reach(X), edge(X, Y).",
        "unreachable(X) :- node(X), not reach(X).",
    ], output="unreachable")


def lubm(universities: int = 2, seed: int = 3) -> Workload:
    """A university ontology of the LUBM kind: a class and property hierarchy as rules, a
    transitive part-of, and the benchmark's conjunctive queries as rules."""
    rng = random.Random(seed)
    facts: dict[str, list[tuple]] = {name: [] for name in (
        "university", "department", "research_group", "full_professor", "associate_professor",
        "assistant_professor", "lecturer", "undergraduate_student", "graduate_student", "course",
        "graduate_course", "publication", "sub_organization_of", "works_for", "head_of", "member_of",
        "takes_course", "teacher_of", "advisor", "degree_from", "publication_author", "teaching_assistant_of")}
    add = lambda name, *row: facts[name].append(row)  # noqa: E731
    universities_ = [f"u{u}" for u in range(universities)]
    for u in universities_:
        add("university", u)
    for u in universities_:
        for d in range(6):
            dept = f"{u}d{d}"
            add("department", dept)
            add("sub_organization_of", dept, u)
            for g in range(3):
                add("research_group", f"{dept}g{g}")
                add("sub_organization_of", f"{dept}g{g}", dept)
            faculty = []
            for kind, count in (("full_professor", 3), ("associate_professor", 4), ("assistant_professor", 4),
                                ("lecturer", 3)):
                for i in range(count):
                    person = f"{dept}{kind[:2]}{i}"
                    add(kind, person)
                    add("works_for", person, dept)
                    add("degree_from", person, rng.choice(universities_))
                    faculty.append(person)
            add("head_of", faculty[0], dept)
            courses = [f"{dept}c{i}" for i in range(12)] + [f"{dept}gc{i}" for i in range(6)]
            for c in courses:
                add("graduate_course" if "gc" in c else "course", c)
                add("teacher_of", rng.choice(faculty), c)
            for i in range(40):
                student = f"{dept}us{i}"
                add("undergraduate_student", student)
                add("member_of", student, dept)
                for c in rng.sample(courses[:12], 3):
                    add("takes_course", student, c)
            for i in range(15):
                student = f"{dept}gs{i}"
                add("graduate_student", student)
                add("member_of", student, dept)
                add("advisor", student, rng.choice(faculty[:11]))
                add("degree_from", student, rng.choice(universities_))
                for c in rng.sample(courses[12:], 2):
                    add("takes_course", student, c)
                if i % 5 == 0:
                    add("teaching_assistant_of", student, rng.choice(courses[:12]))
            for i in range(30):
                pub = f"{dept}p{i}"
                add("publication", pub)
                for author in rng.sample(faculty, 2):
                    add("publication_author", pub, author)
    rules = [
        # the class hierarchy
        "professor(X) :- full_professor(X).", "professor(X) :- associate_professor(X).",
        "professor(X) :- assistant_professor(X).", "faculty(X) :- professor(X).", "faculty(X) :- lecturer(X).",
        "student(X) :- undergraduate_student(X).", "student(X) :- graduate_student(X).",
        "person(X) :- faculty(X).", "person(X) :- student(X).", "employee(X) :- faculty(X).",
        "organization(X) :- university(X).", "organization(X) :- department(X).",
        "organization(X) :- research_group(X).", "any_course(X) :- course(X).", "any_course(X) :- graduate_course(X).",
        "teaching_assistant(X) :- teaching_assistant_of(X, _).", "chair(X) :- head_of(X, D), department(D).",
        "author(X) :- publication_author(_, X).",
        # properties: sub-properties, a transitive part-of, and membership through it
        "part_of(X, Y) :- sub_organization_of(X, Y).", "part_of(X, Z) :- part_of(X, Y), part_of(Y, Z).",
        "affiliated(X, Y) :- member_of(X, Y).", "affiliated(X, Y) :- works_for(X, Y).",
        "affiliated(X, U) :- affiliated(X, D), part_of(D, U).",
        "colleague(X, Y) :- works_for(X, D), works_for(Y, D), X != Y.",
        # the benchmark's queries
        "q_grad_alumni(X, U) :- graduate_student(X), affiliated(X, U), university(U), degree_from(X, U).",
        "q_advised_in_own_course(X, Y, C) :- student(X), faculty(Y), advisor(X, Y), teacher_of(Y, C), takes_course(X, C).",
        "q_members(X, U) :- person(X), affiliated(X, U), university(U).",
        "q_coauthors(X, Y) :- publication_author(P, X), publication_author(P, Y), X != Y.",
        "q_unadvised(X) :- graduate_student(X), not has_advisor(X).", "has_advisor(X) :- advisor(X, _).",
        "answer(Q, X, Y) :- q_grad_alumni(X, Y), Q = 1.",
        "answer(Q, X, Y) :- q_members(X, Y), Q = 2.",
        "answer(Q, X, Y) :- q_coauthors(X, Y), Q = 3.",
        "answer(Q, X, Y) :- q_advised_in_own_course(X, Y, _), Q = 4.",
        "answer(Q, X, X) :- q_unadvised(X), Q = 5.",
        "answer(Q, X, Y) :- colleague(X, Y), chair(X), Q = 6.",
    ]
    return Workload(f"LUBM-like ontology, {universities} universities", facts, rules, output="answer",
                    note=f"{len(rules)} rules")


def points_to(variables: int = 1000, seed: int = 4) -> Workload:
    """Andersen's points-to analysis of a generated program: allocations, copies, loads, stores."""
    rng = random.Random(seed)
    var = lambda: f"v{rng.randrange(variables)}"  # noqa: E731
    heaps = [f"h{i}" for i in range(variables // 6)]
    fields = [f"f{i}" for i in range(4)]
    facts = {
        "new": sorted({(var(), rng.choice(heaps)) for _ in range(variables // 2)}),
        "assign": sorted({(var(), var()) for _ in range(variables)}),
        "load": sorted({(var(), var(), rng.choice(fields)) for _ in range(variables // 6)}),
        "store": sorted({(var(), rng.choice(fields), var()) for _ in range(variables // 6)}),
    }
    return Workload(f"points-to, {variables:,} variables", facts, [
        "points_to(V, H) :- new(V, H).",
        "points_to(V, H) :- assign(V, W), points_to(W, H).",
        "heap_points_to(H, F, G) :- store(V, F, W), points_to(V, H), points_to(W, G).",
        "points_to(V, G) :- load(V, W, F), points_to(W, H), heap_points_to(H, F, G).",
    ], output="points_to")


def scenario(rows: int, parties: int = 1000, seed: int = 5) -> Workload:
    """The bundled KB over a company's records: importers and their entries (dated), some
    reconciled, brokers acting for importers, drawback claims and NAFTA certificates, spread over
    `parties` parties; the output is the dated obligations (`keeps`)."""
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(parties)]
    facts: dict[str, list[tuple]] = {name: [] for name in (
        "imports", "entry_date", "reconciliation_filed", "agent_of", "files_drawback_claim", "claim_covers",
        "claim_liquidated", "completes_and_signs_nafta_certificate", "nafta_preference_claimed",
        "certificate_signed", "exported_on")}
    start = datetime.date(2019, 1, 1)
    made = 0
    while made < rows:
        kind = rng.random()
        person = rng.choice(people)
        day = start + datetime.timedelta(days=rng.randrange(2000))
        if kind < 0.6:
            entry = f"E-{made}"
            facts["imports"].append((person, entry))
            facts["entry_date"].append((entry, day))
            made += 2
            if rng.random() < 0.2:
                facts["reconciliation_filed"].append((entry, day + datetime.timedelta(days=rng.randrange(1, 400))))
                made += 1
        elif kind < 0.7:
            agent = rng.choice(people)
            if agent != person:
                facts["agent_of"].append((agent, person))
                made += 1
        elif kind < 0.85:
            claim, entry = f"C-{made}", f"E-{made}"
            facts["files_drawback_claim"].append((person, claim))
            facts["claim_covers"].append((claim, entry))
            facts["claim_liquidated"].append((claim, day))
            facts["exported_on"].append((entry, day - datetime.timedelta(days=30)))
            made += 4
        else:
            good = f"G-{made}"
            facts["completes_and_signs_nafta_certificate"].append((person, good))
            facts["nafta_preference_claimed"].append((good,))
            facts["certificate_signed"].append((person, good, day))
            made += 3
    return Workload(f"bundled KB, scenario of {rows:,} rows", {k: sorted(set(v)) for k, v in facts.items()},
                    output="keeps", note=f"{parties:,} parties")
