"""Parse rule files: Lark's LALR parser builds the syntax nodes as it reduces (no parse tree).

Lark calls `_ToAst`'s method for each rule as it recognises it, so no tree is built and walked
again (10,000 provisions: nearly twice as fast). Each node's position is that of a token it
holds: the words that start a declaration, a block or a statement are named terminals of the
grammar, so they reach the parser's callbacks. A value refused while parsing (`_Refused`) is
reported only if the whole text parses, as a syntax error comes first.

Syntax errors become `Diagnostic`s with the position and what was expected there; string
escapes, dates and amounts are decoded here so that later passes only see typed values. String
values are normalised to NFC, and one holding an invisible character gets a warning
(`Module.warnings`).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from . import cache, lexer, mistakes, resources
from .characters import INVISIBLE_CODE, invisible, nfc
from .core import DEFEASIBLE, DEFEATER, NEG, Atom, BinOp, Comparison, Const, Negation, Var
from .errors import CheckError, Diagnostic, Position, warning
from .surface import (
    Clause,
    Conditions,
    Definition,
    Duty,
    Exception_,
    Form,
    Interpretation,
    Membership,
    Module,
    NamedQuery,
    Noise,
    Param,
    Penalty,
    Power,
    PredicateDecl,
    Provision,
    Quote,
    Reading,
    Retention,
    SourceDecl,
    Statement,
    Superiority,
    TermDecl,
    Within,
)
from .textfile import read_text
from .values import DATE_FORMAT, MONEY_HINT, Date, Money, parse_int


@lru_cache(maxsize=None)
def _parser(start: str) -> Lark:
    """The parser that builds syntax nodes through `_BUILDER` (one per start symbol)."""
    grammar = resources.grammar_text()
    return Lark(
        grammar,
        parser="lalr",
        start=start,
        maybe_placeholders=False,
        transformer=_BUILDER,
        cache=cache.grammar_cache(grammar, start),  # its parse tables, built once per grammar
        _plugins=lexer.PLUGINS,  # Lark's contextual lexer, faster (engine/lexer.py)
    )


@lru_cache(maxsize=None)
def _recogniser(start: str) -> Lark:
    """The same grammar without callbacks: says whether a text parses, once a value was refused."""
    grammar = resources.grammar_text()
    return Lark(grammar, parser="lalr", start=start, maybe_placeholders=False,
                cache=cache.grammar_cache(grammar, start))  # the same tables: Lark's key leaves out callbacks


class _Refused(Exception):
    """Text that parses but is refused: a literal that cannot be a value (the date 2023-02-30),
    an expression nested too deeply."""

    def __init__(self, message: str, where: Token | Position, code: str = "bad-value"):
        super().__init__(message)
        self.message, self.where, self.code = message, where, code


def _number(token: Token, digits: str | None = None) -> int:
    try:
        return parse_int(digits or str(token))
    except ValueError as error:
        raise _Refused(str(error), token) from None


def _amount(token: Token) -> Money:
    try:
        return Money.parse(str(token))
    except ValueError as error:
        raise _Refused(str(error), token) from None


# Deeper expressions are refused: later passes walk terms recursively (the tree itself is built
# without recursion, so any depth parses), and no law needs a hundred nested operations.
MAX_NESTING = 100


_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")


def _unescape(token: Token) -> str:
    """A string's value: a line break in the file and the indentation around it read as one
    space (long texts wrap without changing their value); `\\n` is a line break."""
    folded = _LINE_BREAK.sub(" ", token[1:-1])
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), folded)


class _Prefix(str):
    """What may come before a statement's form, with its position (a statement starts there)."""

    def __new__(cls, value: str, position: Position):
        prefix = super().__new__(cls, value)
        prefix.position = position
        return prefix


class _Label(_Prefix):
    """A statement's `[label]`, told apart from the other parts of a statement."""


class _Strength(_Prefix):
    """A statement's `normally` or `might`."""


class _Form(NamedTuple):
    """A statement's form and the position of its first token, for the statement."""

    form: Form
    start: Position


