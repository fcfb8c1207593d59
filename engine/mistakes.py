"""Common syntax mistakes, recognised by example: the catalogue `grammar/mistakes.yaml`.

A syntax error says where the parser stopped and what it expected there; when it stopped where
one of the catalogue's examples stops, in the same way, its message also says what the mistake
probably is. Lark's `UnexpectedInput.match_examples` picks the example, with two choices made
here:

- *Where* is the LALR state and the tokens the parser would accept next, not the depth of its
  stack as well (Lark's own comparison of parser states). One mistake stops the parser in one
  state but at a different depth in every place it can be made: first or later statement of a
  file or of a block, first, second or later condition, in each kind of rule (one example placed
  in 480 such contexts stopped at 30 depths). The accepted tokens tell apart the contexts that
  matter (after a legal statement's `if`, 'unless' may follow the conditions; after ':-', not).
- *In the same way* is at a token of a kind that the mistake's examples stop at (the same word or
  sign, or any name, any variable, ...): a missing final '.' is noticed at the name that starts
  the next statement, not at a stray ')'.

The examples are parsed once per process and per parser, by the recogniser (the grammar without
callbacks), and only when a first syntax error needs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NoReturn

import yaml
from lark import Lark, Token
from lark.exceptions import UnexpectedInput, UnexpectedToken

from . import cache, resources

HERE = "<here>"  # where a context's text takes the example
ATOM = "<atom>"  # where an example takes each shape of atom
QUERY = "query"  # the context whose texts are queries, parsed from the grammar's `query` rule
_BEFORE = re.compile(r"(\w+|[^\w\s]+)\s*\Z")  # the word or the run of signs before a place
_WORD = re.compile(r"[a-z][a-zA-Z0-9_]*")  # a name or a keyword: where neither is expected, both are words


@dataclass(frozen=True)
class Mistake:
    """One mistake of the catalogue (the file's header says what each field means)."""

    name: str
    message: str
    examples: tuple[tuple[str, str], ...]  # (context, text)
    at: frozenset[str] = frozenset()
    after: frozenset[str] = frozenset()
    new_line: bool | None = None

    def fits(self, token: Token, before: str, new_line: bool) -> bool:
        return ((not self.at or str(token) in self.at) and (not self.after or before in self.after)
                and self.new_line in (None, new_line))

    def says(self, token: Token, before: str) -> str:
        return self.message.replace("{token}", str(token)).replace("{before}", before)


@dataclass(frozen=True)
class Catalogue:
    """The catalogue as written: contexts, shapes of atom and mistakes, in order."""

    contexts: dict[str, tuple[str, ...]]  # name -> texts with a place for an example
    atoms: tuple[str, ...]  # the shapes of atom
    mistakes: tuple[Mistake, ...]

    def variants(self, context: str, example: str) -> list[str]:
        """An example placed in each text of its context, with each shape of atom."""
        shapes = self.atoms if ATOM in example else (ATOM,)
        return [text.replace(HERE, example.replace(ATOM, atom)) for text in self.contexts[context] for atom in shapes]


@lru_cache(maxsize=None)
def catalogue() -> Catalogue:
    """The catalogue `grammar/mistakes.yaml`; the file as read (plain lists and strings) is kept in
    the cache of builds, which gives it back in under 1 ms, where PyYAML's safe loader takes 20."""
    path = resources.mistakes_path()
    name = "mistakes-" + cache.key([("mistakes.yaml", path)])
    data = cache.load(name)
    if data is None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cache.store(name, data, [path])
    contexts = {context: tuple(texts) for context, texts in data["contexts"].items()}
    mistakes = tuple(
        Mistake(entry["name"], entry["message"],
                tuple((context, text) for context, texts in entry["examples"].items() for text in texts),
                frozenset(entry.get("at", ())), frozenset(entry.get("after", ())), entry.get("new_line"))
        for entry in data["mistakes"])
    for mistake in mistakes:
        unknown = sorted({context for context, _ in mistake.examples} - set(contexts))
        if unknown:
            raise ValueError(f"grammar/mistakes.yaml: mistake {mistake.name} uses the unknown context(s) {unknown}")
    return Catalogue(contexts, tuple(data["atoms"]), mistakes)


def _kind(token: Token) -> str:
    """A token's kind, for the hints: "word" for a name or a keyword, its type for any other."""
    return "word" if _WORD.fullmatch(token) else token.type


def _where(error: UnexpectedToken) -> UnexpectedToken:
    """The error as the examples are compared with it: its token, its LALR state without the depth
    of the stack, and (through its interactive parser) the tokens it would accept. A new object
    each time, so that nothing of one error stays attached to the catalogue."""
    return UnexpectedToken(error.token, error.expected, state=error.state.position,
                           interactive_parser=error.interactive_parser)


class _Examples:
    """The catalogue's examples for one parser, each parsed once to where it stops."""

    def __init__(self, recogniser: Lark):
        self.recogniser = recogniser
        self.states = recogniser.parse_interactive("").parser_state.parse_conf.states
        self.alike: dict[int, tuple[dict, bool]] = {}  # id of a parser's table -> (it, numbered alike)
        catalogued = catalogue()
        queries = recogniser.options.start == [QUERY]
        self.stops: dict[str, UnexpectedToken] = {}
        self.kinds: dict[str, set[str]] = {}  # mistake name -> the kinds of token its examples stop at
        self.texts: list[tuple[Mistake, list[str]]] = []
        for mistake in catalogued.mistakes:
            texts = [text for context, example in mistake.examples if (context == QUERY) == queries
                     for text in catalogued.variants(context, example)]
            if texts:
                for text in texts:
                    self.stops[text] = self._stop(mistake, text)
                self.kinds[mistake.name] = {_kind(self.stops[text].token) for text in texts}
                self.texts.append((mistake, texts))

    def _stop(self, mistake: Mistake, text: str) -> UnexpectedToken:
        try:
            self.recogniser.parse(text)
        except UnexpectedToken as error:
            return error
        except UnexpectedInput as error:
            raise ValueError(f"grammar/mistakes.yaml: an example of {mistake.name} stops at a character the "
                             f"grammar has no token for ({error.line}:{error.column}): {text!r}") from None
        raise ValueError(f"grammar/mistakes.yaml: an example of {mistake.name} parses: {text!r}")

    def stopped(self, text: str) -> NoReturn:
        """`match_examples`'s parse function: where an example stops, as parsed once."""
        raise _where(self.stops[text])

    def comparable(self, error: UnexpectedToken, text: str) -> UnexpectedToken | None:
        """The error, if its parser numbers its states as the recogniser does (both read Lark's cache of
        the parse tables); otherwise where the recogniser stops in the same text, at the same token."""
        if self._numbered_alike(error.state.parse_conf.states):
            return error
        try:
            self.recogniser.parse(text)
        except UnexpectedInput as again:
            if isinstance(again, UnexpectedToken) and again.token.start_pos == error.token.start_pos:
                return again
        return None

    def _numbered_alike(self, states: dict) -> bool:
        """Whether a parser's table of states is the recogniser's, compared once per table (it is
        kept here, so that its id is not another's)."""
        known = self.alike.get(id(states))
        if known is None or known[0] is not states:
            known = self.alike[id(states)] = (states, states == self.states)
        return known[1]

    def hint(self, error: UnexpectedToken, text: str) -> str | None:
        """The message of the mistake that fits the error (one whose example stopped at the very same
        word first, then the first listed), or None."""
        token = error.token
        at = (token.end_pos or 0) if token.type == "$END" else token.start_pos
        found = _BEFORE.search(text, max(at - 200, 0), at)  # near the token: not a scan of the whole text
        before = found.group(1) if found else ""
        new_line = token.type == "$END" or not text[text.rfind("\n", 0, at) + 1:at].strip()
        candidates = [(mistake, texts) for mistake, texts in self.texts
                      if _kind(token) in self.kinds[mistake.name] and mistake.fits(token, before, new_line)]
        mistake = _where(error).match_examples(self.stopped, candidates, token_type_match_fallback=True,
                                               use_accepts=True)
        return mistake.says(token, before) if mistake else None


@lru_cache(maxsize=None)
def _examples(recogniser: Lark) -> _Examples:
    return _Examples(recogniser)


def hint(error: UnexpectedInput, text: str, recogniser: Lark) -> str | None:
    """What the mistake that stopped the parser at `error` in `text` probably is, or None.
    `recogniser` parses the examples: the grammar without callbacks, from the same start rule."""
    if not isinstance(error, UnexpectedToken):
        return None
    examples = _examples(recogniser)
    comparable = examples.comparable(error, text)
    return examples.hint(comparable, text) if comparable else None
