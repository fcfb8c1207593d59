"""Readings: atoms and rules in English from `reads` templates and `term` words (citelog.reading,
citelog.wording), on the bundled KB, whose terms are the law's words."""

from __future__ import annotations

import pytest

import citelog
from citelog.core import Rule
from citelog.reading import Reader, noun
from citelog.wording import Wording, joined, word


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader(citelog.load().program)


@pytest.fixture(scope="module")
def rules() -> dict[str, Rule]:
    return citelog.load().program.rules_by_id()


class TestWords:
    def test_terms_read_in_the_law_s_words(self, reader):
        words = reader.words
        assert words.word("entry_reconciliation_or_exportation") == ("the date of entry, filing of a reconciliation, "
                                                                      "or exportation")
        assert words.a("agent_of_party") == "an agent of a party described in 19 U.S.C. 1508(a)(1)"
        assert words.a("secretary") == "the Secretary"  # its own article
        assert words.a("drawback_claimant") == "a drawback claimant"  # no words: the name, spaced

    def test_periods(self, reader):
        words = reader.words
        assert words.period(5, "years", "entry_reconciliation_or_exportation", "at_most") == (
            "at most 5 years from the date of entry, filing of a reconciliation, or exportation")
        assert words.period(3, "anniversary", "liquidation_of_claim", "until") == (
            "until the 3rd anniversary of the date of liquidation of the claim")
        assert words.period(0, "prescribed", "secretary", "as_prescribed") == "as prescribed by the Secretary"
        assert words.period(15, "calendar_days", "receipt_of_request", "within") == (
            "within 15 calendar days after the date of receipt of the request")
        assert words.period(0, "reasonable_time", "receipt_of_notice", "within") == (
            "within a reasonable time after receiving the written notice")
        assert words.how_long(1, "years", "entry", "exactly") == "1 year"

    def test_without_a_kb_values_read_as_their_names(self):
        assert (word("agent_of_party"), word(None), word(3)) == ("agent of party", "anything", "3")
        assert (Wording({"x": "an X"}).a("x"), Wording({"x": "an X"}).a("y_z")) == ("an X", "a y z")
        assert joined(["a", "b", "c"]) == "a, b and c" and joined(["a"]) == "a"


class TestSentences:
    def test_a_fact(self, reader):
        assert reader.sentence("must_keep", ("drawback_claimant", "drawback_claim_records", 3, "anniversary",
                                             "liquidation_of_claim", "until")) == (
            "a drawback claimant must keep records for the drawback claim until the 3rd anniversary of the date of "
            "liquidation of the claim")
        assert reader.sentence("must_keep", ("importer", "activity_records", 0, "prescribed", "secretary",
                                             "as_prescribed")).endswith("for the period prescribed by the Secretary")

    def test_open_values_read_as_any_and_a_noun(self, reader):
        assert reader.sentence("retention", ("drawback_claim_records", None, None, None, None)) == (
            "records for the drawback claim must be kept for any period from any event")
        assert reader.sentence("is_a", ("acme", None)) == "acme is any class"
        assert reader.sentence("agent_of", (None, "acme")) == "any agent is an agent of acme"
        assert "anything" not in reader.sentence("person_must_keep", (None,) * 7)
        assert (noun("CapTrigger"), noun("Records"), noun("Subject")) == ("event", "records", "subject")

    def test_an_exception(self, reader, rules):
        exception = next(r for r in rules.values() if r.head.predicate.startswith("exception:"))
        text = reader.sentence(exception.head.predicate, ("buyer",))
        assert text == f"the exception of {exception.authority.citation} applies to buyer"


class TestRules:
    def test_a_membership_with_its_condition_and_exception(self, reader, rules):
        text = reader.rule(rules["knowing_causer"])
        assert text.startswith("P is a party who knowingly causes the importation")
        assert " if P knowingly causes the importation of M" in text
        assert text.endswith(", unless the exception of 19 U.S.C. 1508(d) applies to P and M")

    def test_a_fact_reads_whole(self, reader, rules):
        fact = next(r for r in rules.values() if r.is_fact and r.head.predicate == "retention"
                    and r.head.args[0].value == "drawback_claim_records" and r.head.args[2].value == "anniversary")
        assert reader.rule(fact) == ("records for the drawback claim must be kept until the 3rd anniversary of the "
                                     "date of liquidation of the claim")

    def test_anonymous_variables_and_comparisons(self, reader, rules):
        assert reader.rule(rules["importer"]) == "P is an importer if P imported merchandise under any entry"
        dated = [reader.rule(r) for r in rules.values() if any(type(lit).__name__ == "Comparison" for lit in r.body)]
        assert dated and all(" = " not in text and " is " in text for text in dated)


@pytest.mark.parametrize("predicate, values, expected", [
    ("imports", (None, None), "any party imported merchandise under any entry"),  # a label merges with its noun
    ("imports", ("acme", "E-1"), "acme imported merchandise under entry E-1"),
    ("decision_taken", (None, None, None), "Customs took any decision regarding any person on any date"),
    ("receives_notice_of_violation", ("acme", None), "acme received the written notice of violation"),  # dropped
    ("files_entry", (None, None), "any person filed the declaration or entry"),
    ("fails_to_retain", ("acme", None, "E-1", None), "acme did not retain any records for E-1 (found on any date)"),
    ("person_must_keep", ("acme", None, None, None, None, None, None),
     "acme, in any class, must keep any records for any period from any event"),
    ("person_duty", ("acme", None, None, "activity_records"),
     "acme, in any class, must do something with records which pertain to the activity (19 U.S.C. 1508(a))"),
    ("person_duty", ("acme", "importer", "keep", "activity_records"),
     "acme, as an importer, must keep records which pertain to the activity (19 U.S.C. 1508(a))"),
    ("displaced_period", (None, None, None, None, None, None),
     "the period from any event does not apply to any records of any class: another provision prevails"),
])
def test_open_values_read_as_english(reader, predicate, values, expected):
    assert reader.sentence(predicate, values) == expected
