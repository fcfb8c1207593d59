"""The front end in one call: read the files of a KB, parse, desugar and check them.

`build` never raises on bad input: it returns the diagnostics beside whatever program could be
built, so `citelog check` reports every problem of every file at once. `load` is the strict
form the rest of citelog uses. A KB that has not changed since it was last built is read from
the cache of builds (`citelog.cache`), with its evaluation plan, instead of being parsed again.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from . import cache, collector, resources
from .checks import check_program
from .desugar import desugar
from .errors import CheckError, Diagnostic, Position
from .parser import parse_module, read_module
from .program import Program
from .quotes import SourceText
from .syntax import Module

RULE_FILE_SUFFIX = ".clog"


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
    if not path.exists():
        return Program(), {}, [Diagnostic(Position(str(path)), "missing-file", "no such file or folder")]
    files = rule_files(path)
    diagnostics: list[Diagnostic] = []
    if not files:
        diagnostics.append(
            Diagnostic(Position(str(path)), "empty-kb", f"no rule files (*{RULE_FILE_SUFFIX}) in this folder")
        )
    modules = [_vocabulary()]
    for file in files:
        try:
            modules.append(read_module(file, _display(file)))
        except CheckError as error:
            diagnostics += error.diagnostics
    program, found = desugar(modules)
    program.root = path if path.is_dir() else path.parent
    sources = _sources(program)
    if diagnostics:  # a file that did not parse would make every cross-file check unreliable
        return program, sources, sorted(diagnostics + found)
    return program, sources, check_program(program, sources) + sorted(found)


def build_plain(rules: list[str], inputs: dict[str, int | None]) -> Program:
    """Parse and check a plain core-Datalog program given as strings (no provisions needed)."""
    modules = [_vocabulary()]
    diagnostics: list[Diagnostic] = []
    for number, text in enumerate(rules, start=1):
        try:
            modules.append(parse_module(text, f"<rule {number}>"))
        except CheckError as error:
            diagnostics += error.diagnostics
    program, found = desugar(modules, kb_mode=False)
    used = {atom.predicate: len(atom.args) for rule in program.rules for atom in _body_atoms(rule)}
    program.declarations += _input_declarations({n: used.get(n, 0) if a is None else a for n, a in inputs.items()})
    diagnostics += found
    if not diagnostics:
        diagnostics = check_program(program, {})
    if diagnostics:
        raise CheckError(diagnostics)
    return program


def _body_atoms(rule):
    from .syntax import Atom, Negation

    for literal in rule.body:
        if isinstance(literal, Negation):
            yield literal.atom
        elif isinstance(literal, Atom):
            yield literal


def _input_declarations(inputs: dict[str, int]):
    from .syntax import Param, PredicateDecl

    return [
        PredicateDecl(name, tuple(Param(f"A{i}") for i in range(arity)), None, (), True, Position("<facts>"))
        for name, arity in sorted(inputs.items())
    ]
