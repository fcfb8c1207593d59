"""The cache of builds (engine/cache.py): an unchanged KB is not parsed again; a changed, stale,
corrupt or foreign entry is ignored and rebuilt, never trusted."""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import types

import pytest

import citelog
from citelog import cache, outputs, parser, pipeline
from citelog.pipeline import build

from conftest import BUNDLED_KB, EXPLAIN_KB, ROUTES_KB


@pytest.fixture
def kb_folder(make_kb):
    return make_kb(ROUTES_KB)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CITELOG_CACHE_DIR", str(folder))
    monkeypatch.delenv("CITELOG_CACHE", raising=False)
    return folder


@pytest.fixture
def parses(monkeypatch):
    """How many rule files were parsed (read_module calls) since the fixture was made."""
    calls = []
    real = pipeline.read_module
    monkeypatch.setattr(pipeline, "read_module", lambda *args: calls.append(args) or real(*args))
    return calls


def entries(folder):
    return sorted(folder.glob("*.pickle"))


def answers(path) -> list:
    kb = citelog.load(path)
    kb.add_facts({"imports": [("acme", "e1")]})
    return [a.values for a in kb.query("is_a(P, C)")]


def test_a_hit_parses_nothing_and_answers_the_same(kb_folder, cache_dir, parses):
    first = answers(kb_folder)
    assert len(parses) == 1 and len(entries(cache_dir)) == 1
    second = answers(kb_folder)
    assert second == first and len(parses) == 1  # read from the cache
    program = build(kb_folder)[0]
    assert program.plan is not None  # the evaluation plan comes with it


def test_a_hit_holds_what_the_build_made_less_the_statements(kb_folder, cache_dir, parses):
    fresh = build(kb_folder)[0]
    cached = build(kb_folder)[0]
    assert len(parses) == 1 and cached is not fresh
    assert cached.rules == fresh.rules and [str(r.position) for r in cached.rules] == [str(r.position) for r in fresh.rules]
    assert [(str(a.position), a) for r in cached.rules for a in (r.head, *r.body)] == \
           [(str(a.position), a) for r in fresh.rules for a in (r.head, *r.body)]
    shape = lambda p: (p.citation, p.quotes, [str(q.position) for q in p.quotes], p.notes, str(p.position))  # noqa: E731
    assert [shape(p) for p in cached.provisions] == [shape(p) for p in fresh.provisions]
    assert any(p.statements for p in fresh.provisions)
    assert not any(p.statements for p in cached.provisions)  # only desugaring and the checks read them
    assert cached.modules[-1].provisions[0] is cached.provisions[0]  # one object, as in a build
    assert cached.warnings == fresh.warnings and cached.plan is not None


def test_an_edited_rule_file_is_a_miss(kb_folder, cache_dir, parses):
    answers(kb_folder)
    rules = kb_folder / "rules.clog"
    rules.write_text(rules.read_text(encoding="utf-8").replace("[importer] P is an importer if imports(P, _).",
                                                               "[importer] P is an importer if agent_of(P, _)."),
                     encoding="utf-8")
    assert answers(kb_folder) == []  # no one imports as an agent: the edit took effect
    assert len(parses) == 2 and len(entries(cache_dir)) == 2


