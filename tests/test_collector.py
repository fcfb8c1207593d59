"""The garbage collector around bulk work (engine/collector.py): out of the way, nothing kept."""

from __future__ import annotations

import gc
import weakref

from citelog import collector
from citelog.pipeline import build


class _Node:
    pass


def _in(generation: int, thing) -> bool:
    return any(o is thing for o in gc.get_objects(generation=generation))


def test_what_a_build_makes_goes_to_the_oldest_generation_unexamined(routes_kb, monkeypatch):
    monkeypatch.setenv("CITELOG_CACHE", "0")  # a build from the rule files
    program, _, diagnostics = build(routes_kb)
    assert diagnostics == []
    assert _in(2, program) and not _in(0, program)
    assert gc.get_freeze_count() == 0  # promoted, not frozen: a full collection still sees it


def test_cyclic_garbage_made_while_building_is_still_collected():
    with collector.tuned(young=0):
        node = _Node()
        node.itself = node
        gone = weakref.ref(node)
        del node
    assert gone() is not None  # nothing collects while building...
    gc.collect()
    assert gone() is None  # ...and nothing is kept from the collector after


def test_the_collector_is_put_back_as_it_was():
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    with collector.tuned(young=0):
        assert not gc.isenabled()
        with collector.tuned():  # a nested user (another KB) changes nothing
            assert not gc.isenabled()
    assert gc.get_threshold() == threshold and gc.isenabled() == enabled
    with collector.tuned(young=5000):
        assert gc.get_threshold()[0] == 5000
    assert gc.get_threshold() == threshold
