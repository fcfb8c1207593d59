"""Characters a user cannot see: normalised when text is read, warned about, escaped when printed.

Two spellings of one word must be one value: `société` typed on one keyboard is composed (é),
pasted from a PDF it may be decomposed (e + a combining accent), so string values are normalised
to NFC when they are read. A zero-width space or a bidi control inside `acme` makes another value
that looks the same: it is kept (it is what was written) but warned about. And nothing a user
wrote may drive the terminal: control characters (ESC starts every escape sequence, a CR rewrites
the line) and bidi controls are printed as visible escapes such as `\\x1b`.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls, DEL, C1 controls, bidi marks, embeddings, overrides and isolates, line separators
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_LAYOUT = "\n\t"  # what a rendered document may hold: its own line breaks and tabs
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # the hidden characters of ASCII: controls but \n, \t
INVISIBLE_CODE = "invisible-character"


def nfc(text: str) -> str:
    """The text in Unicode's composed form (NFC), so that look-alike spellings are one value."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def invisible(text: str) -> str | None:
    """Why a value deserves a warning: the first invisible character in it (a format character
    such as a zero-width space or a bidi control, or a control character), or None."""
    if text.isascii() and not _ASCII_CONTROL.search(text):  # most values: no need to look at each character
        return None
    for index, char in enumerate(text):
        if _hidden(char):
            name = unicodedata.name(char, "a control character")
            seen = "".join(c for c in text if not _hidden(c))
            return (f"'{revealed(text)}' holds an invisible character, U+{ord(char):04X} {name}, at character "
                    f"{index + 1}: it looks like '{printable(seen)}' but is another value")
    return None


def revealed(text: str) -> str:
    """A value for a message: printable, and its invisible characters shown (`ac\\u200bme`)."""
    return printable("".join(f"\\u{ord(c):04x}" if _hidden(c) else c for c in text))


def _hidden(char: str) -> bool:
    category = unicodedata.category(char)
    return category == "Cf" or (category == "Cc" and char not in _LAYOUT)


def printable(text: str) -> str:
    """A value or message safe to print: control and bidi characters shown as escapes (`\\x1b`)."""
    return _UNPRINTABLE.sub(_escape, text)


def printable_document(text: str, json: bool = False) -> str:
    """A rendered document safe to print: its line breaks and tabs kept, other control and bidi
    characters escaped; in JSON as `\\u009b`, which keeps the document valid and its values equal."""
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group() in _LAYOUT else _escape(m, json), text)


def _escape(match: re.Match, json: bool = False) -> str:
    char = match.group()
    if json:
        return f"\\u{ord(char):04x}"
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