def test_a_changed_source_text_makes_the_entry_stale(kb_folder, cache_dir, parses):
    assert build(kb_folder)[2] == []
    law = kb_folder / "sources" / "law.txt"
    law.write_text(law.read_text(encoding="utf-8").replace("Every importer", "Each importer"), encoding="utf-8")
    diagnostics = build(kb_folder)[2]  # the quote is no longer in the law: rebuilt, and checked again
    assert len(parses) == 2 and [d.code for d in diagnostics] == ["quote-not-found"]


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_a_corrupt_entry_is_ignored_and_rebuilt(kb_folder, cache_dir, parses, damage):
    expected = answers(kb_folder)
    (entry,) = entries(cache_dir)
    data = entry.read_bytes()
    entry.write_bytes({"flip": data[:-100] + bytes([data[-100] ^ 1]) + data[-99:], "truncate": data[: len(data) // 2],
                       "empty": b"", "garbage": os.urandom(len(data))}[damage])
    assert answers(kb_folder) == expected and len(parses) == 2  # rebuilt
    assert answers(kb_folder) == expected and len(parses) == 2  # and the rebuilt entry is good


def test_a_folder_others_can_write_is_never_read(kb_folder, cache_dir, parses):
    answers(kb_folder)
    cache_dir.chmod(cache_dir.stat().st_mode | stat.S_IWOTH)
    assert cache.folder() is None
    answers(kb_folder)
    assert len(parses) == 2


def test_caching_can_be_turned_off(kb_folder, cache_dir, parses, monkeypatch):
    monkeypatch.setenv("CITELOG_CACHE", "0")
    answers(kb_folder)
    answers(kb_folder)
    assert len(parses) == 2 and not cache_dir.exists()


def test_errors_are_cached_too_and_reported_the_same(make_kb, cache_dir, parses):
    broken = make_kb(ROUTES_KB + "\nbroken(\n")
    first = build(broken)[2]
    second = build(broken)[2]
    assert first == second and [d.code for d in first] == ["syntax-error"] and len(parses) == 1


def test_the_grammar_tables_are_cached(cache_dir):
    parser._parser.cache_clear()
    try:
        parser.parse_atom("is_a(P, C)")
        assert list(cache_dir.glob("grammar-query-*.lark"))
    finally:
        parser._parser.cache_clear()


def write_entry(entry, value) -> None:
    """Replace an entry by a whole one (magic, hash) that holds `value`."""
    body = pickle.dumps((value, {}))
    entry.write_bytes(cache._MAGIC + hashlib.sha256(body).hexdigest().encode() + body)


@pytest.mark.parametrize("function", ["os.system", "citelog.outputs.write_text"])
def test_an_entry_that_would_run_code_is_refused(kb_folder, cache_dir, parses, tmp_path, function):
    """Even a whole entry in a folder of this user's is unpickled only into the classes a build is
    made of: no function is called, Python's or citelog's own."""
    answers(kb_folder)
    (entry,) = entries(cache_dir)
    marker = tmp_path / "pwned"
    call = {"os.system": (os.system, (f"touch {marker}",)),
            "citelog.outputs.write_text": (outputs.write_text, (str(marker), "written by the cache"))}[function]

    class Payload:
        def __reduce__(self):
            return call

    write_entry(entry, Payload())
    answers(kb_folder)
    assert not marker.exists() and len(parses) == 2  # refused, rebuilt


def test_an_entry_written_before_a_class_moved_is_ignored_and_rebuilt(kb_folder, cache_dir, parses, monkeypatch):
    """The syntax nodes were in `citelog.syntax` before they were split into `core` and `surface`:
    an entry that names the old place is refused, and the KB rebuilt."""
    expected = answers(kb_folder)
    (entry,) = entries(cache_dir)
    old = types.ModuleType("citelog.syntax")
    old.Rule = type("Rule", (), {"__module__": "citelog.syntax"})
    monkeypatch.setitem(sys.modules, "citelog.syntax", old)
    write_entry(entry, (old.Rule(), []))
    monkeypatch.delitem(sys.modules, "citelog.syntax")
    assert answers(kb_folder) == expected and len(parses) == 2


def test_other_code_keys_another_entry(kb_folder, monkeypatch):
    """The key covers citelog's own code, so an entry written by another version is never looked up."""
    files = [(f.name, f) for f in pipeline.rule_files(kb_folder)]
    before = cache.key(files)
    monkeypatch.setattr(cache, "_code_fingerprint", lambda: "other code")
    assert cache.key(files) != before


@pytest.mark.parametrize("kb", ["bundled", "routes", "explain"])
def test_a_build_is_read_back_whole(kb, make_kb, cache_dir, parses):
    """Every value a build holds is one the cache may rebuild: a second build parses nothing."""
    path = {"bundled": BUNDLED_KB, "routes": make_kb(ROUTES_KB), "explain": EXPLAIN_KB}[kb]
    fresh = build(path)
    cached = build(path)
    assert cached[0].rules == fresh[0].rules and cached[2] == fresh[2]
    assert len(parses) == len(pipeline.rule_files(path))


def test_only_the_most_recently_used_entries_are_kept(make_kb, cache_dir, parses, monkeypatch):
    monkeypatch.setattr(cache, "KEPT", 3)
    folders = [make_kb(ROUTES_KB + f"% copy {n}\n", folder=f"kb{n}") for n in range(5)]
    entry_of = {}
    for number, folder in enumerate(folders[:3]):
        before = set(entries(cache_dir))
        build(folder)
        (entry_of[number],) = set(entries(cache_dir)) - before
        os.utime(entry_of[number], ns=((1_000 + number) * 10**9,) * 2)  # used long ago, kb0 first
    build(folders[0])  # a hit, which makes kb0's entry the most recently used
    assert len(parses) == 3 and entry_of[0].stat().st_mtime > 2_000
    build(folders[3])  # a fourth entry: the least recently used (kb1's) goes
    assert set(entries(cache_dir)) >= {entry_of[0], entry_of[2]} and not entry_of[1].exists()
    build(folders[4])  # then kb2's
    assert len(entries(cache_dir)) == 3 and entry_of[0].exists() and not entry_of[2].exists()
    build(folders[0])
    assert len(parses) == 5  # kb0 is still read from the cache: only kb3 and kb4 were parsed since