@v_args(inline=True)
class _ToAst(Transformer):
    """Builds the `surface` nodes of one text at a time, called by Lark as it reduces each rule
    (`begin` starts a text: the parser holds one builder, so parses take turns, see `_TURN`)."""

    def begin(self, path: str) -> None:
        self.path = path
        self._depth: dict[int, int] = {}  # id of an expression node -> how deeply it nests
        self.warnings: list[Diagnostic] = []

    def _nested(self, node: BinOp, where: Token | Position, *operands) -> BinOp:
        depth = 1 + max(self._depth.get(id(o), 0) for o in operands)
        if depth > MAX_NESTING:
            raise _Refused(f"expression nested more than {MAX_NESTING} levels deep: split it with "
                              "intermediate variables (Y1 = X + 1, Y2 = Y1 + 1, ...)", where, "limit-exceeded")
        self._depth[id(node)] = depth
        return node

    def _at(self, token: Token) -> Position:
        return Position(self.path, token.line or 0, token.column or 0)

    # -- terms
    def var(self, token):
        return Var(str(token), self._at(token))

    def string(self, token):
        value = nfc(_unescape(token))
        note = invisible(value)
        if note:
            self.warnings.append(warning(self._at(token), INVISIBLE_CODE, note))
        return Const(value, self._at(token))

    def int(self, token):
        return Const(_number(token), self._at(token))

    def symbol(self, token):
        return Const(str(token), self._at(token))

    def date(self, token):
        try:
            return Const(Date.parse(str(token)), self._at(token))
        except ValueError as error:
            loose = "" if DATE_FORMAT.fullmatch(token) else "; for arithmetic, put spaces around '-' (X = Y - 1)"
            raise _Refused(f"{error}{loose}", token)

    def money(self, token):
        return Const(_amount(token), self._at(token))

    def neg(self, operand):
        if isinstance(operand, Const) and type(operand.value) is int:
            return Const(-operand.value, operand.position)
        node = BinOp("-", Const(0, operand.position), operand, operand.position)
        return self._nested(node, operand.position, operand)

    def binop(self, left, op, right):
        return self._nested(BinOp(str(op), left, right, left.position), op, left, right)

    # -- literals
    def atom(self, first, *rest):
        negative = first.type == "NEG"
        name, *args = (rest if negative else (first, *rest))
        return Atom((NEG if negative else "") + str(name), tuple(args), self._at(first))

    def negation(self, atom):
        return Negation(atom, atom.position)

    def comparison(self, left, op, right):
        op = "==" if op == "=" else str(op)
        return Comparison(op, left, right, left.position)

    def body(self, *literals):
        return tuple(literals)

    def condition(self, body):
        return ("if", body)

    def unless(self, body):
        return ("unless", body)

    def _conditions_of(self, parts) -> Conditions:
        found = dict(p for p in parts if isinstance(p, tuple) and p and p[0] in ("if", "unless"))
        return Conditions(found.get("if", ()), found.get("unless", ()))

    # -- statements
    def clause(self, head, body=()):
        return _Form(Clause(head, body), head.position)

    def membership(self, variable, person_class, *conditions):
        var = Var(str(variable), self._at(variable))
        return _Form(Membership(var, str(person_class), self._conditions_of(conditions)), var.position)

    def actions(self, *names):
        return tuple(str(n) for n in names)

    def unit(self, *tokens):
        word = str(tokens[0])
        return "calendar_days" if word == "calendar" else ("years" if word.startswith("year") else "days")

    def within(self, amount, unit, trigger):
        return Within(_number(amount), unit, str(trigger))

    def within_reasonable_time(self, trigger):
        return Within(0, "reasonable_time", str(trigger))

    def duty(self, person_class, actions, obj, *rest):
        within = next((r for r in rest if isinstance(r, Within)), None)
        return _Form(Duty(str(person_class), actions, str(obj), within, self._conditions_of(rest)),
                      self._at(person_class))

    def bound(self, token=None):
        return {"at": "at_least" if token and "least" in token else "at_most"}.get(
            str(token)[:2] if token else "", "exactly"
        )

    def fixed_period(self, bound, amount, unit, trigger):
        return (_number(amount), unit, str(trigger), bound)

    def anniversary_period(self, ordinal, trigger):
        return (_number(ordinal, re.match(r"[0-9]+", ordinal).group()), "anniversary", str(trigger), "until")

    def prescribed_period(self, authority):
        return (0, "prescribed", str(authority), "as_prescribed")

    def retention(self, keyword, records, period, *conditions):
        amount, unit, trigger, bound = period
        return _Form(Retention(str(records), amount, unit, trigger, bound, self._conditions_of(conditions)),
                      self._at(keyword))

    def power(self, agent, action, obj, *conditions):
        return _Form(Power(str(agent), str(action), str(obj), self._conditions_of(conditions)), self._at(agent))

    def definition(self, keyword, term, text, *parts):
        return _Form(Definition(str(term), _unescape(text), tuple(str(p) for p in parts)), self._at(keyword))

    def penalty(self, keyword, action, obj, kind, *rest):
        cap = next((_amount(r) for r in rest if isinstance(r, Token)), None)
        return _Form(Penalty(str(action), str(obj), str(kind), cap, self._conditions_of(rest)), self._at(keyword))

    def exception(self, keyword, target, body):
        return _Form(Exception_(str(target), body), self._at(keyword))

    def rule_ref(self, name):
        return (str(name), False, self._at(name))

    def provision_ref(self, citation):
        return (_unescape(citation), True, self._at(citation))

    def reason_name(self, name):
        return (str(name), None)

    def reason_text(self, text):
        return ("reading", _unescape(text))

    def superiority(self, superior, inferior, reason):
        return _Form(Superiority(superior[0], inferior[0], superior[1], inferior[1], *reason), superior[2])

    def defeasible(self, keyword):
        return _Strength(DEFEASIBLE, self._at(keyword))

    def defeater(self, keyword):
        return _Strength(DEFEATER, self._at(keyword))

    def label(self, bracket, name):
        return _Label(name, self._at(bracket))

    def statement(self, *items):
        (form, start), prefix = items[-1], items[:-1]
        label = next((str(i) for i in prefix if isinstance(i, _Label)), None)
        strength = next((str(i) for i in prefix if isinstance(i, _Strength)), None)
        return Statement(form, label, prefix[0].position if prefix else start,
                         **({"strength": strength} if strength else {}))

    # -- blocks and declarations
    def quote(self, source, text):
        return Quote(str(source), _unescape(text), self._at(source))

    def reconstructed(self, text):
        return ("reconstructed", _unescape(text))

    def note(self, text):
        return ("note", _unescape(text))

    def provision(self, keyword, citation, *rest):
        return Provision(
            citation=_unescape(citation),
            quotes=[r for r in rest if isinstance(r, Quote)],
            reconstructed=next((r[1] for r in rest if isinstance(r, tuple) and r[0] == "reconstructed"), None),
            notes=[r[1] for r in rest if isinstance(r, tuple) and r[0] == "note"],
            statements=[r for r in rest if isinstance(r, Statement)],
            position=self._at(keyword),
        )

    def interpretation(self, keyword, name, note, *statements):
        return Interpretation(str(name), note[1], list(statements), self._at(keyword))

    def noise_decl(self, source, text, note):
        return Noise(str(source), _unescape(text), note[1], self._at(source))

    def query_decl(self, keyword, name, meaning, atom):
        return NamedQuery(str(name), meaning[1], atom, self._at(keyword))

    def source_decl(self, name, path):
        return SourceDecl(str(name), _unescape(path), self._at(name))

    def param(self, name, type_=None):
        return Param(str(name), str(type_) if type_ is not None else None)

    def signature(self, name, *params):
        return (name, tuple(params))

    def meaning(self, text):
        return ("means", _unescape(text))

    def reading(self, text, param=None, value=None):
        return Reading(_unescape(text), str(param) if param is not None else None,
                       value.value if value is not None else None)

    def _declaration(self, is_input, signature, parts):
        name, params = signature
        meaning = next((p[1] for p in parts if isinstance(p, tuple)), None)
        readings = tuple(p for p in parts if isinstance(p, Reading))
        return PredicateDecl(str(name), params, meaning, readings, is_input, self._at(name))

    def term_decl(self, name, words):
        return TermDecl(str(name), _unescape(words), self._at(name))

    def input_decl(self, signature, *parts):
        return self._declaration(True, signature, parts)

    def predicate_decl(self, signature, *parts):
        return self._declaration(False, signature, parts)

    def start(self, *items):
        module = Module(self.path, warnings=self.warnings)
        for item in items:
            bucket = {
                SourceDecl: module.sources,
                Noise: module.noise,
                NamedQuery: module.queries,
                PredicateDecl: module.declarations,
                TermDecl: module.terms,
                Provision: module.provisions,
                Interpretation: module.interpretations,
                Statement: module.loose,
            }[type(item)]
            bucket.append(item)
        return module

    # an atom on its own, for queries
    def query(self, atom):
        return atom


