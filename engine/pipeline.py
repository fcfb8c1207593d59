"""The front end: a KB's rule files to a checked program, in passes named after what they make.

    read      the KB folder           -> its rule files                      (missing-file, empty-kb)
    parse     each rule file          -> a surface `Module` (citelog.surface) (syntax errors, unreadable files)
    desugar   the surface modules     -> one core `Program` (citelog.core)    (exceptions to unknown labels)
    check     the program and sources -> what pyDatalog would get wrong       (quotes, arities, strata, ...)

and then the back end's first pass, the evaluation plan (`citelog.strata`), made once for a
program without errors. `build` never raises on bad input: it returns the diagnostics beside
whatever program could be built, so `citelog check` reports every problem of every file at once.
`load` is the strict form the rest of citelog uses. A KB that has not changed since it was last
built is read from the cache of builds (`citelog.cache`), with its evaluation plan, instead of
going through the passes again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from . import cache, collector, resources
from .checks import check_program
from .core import Atom, Negation, Rule
from .desugar import desugar
from .errors import CheckError, Diagnostic, Position
from .parser import parse_module, read_module
from .program import Program
from .quotes import SourceText
from .surface import Module, Param, PredicateDecl

RULE_FILE_SUFFIX = ".clog"
Source = TypeVar("Source")  # what a text is parsed from: a rule file's path, or the text itself


def rule_files(path: Path) -> list[Path]:
    """The rule files of a KB folder (sorted, so that every run reads them in one order)."""
    if path.is_file():
        return [path]
    found = path.rglob(f"*{RULE_FILE_SUFFIX}")
    return sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(path).parts))


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _vocabulary() -> Module:
    path = resources.vocabulary_path()
    return parse_module(path.read_text(encoding="utf-8"), _display(path))


def build(path: Path) -> tuple[Program, dict[str, SourceText], list[Diagnostic]]:
    """Read, parse, desugar and check a KB folder or a single rule file (or take it from the cache)."""
    path = Path(path)
    with collector.tuned(young=0):
        try:
            name = cache.key(((_display(f), f) for f in rule_files(path)), str(path), os.getcwd())
        except OSError:  # unreadable: the build says which file, and how
            return _build(path)
        found = cache.load(name)
        if found is not None:
            program, diagnostics = found
            return program, _sources(program), diagnostics
        program, sources, diagnostics = _build(path)
        if not any(d.severity == "error" for d in diagnostics):
            from .strata import Plan  # the back end's first pass: made once, cached with the program

            program.plan = Plan(program)
        cache.store(name, (_as_cached(program), diagnostics), [s.path for s in sources.values()])
        return program, sources, diagnostics


def _as_cached(program: Program) -> Program:
    """The program as the cache keeps it: without the statements of its provisions, interpretations
    and files, which only desugaring and the checks read (a tenth of what a large build holds, and
    of the time it takes to read back)."""
    blocks = {id(b): replace(b, statements=[]) for b in (*program.provisions, *program.interpretations)}

    def slim(items: list) -> list:
        return [blocks[id(b)] for b in items]

    modules = [replace(m, provisions=slim(m.provisions), interpretations=slim(m.interpretations), loose=[])
               for m in program.modules]
    return replace(program, provisions=slim(program.provisions), interpretations=slim(program.interpretations),
                   modules=modules)


def _sources(program: Program) -> dict[str, SourceText]:
    return {s.name: SourceText(s.name, program.root / s.path) for s in program.sources}


def _build(path: Path) -> tuple[Program, dict[str, SourceText], list[Diagnostic]]:
    """The front end's passes in turn: read, parse, desugar, check."""
    if not path.exists():
        return Program(), {}, [Diagnostic(Position(str(path)), "missing-file", "no such file or folder")]
    files, unread = _read(path)
    modules, unparsed = _parse([(file, _display(file)) for file in files], read_module)
    program, desugared = desugar(modules)
    program.root = path if path.is_dir() else path.parent
    sources = _sources(program)
    if unread or unparsed:  # a file that did not parse would make every cross-file check unreliable
        return program, sources, sorted(unread + unparsed + desugared)
    return program, sources, check_program(program, sources) + sorted(desugared)


def _read(path: Path) -> tuple[list[Path], list[Diagnostic]]:
    """The rule files of a KB; a folder without any is reported (and built from the vocabulary alone)."""
    files = rule_files(path)
    if files:
        return files, []
    return [], [Diagnostic(Position(str(path)), "empty-kb", f"no rule files (*{RULE_FILE_SUFFIX}) in this folder")]


def _parse(texts: list[tuple[Source, str]],
           parse: Callable[[Source, str], Module]) -> tuple[list[Module], list[Diagnostic]]:
    """The surface syntax of each text (a rule file, or a rule given as a string) shown under its
    name, after the legal vocabulary's; a text that does not parse is reported and left out."""
    modules, diagnostics = [_vocabulary()], []
    for text, shown in texts:
        try:
            modules.append(parse(text, shown))
        except CheckError as error:
            diagnostics += error.diagnostics
    return modules, diagnostics


def build_plain(rules: list[str], inputs: dict[str, int | None]) -> Program:
    """Parse, desugar and check a plain core-Datalog program given as strings (no provisions needed)."""
    modules, diagnostics = _parse([(text, f"<rule {number}>") for number, text in enumerate(rules, start=1)],
                                  parse_module)
    program, desugared = desugar(modules, kb_mode=False)
    used = {atom.predicate: len(atom.args) for rule in program.rules for atom in _body_atoms(rule)}
    program.declarations += _input_declarations({n: used.get(n, 0) if a is None else a for n, a in inputs.items()})
    diagnostics += desugared
    if not diagnostics:
        diagnostics = check_program(program, {})
    if diagnostics:
        raise CheckError(diagnostics)
    return program


def _body_atoms(rule: Rule):
    for literal in rule.body:
        if isinstance(literal, Negation):
            yield literal.atom
        elif isinstance(literal, Atom):
            yield literal


def _input_declarations(inputs: dict[str, int]) -> list[PredicateDecl]:
    return [
        PredicateDecl(name, tuple(Param(f"A{i}") for i in range(arity)), None, (), True, Position("<facts>"))
        for name, arity in sorted(inputs.items())
    ]
