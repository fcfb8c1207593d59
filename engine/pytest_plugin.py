"""pytest collects citelog's regression cases: every `KB/tests/**/*.yaml` file, each case one item.

Registered as the `citelog` plugin through the `pytest11` entry point (pyproject.toml), so a
plain `python -m pytest` runs the KB's cases beside the engine's tests. A YAML file is a case file
when it sits under a `tests/` folder whose parent holds rule files (`*.clog`); other YAML files
(scenario files, data) are left alone. Each KB is loaded once per session; a case's failure is
reported as the side-by-side comparison of expected and actual answers, at the case's file and
line. A case file that does not load is a collection error showing its diagnostics.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_KBS = pytest.StashKey[dict]()


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    from .cases import kb_root_for

    root = kb_root_for(file_path)
    if root is None:
        return None
    return CaseFile.from_parent(parent, path=file_path, kb_root=root)


def _kb(config, root: Path):
    from . import load

    kbs = config.stash.setdefault(_KBS, {})
    if root not in kbs:
        kbs[root] = load(root)
    return kbs[root]


class CaseFile(pytest.File):
    def __init__(self, *, kb_root: Path, **kwargs):
        super().__init__(**kwargs)
        self.kb_root = kb_root

    def collect(self):
        from .cases import load_case_file
        from .errors import CitelogError

        try:
            kb = _kb(self.config, self.kb_root)
            cases = load_case_file(self.path, kb)
        except CitelogError as error:
            raise self.CollectError("\n".join(str(d) for d in error.diagnostics)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseFailed(Exception):
    def __init__(self, result):
        super().__init__(result.case.name)
        self.result = result


class CaseItem(pytest.Item):
    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from .runner import run_case

        result = run_case(_kb(self.config, self.parent.kb_root), self.case)
        if not result.passed:
            raise CaseFailed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseFailed):
            return excinfo.value.result.report()
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.case.position.line - 1, f"case: {self.case.name}"