_READABLE = {
    "NAME": "a name",
    "VARIABLE": "a variable",
    "STRING": "a string",
    "INT": "a number",
    "DATE": "a date",
    "MONEY": "an amount",
    "ORDINAL": "an ordinal such as 3rd",
    "COMPARATOR": "a comparison",
    "ADDOP": "an operator (+ - * // mod)",
    "MULOP": "an operator (+ - * // mod)",
    "AT_LEAST": "'at least'",
    "AT_MOST": "'at most'",
    "NEG": "'~'",
    "$END": "end of input",
}


def _describe(name: str, parser: Lark) -> str:
    """A terminal as a user reads it: the literal text, or what kind of token it is."""
    if name in _READABLE:
        return _READABLE[name]
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name.lower().replace("_", " ")
    return f"'{pattern.value}'" if pattern.type == "str" else name.lower().replace("_", " ")


def _expected(error: UnexpectedInput) -> set[str]:
    """The terminals that could come here: the parser's own view (exact, where LALR's lookahead
    sets merge states), or the lexer's."""
    interactive = getattr(error, "interactive_parser", None)
    if interactive is not None:
        return set(interactive.accepts())
    return set(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())


# a string with a bad escape still ends; an unterminated one runs to the end of the text
_STRING_WITH_ANY_ESCAPE = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BAD_ESCAPE = re.compile(r'\\([^"\\n])')
_AMOUNT_LIKE = re.compile(r"\$[0-9][0-9,.]*")
_DECIMAL = re.compile(r"[0-9]\.[0-9]")


