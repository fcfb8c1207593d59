"""Lark's contextual lexer in fewer steps per token: the same tokens, the same errors.

Lark's contextual lexer matches the terminals that the parser accepts in its current state, one
match at a time: a run of blanks or a comment is a match of its own, and every token goes through
a line counter and, for a name, a keyword callback. On a KB of 10,000 provisions that loop was
half of parsing (3.2 s; 2.3 s with this lexer). This lexer keeps Lark's choice of terminals for
each state (the same terminals in the same order, taken from Lark's own lexer for the state) and
does the loop in fewer steps: one regular expression per state skips blanks and comments and
matches the next token in one call, line and column are counted from the text, and a keyword is
a dict lookup. Where it finds no token, it hands the rest of the text to Lark's own lexer, so that
an error (or anything it did not foresee) is exactly Lark's.

It relies on one property of the grammar, checked when the lexer is made: no terminal that is
kept can match where an ignored one (a blank, a comment) starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from lark import Token
from lark.lexer import ContextualLexer, LexerState, UnlessCallback

_new_token = str.__new__
# the characters that start an ignored terminal of the grammar (blanks and `%` comments)
_IGNORED_STARTS = " \t\f\r\n%"


class _StateScanner(NamedTuple):
    """What the lexer needs for one parser state: its expression (blanks, then one token), the
    keywords of each of its name-like terminals, and the terminals that may span lines."""

    match: Any
    keywords: dict[str, dict[str, str]]
    multiline: frozenset[str]


def _keywords(callback: Any) -> dict[str, str]:
    """The keywords that Lark's callback gives their own type when a name-like terminal matches
    one of them exactly (a keyword such as `keep` is also a name where a name may come)."""
    if not isinstance(callback, UnlessCallback) or any(s.pattern.flags for s in callback.scanner.terminals):
        raise ValueError(f"a lexer callback this lexer does not know: {callback!r}")
    return {s.pattern.value: s.name for s in callback.scanner.terminals}


class FastContextualLexer(ContextualLexer):
    """Lark's contextual lexer with a faster loop (given to Lark as a plugin: `PLUGINS`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scanners: dict[int, _StateScanner] = {}
        root = self.root_lexer
        for terminal in root.terminals:
            regexp = re.compile(terminal.pattern.to_regexp(), root.g_regex_flags)
            if terminal.name not in root.ignore_types and any(regexp.match(start) for start in _IGNORED_STARTS):
                raise ValueError(f"terminal {terminal.name} can start like a blank or a comment")
        ignored = [root.terminals_by_name[name].pattern.to_regexp() for name in sorted(root.ignore_types)]
        self._skip = "(?:" + "|".join(f"(?>{r})" for r in ignored) + ")*+" if ignored else ""

    def _scanner(self, state: int) -> _StateScanner:
        lexer = self.lexers[state]
        scanner = lexer.scanner  # Lark's own, built once: its terminals in Lark's order of preference
        kept = [t for t in scanner.terminals if t.name not in lexer.ignore_types]
        alternatives = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in kept) or "(?!)"  # none: the end
        keywords = {name: _keywords(callback) for name, callback in lexer.callback.items()}
        found = _StateScanner(re.compile(f"{self._skip}(?:{alternatives})", lexer.g_regex_flags).match, keywords,
                              lexer.newline_types)
        self._scanners[state] = found
        return found

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        whole = lexer_state.text
        text: str = getattr(whole, "text", whole)
        end: int = getattr(whole, "end", len(text))
        counter = lexer_state.line_ctr
        pos, line, line_start = counter.char_pos, counter.line, counter.line_start_pos
        stack = parser_state.state_stack  # the parser changes it in place: its last item is the state
        scanners = self._scanners
        token = None
        while True:
            state = stack[-1]
            scanner = scanners.get(state) or self._scanner(state)
            found = scanner.match(text, pos, end)
            if found is None:
                break
            kind = found.lastgroup
            start, pos = found.span(kind)
            value = found.group(kind)
            breaks = text.count("\n", found.start(), start)
            if breaks:
                line += breaks
                line_start = text.rindex("\n", 0, start) + 1
            keywords = scanner.keywords.get(kind)
            if keywords:
                kind = keywords.get(value, kind)
            token = _new_token(Token, value)
            token.type, token.value, token.start_pos, token.end_pos = kind, value, start, pos
            token.line, token.column = line, start - line_start + 1
            if kind in scanner.multiline and "\n" in value:
                line += value.count("\n")
                line_start = text.rindex("\n", 0, pos) + 1
            token.end_line, token.end_column = line, pos - line_start + 1
            yield token
        # the end of the text, or a place where no terminal of the state matches: Lark's own lexer
        # goes on from here (it finds the end, or raises the error that Lark would have raised)
        counter.char_pos, counter.line, counter.line_start_pos = pos, line, line_start
        counter.column = pos - line_start + 1
        if token is not None:
            lexer_state.last_token = token
        yield from super().lex(lexer_state, parser_state)


# Lark's hook for a lexer of one's own (`Lark(..., _plugins=PLUGINS)`), as lark-cython uses it
PLUGINS = {"ContextualLexer": FastContextualLexer}
