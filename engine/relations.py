"""A stored relation: the facts of one predicate, how each was derived, and hash indexes.

Every relation the evaluator materialises lives here, in plain Python sets and dicts, and
pyDatalog reads it through a resolver (`evaluator.py`): at about 170 bytes a fact, against
about 770 in pyDatalog's own fact store, a model of a million facts fits in memory, and a
scenario's relations can share the unchanged ones of the model they extend.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# How a derived fact was first derived: the number of the rule, the instance row of the firing
# (the rule's variables bound, see `CompiledRule.variables`) and the step of the evaluation that
# derived it (its premises all have smaller steps). None: a fact stated in the KB or given (step 0).
Derivation = tuple[int, tuple, int]


class Relation:
    """The facts of one predicate, each with its derivation, and an index per pattern of bound
    argument positions, built on first use and kept up to date as facts are added."""

    __slots__ = ("arity", "facts", "_indexes")

    def __init__(self, arity: int, facts: Iterable[tuple] = ()):
        self.arity = arity
        self.facts: dict[tuple, Derivation | None] = dict.fromkeys(facts)
        self._indexes: dict[tuple[int, ...], dict[tuple, list[tuple]]] = {}

    def __len__(self) -> int:
        return len(self.facts)

    def __contains__(self, row: tuple) -> bool:
        return row in self.facts

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.facts)

    def add(self, row: tuple, derivation: Derivation | None = None) -> bool:
        """Add a fact; False (and nothing changes) if it is there already."""
        if row in self.facts:
            return False
        self.facts[row] = derivation
        for positions, index in self._indexes.items():
            _file(index, positions, row)
        return True

    def derivation(self, row: tuple) -> Derivation | None:
        return self.facts.get(row)

    def match(self, positions: tuple[int, ...], key: tuple) -> Iterable[tuple]:
        """The facts whose arguments at `positions` equal `key` (a superset when a value is
        equal to, but not the same type as, another: the caller checks what it needs)."""
        if not positions:
            return self.facts.keys()
        if len(positions) == self.arity:
            return (key,) if key in self.facts else ()
        index = self._indexes.get(positions)
        if index is None:  # built whole before it is shared: another thread may read it at once
            index = {}
            for row in self.facts:
                _file(index, positions, row)
            self._indexes[positions] = index
        return index.get(key, ())


def _file(index: dict[tuple, list[tuple]], positions: tuple[int, ...], row: tuple) -> None:
    """Put a fact in an index under the values at its positions."""
    key = tuple(row[i] for i in positions)
    bucket = index.get(key)
    if bucket is None:
        index[key] = [row]
    else:
        bucket.append(row)