def _unlexable(text: str, index: int) -> tuple[str, str] | None:
    """(code, message) for a string or an amount that starts at `index` but cannot be lexed: what is
    wrong is in the characters of one token, which no parser state tells (grammar/mistakes.yaml)."""
    rest = text[index:]
    if rest.startswith('"'):
        string = _STRING_WITH_ANY_ESCAPE.match(rest)
        if string is None:
            return "syntax-error", "unterminated string: expected a closing '\"' for the string that starts here"
        escape = _BAD_ESCAPE.search(string.group())
        if escape:
            return "syntax-error", (f"unknown escape '\\{escape.group(1)}' in this string: a string may "
                                    "contain \\\" (a quote), \\\\ (a backslash) and \\n (a line break)")
    amount = _AMOUNT_LIKE.match(rest)
    if amount:
        return "bad-value", f"malformed amount {amount.group()}: {MONEY_HINT}"
    return None


def _decimal(text: str, token: Token) -> tuple[str, str] | None:
    """(code, message) for a '.' between two digits: a decimal point, told by the digit after it (an
    example of the catalogue would also take `p(2.)` for a decimal)."""
    if token == "." and _DECIMAL.match(text, max((token.start_pos or 0) - 1, 0)):
        return "bad-value", ("a number with decimals: numbers are whole (pyDatalog would round decimals); "
                             "write an amount of money as $12.50")
    return None


def _syntax_error(error: UnexpectedInput, text: str, path: str, parser: Lark) -> Diagnostic:
    position = Position(path, error.line if error.line > 0 else 1, error.column if error.column > 0 else 1)
    terminals = _expected(error)
    if isinstance(error, UnexpectedCharacters):
        known = _unlexable(text, error.pos_in_stream)
    else:
        known = _decimal(text, error.token) if isinstance(error, UnexpectedToken) else None
    if known:
        return Diagnostic(position, *known)
    expected = sorted({_describe(t, parser) for t in terminals})
    hint = f"; expected {', '.join(expected)}" if expected else ""
    if terminals == {"$END"}:  # only a query ends after one atom
        hint = "; expected nothing more: a query is one atom, such as duty(C, keep, R)"
    if isinstance(error, UnexpectedToken):
        found = "end of input" if error.token.type == "$END" else f"'{error.token}'"
        mistake = mistakes.hint(error, text, _recogniser(parser.options.start[0]))
        message = f"unexpected {found}{f': {mistake}' if mistake else ''}{hint}"
    elif isinstance(error, UnexpectedCharacters):
        message = f"unexpected character {error.char!r}{hint}"
    else:
        message = f"syntax error{hint}"
    return Diagnostic(position, "syntax-error", message)


_BUILDER = _ToAst()
_TURN = threading.Lock()  # one text at a time through `_BUILDER` (a server parses in several threads)


def _parse(text: str, path: str, start: str):
    parser = _parser(start)
    try:
        with _TURN:
            _BUILDER.begin(path)
            return parser.parse(text)
    except UnexpectedInput as error:
        raise CheckError([_syntax_error(error, text, path, parser)]) from None
    except _Refused as refused:
        try:
            _recogniser(start).parse(text)  # a syntax error anywhere in the text comes first
        except UnexpectedInput as error:
            raise CheckError([_syntax_error(error, text, path, parser)]) from None
        position = Position(path, refused.where.line, refused.where.column)
        raise CheckError([Diagnostic(position, refused.code, refused.message)]) from None


def parse_module(text: str, path: str = "<input>") -> Module:
    """Parse one rule file; raises CheckError with a syntax-error diagnostic on bad input."""
    return _parse(text, path, "start")


def parse_atom(text: str, path: str = "<query>") -> Atom:
    """Parse a query atom such as `retention(R, N, U, T, B)`."""
    return _parse(text, path, "query")


def read_module(path: Path, display: str | None = None) -> Module:
    """Read and parse a rule file, reporting unreadable, binary, huge and empty files too."""
    shown = display or str(path)
    text = read_text(path, shown)
    if not text.strip():  # a truncated save or a failed export, far more often than intent
        raise CheckError([Diagnostic(Position(shown, 1, 1), "empty-file",
                                     "the file is empty: a rule file holds declarations, provisions or rules "
                                     "(a placeholder may hold just a % comment)")])
    return parse_module(text, shown)
