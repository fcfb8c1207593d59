"""Characters a user cannot see (engine/characters.py): escaped when printed, normalised when read,
warned about when hidden inside a value."""

from __future__ import annotations

import json
import unicodedata

import pytest

from citelog.characters import invisible, nfc, printable, printable_document

ESCAPES = "T\x1b[2J\x1b]0;x\x07"  # clear the screen, set the window title


@pytest.mark.parametrize("text, shown", [
    (ESCAPES, "T\\x1b[2J\\x1b]0;x\\x07"),
    ("a\rb\nc\td", "a\\rb\\nc\\td"),  # a CR would rewrite the line, a LF forge another diagnostic
    ("x\x9b31m", "x\\x9b31m"),  # C1 CSI: an escape sequence in one character
    ("abc\u202edef", "abc\\u202edef"),  # a bidi override reorders what follows
    ("x\x7f", "x\\x7f"),
    ("[red]R x[/bold] société", "[red]R x[/bold] société"),  # markup and letters are text
])
def test_printable_escapes_what_drives_a_terminal(text, shown):
    assert printable(text) == shown


def test_a_printed_document_keeps_its_lines_and_escapes_the_rest():
    assert printable_document(f"a\n\tb {ESCAPES}\n") == "a\n\tb T\\x1b[2J\\x1b]0;x\\x07\n"


def test_a_printed_json_document_stays_valid_and_equal():
    payload = {"value": "x\x9b\u202e\x7fy", "other": ESCAPES}
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    shown = printable_document(text, json=True)
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n" for c in shown)
    assert "\u202e" not in shown
    assert json.loads(shown) == payload


def test_nfc_makes_look_alike_spellings_one_value():
    composed, decomposed = "soci\u00e9t\u00e9", "socie\u0301te\u0301"
    assert composed != decomposed and nfc(decomposed) == nfc(composed) == composed


@pytest.mark.parametrize("text, hidden", [
    ("ac\u200bme", "U+200B ZERO WIDTH SPACE, at character 3"),
    ("acme\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE, at character 5"),
    ("\ufeffacme", "U+FEFF ZERO WIDTH NO-BREAK SPACE, at character 1"),
    ("ac\x1bme", "U+001B a control character, at character 3"),
])
def test_invisible_characters_are_named_and_placed(text, hidden):
    note = invisible(text)
    assert hidden in note
    assert "looks like 'acme'" in note
    assert printable(note) == note  # the message itself shows the character, not hides it


@pytest.mark.parametrize("text", ["acme", "société", "two\nlines", "tab\there", "日本"])
def test_visible_text_gets_no_warning(text):
    assert invisible(text) is None
