"""How much of a source the quotes cover (engine/coverage.py, `citelog coverage`): figures counted by hand."""

from __future__ import annotations

import json

import citelog
from citelog.coverage import coverage

from conftest import run_cli

# line 1 is quoted, line 2 is declared noise, line 3 is quoted from its second word on, and the
# quote runs on to line 4's first word: the rest of line 4 nobody transcribed
SOURCE = (
    "Every importer shall keep records.\n"
    "Source: Pub. L. 95-410.\n"
    "  The agent keeps\n"
    "copies too; nothing else is said.\n"
)
RULES = """\
source law = "sources/law.txt".
noise law "Source: Pub. L. 95-410." note "a source credit, not law".

provision "19 U.S.C. 1508(a)" {
  quote law "Every importer shall keep records."
}

provision "19 U.S.C. 1508(b)" {
  quote law "agent keeps copies"
}
"""


def _non_blank(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


def _report(make_kb, rules: str = RULES, source: str = SOURCE):
    kb = citelog.load(make_kb(rules, sources={"law.txt": source}))
    [found] = coverage(kb.program, kb.sources)
    return found


def test_the_figures_are_the_characters_counted_by_hand(make_kb):
    found = _report(make_kb)
    assert found.characters == _non_blank(SOURCE)
    assert found.quoted == _non_blank("Every importer shall keep records.") + _non_blank("agent keeps copies")
    assert found.noise == _non_blank("Source: Pub. L. 95-410.")
    assert found.share == (found.quoted + found.noise) / found.characters


def test_every_span_left_out_says_where_it_is(make_kb):
    spans = [(s.kind, s.start, s.end, s.text, s.note) for s in _report(make_kb).spans]
    assert spans == [
        ("noise", (2, 1), (2, 23), "Source: Pub. L. 95-410.", "a source credit, not law"),
        ("uncovered", (3, 3), (3, 5), "The", ""),
        ("uncovered", (4, 8), (4, 33), "too; nothing else is said.", ""),
    ]


def test_a_quote_counts_where_noise_overlaps_it(make_kb):
    rules = RULES + 'noise law "Every importer" note "a mistaken declaration".\n'
    found = _report(make_kb, rules)
    assert found.quoted == _non_blank("Every importer shall keep records.") + _non_blank("agent keeps copies")
    assert found.noise == _non_blank("Source: Pub. L. 95-410.")


def test_a_source_quoted_whole_has_no_span(make_kb):
    rules = 'source law = "sources/law.txt".\nprovision "19 U.S.C. 1508(a)" {\n  quote law "Keep records."\n}\n'
    found = _report(make_kb, rules, "Keep\n   records.\n")
    assert (found.characters, found.quoted, found.noise, found.spans, found.share) == (12, 12, 0, (), 1.0)


class TestCommand:
    def test_text_lists_the_spans_and_strict_fails_on_uncovered_text(self, make_kb):
        folder = make_kb(RULES, sources={"law.txt": SOURCE})
        plain = run_cli("coverage", "--kb", str(folder))
        assert plain.returncode == 0, plain.stderr.decode()
        lines = plain.stdout.decode().splitlines()
        assert lines[0].startswith("law.txt: ") and lines[0].endswith(", 2 uncovered span(s)")
        assert lines[1].split() == ["noise", "2:1-2:23", "Source:", "Pub.", "L.", "95-410.", "(a", "source", "credit,",
                                    "not", "law)"]
        assert [line.split()[:2] for line in lines[2:]] == [["uncovered", "3:3-3:5"], ["uncovered", "4:8-4:33"]]
        strict = run_cli("coverage", "--kb", str(folder), "--strict")
        assert strict.returncode == 1 and strict.stdout == plain.stdout

    def test_json_and_strict_passes_when_everything_is_accounted_for(self, make_kb):
        rules = RULES + 'noise law "The" note "a heading".\nnoise law "too; nothing else is said." note "a tail".\n'
        folder = make_kb(rules, sources={"law.txt": SOURCE})
        result = run_cli("coverage", "--kb", str(folder), "--strict", "--format", "json")
        assert result.returncode == 0, result.stderr.decode()
        [source] = json.loads(result.stdout)["sources"]
        assert source["accounted_share"] == 1.0
        assert [span["kind"] for span in source["spans"]] == ["noise", "noise", "noise"]
        assert source["spans"][1]["start"] == {"line": 3, "column": 3}
