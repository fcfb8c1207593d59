"""The relations the evaluator joins over (engine/relations.py): their indexes follow additions."""

from __future__ import annotations

from citelog.relations import Relation


class TestRelation:
    def test_indexes_follow_additions(self):
        relation = Relation(2, [(1, "a"), (2, "b")])
        assert list(relation.match((1,), ("a",))) == [(1, "a")]
        relation.add((3, "a"))
        assert sorted(relation.match((1,), ("a",))) == [(1, "a"), (3, "a")]
        assert list(relation.match((0, 1), (2, "b"))) == [(2, "b")] and list(relation.match((0, 1), (2, "a"))) == []
        assert not relation.add((1, "a")) and len(relation) == 3
