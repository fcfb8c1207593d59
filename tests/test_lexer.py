"""The fast contextual lexer (engine/lexer.py) gives exactly the tokens and errors of Lark's own."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from lark import Lark, Token
from lark.exceptions import UnexpectedInput

from citelog import lexer, resources

REPO = Path(__file__).resolve().parent.parent


def _parsers(start: str) -> tuple[Lark, Lark]:
    """Lark's contextual lexer and ours, on parsers that keep every token in the tree."""
    options = dict(parser="lalr", start=start, maybe_placeholders=False, keep_all_tokens=True)
    grammar = resources.grammar_text()
    return Lark(grammar, **options), Lark(grammar, **options, _plugins=lexer.PLUGINS)


PARSERS = {start: _parsers(start) for start in ("start", "query")}


def _outcome(parser: Lark, text: str):
    """Every token with its type and position, or the error with what it says was expected."""
    try:
        tree = parser.parse(text)
    except UnexpectedInput as error:
        interactive = getattr(error, "interactive_parser", None)
        return ("error", type(error).__name__, error.line, error.column, getattr(error, "pos_in_stream", None),
                sorted(interactive.accepts()) if interactive else None,
                sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or ()),
                str(getattr(error, "token", "")), sorted(str(error).splitlines()))
    tokens = tree.scan_values(lambda v: isinstance(v, Token))
    return ("tree", tree, [(t.type, str(t), t.start_pos, t.line, t.column, t.end_line, t.end_column, t.end_pos)
                           for t in tokens])


def _same(text: str) -> None:
    for start, (lark_own, ours) in PARSERS.items():
        assert _outcome(ours, text) == _outcome(lark_own, text), (start, text[:200])


def _repository_texts() -> list[str]:
    names = subprocess.run(["git", "ls-files", "*.clog", "tests/bad_inputs"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()
    return [(REPO / name).read_text(encoding="utf-8", errors="replace") for name in names]


TEXTS = _repository_texts()


def test_the_parser_uses_it():
    from citelog.parser import _parser

    assert isinstance(_parser("start").parser.lexer, lexer.FastContextualLexer)


@pytest.mark.parametrize("start", ["start", "query"])
def test_every_state_of_the_grammar_has_its_expression(start):
    ours = PARSERS[start][1].parser.lexer
    for state in ours.lexers:
        scanner = ours._scanner(state)
        assert scanner.match("", 0) is None  # no terminal matches nothing


def test_every_rule_file_and_bad_input_of_the_repository():
    assert len(TEXTS) > 40
    for text in TEXTS:
        _same(text)


@pytest.mark.parametrize("text", [
    "",
    "   \n% only a comment\n",
    'provision "a" {\r\n  quote s "two\r\n lines"\r\n}\r\n',  # CRLF line ends, a string across lines
    "keep records for at\n  least 5 years from entry.",  # a terminal across lines
    "p(X) :- q(X), X = 2024-01-02 mod 3.\n% last line without a line end",
    "p(X) :- q(X) $1,00.",  # a malformed amount: no terminal matches here
    'p("unterminated',
    "P is a keeper if keeps(P, _).\nkeep keep for 3 years from keep.",  # keywords where names may come
    "\u00acp(X) :- q(X).",
])
def test_edge_cases(text):
    _same(text)


def test_mutated_texts():
    """Texts of the repository with random edits: the two lexers agree on every token and error."""
    pieces = [" ", "\n", "\r\n", "\t", "%c\n", '"', "\\", "keep", "at least", "at \n least", "3rd", "2024-01-02",
              "$1,000.50", "$1,00", "mod", "modx", "//", "-", "(", ")", ".", ",", "a", "an", "is", "\u00ac", "~", "X",
              "_", "1.5", "provision", "{", "}", ":-", "if", "not", "=", "==", "<=", "\u00e9", "\u200b"]
    rnd = random.Random(13)
    for _ in range(600):
        text = rnd.choice(TEXTS)
        if len(text) > 2000:
            at = rnd.randrange(len(text) - 2000)
            text = text[at:at + 2000]
        chars = list(text)
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randrange(len(chars) + 1)
            if rnd.random() < 0.3 and chars:
                del chars[min(at, len(chars) - 1)]
            else:
                chars[at:at] = list(rnd.choice(pieces))
        _same("".join(chars))
