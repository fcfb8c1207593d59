"""Hints for a typed question that probably does not say what its writer meant.

A query is one atom of the rule language, and three slips are common: a question typed in words
("who must keep records"), a value with a hyphen left unquoted (`DEM-1` reads as DEM minus 1, an
expression), and a value written with a capital letter (`Acme` is a variable, which matches
anything). The first two are errors whose message says what to write instead; the others are
hints beside the answers: a variable named like a value the KB or the facts know, and a value
that nothing names but that is close to one that something does (a misspelt id). The CLI and the
web app give the same hints.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from .core import Atom, BinOp, Const, Var
from .errors import CheckError, Diagnostic, QueryError
from .parser import parse_atom
from .program import Program

_WORDS = re.compile(r"\s*[A-Za-z][\w']*\s+[A-Za-z]")
CATALOGUE = "pick one from the catalogue (`citelog queries`, or the Ask page) or write an atom such as " \
            "duty(Class, Action, Records)"


def parse_question(text: str) -> Atom:
    """A typed query atom; a question in words or an unquoted value gets an error that says so."""
    try:
        atom = parse_atom(text)
    except CheckError as error:
        if not _in_words(text):
            raise
        first = error.diagnostics[0]
        raise CheckError([Diagnostic(first.position, first.code, f"{first.message}: this looks like a question in "
                                                                   f"words, but a query is an atom; {CATALOGUE}")]
                         + error.diagnostics[1:]) from None
    for index, arg in enumerate(atom.args):
        if isinstance(arg, BinOp):
            written = _arguments(text)[index]
            raise QueryError(f"a query argument must be a variable or a value, not an expression: to ask about the "
                             f"value {written}, quote it: \"{written}\"", arg.position, code="bad-query")
    return atom


def _in_words(text: str) -> bool:
    """Whether a text starts with two words before any parenthesis: English, not an atom."""
    match = _WORDS.match(text)
    return match is not None and "(" not in text[:match.end()]


def _arguments(text: str) -> list[str]:
    """The arguments of an atom as written: split at the commas between its outer parentheses (a
    string's own commas and parentheses are skipped: the parser accepted the atom, so strings close)."""
    found, depth, start, quoted = [], 0, text.index("(") + 1, False
    for at in range(start, len(text)):
        if text[at] == '"' and text[at - 1] != "\\":
            quoted = not quoted
        if quoted:
            continue
        depth += {"(": 1, ")": -1}.get(text[at], 0)
        if depth < 0 or (depth == 0 and text[at] == ","):
            found.append(" ".join(text[start:at].split()))
            start = at + 1
        if depth < 0:
            break
    return found


def hints(atom: Atom, program: Program, given: Iterable[tuple[str, tuple]] = ()) -> list[str]:
    """Hints for an atom that parses: variables named like known values, values close to known ones."""
    known = {v for v in program.constants() if isinstance(v, str)}
    known |= {v for _, values in given for v in values if isinstance(v, str)}
    found = []
    for arg in atom.args:
        if isinstance(arg, Var) and len(arg.name) > 1:
            same = sorted(k for k in known if k.lower() == arg.name.lower())
            if same:
                found.append(f"{arg.name} starts with a capital letter, so it is a variable that matches any value; "
                             f"for the value {same[0]}, write {Const(same[0])}")
        elif isinstance(arg, Const) and isinstance(arg.value, str) and arg.value not in known:
            close = difflib.get_close_matches(arg.value, sorted(known), n=1, cutoff=0.75)
            if close:
                found.append(f"{Const(arg.value)} is a value that neither the KB nor the facts given name; "
                             f"did you mean {Const(close[0])}?")
    return found
