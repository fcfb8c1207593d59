"""pytest collects the KB's regression cases (the `citelog` plugin, registered as a pytest11 entry point).

Each test runs pytest in a fresh process on a small project in tmp_path, the way a KB editor or CI
runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import FAILING_CASE, REPO, copy_fixture

def pytest_in(folder: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=folder,
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_each_case_is_an_item_named_by_the_case(tmp_path):
    copy_fixture("regression", tmp_path / "kb")
    code, out = pytest_in(tmp_path, "-v", "kb/tests")
    assert code == 0, out
    assert "kb/tests/law.yaml::an importer keeps entry records at least 5 years PASSED" in out
    assert "kb/tests/law.yaml::the agent of an importer is an importer PASSED" in out
    assert "kb/tests/law.yaml::nobody is in a class without facts PASSED" in out
    assert "3 passed" in out


def test_a_failing_case_fails_with_the_side_by_side_report_at_its_line(tmp_path):
    kb = copy_fixture("regression", tmp_path / "kb")
    (kb / "tests" / "wrong.yaml").write_text(FAILING_CASE, encoding="utf-8")
    code, out = pytest_in(tmp_path, "kb/tests")
    assert code == 1
    assert "kb/tests/wrong.yaml:2:5: case 'an importer keeps entry records 6 years' failed" in out
    assert "expected (citations must include)" in out and "| actual" in out
    assert "-+ Class=importer, Records=entry_records, Amount=6," in out
    assert "1 failed, 3 passed" in out
    assert "Traceback" not in out and "citelog/runner.py" not in out


def test_k_selects_cases_by_name(tmp_path):
    copy_fixture("regression", tmp_path / "kb")
    code, out = pytest_in(tmp_path, "-v", "kb/tests", "-k", "agent")
    assert code == 0, out
    assert "the agent of an importer is an importer PASSED" in out
    assert "1 passed, 2 deselected" in out


def test_a_bad_case_file_is_a_collection_error_with_its_diagnostic(tmp_path):
    kb = copy_fixture("regression", tmp_path / "kb")
    (kb / "tests" / "bad.yaml").write_text("cases:\n  - name: c\n    query: who_keep\n    expect: none\n",
                                           encoding="utf-8")
    code, out = pytest_in(tmp_path, "kb/tests")
    assert code != 0
    assert "ERROR collecting kb/tests/bad.yaml" in out
    assert "kb/tests/bad.yaml:3:12: error[unknown-query]: no query named 'who_keep'" in out
    assert "Traceback" not in out


def test_other_yaml_files_are_not_collected(tmp_path):
    copy_fixture("regression", tmp_path / "kb")
    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "scenario.yaml").write_text("facts:\n  imports: [[a, b]]\n", encoding="utf-8")
    (tmp_path / "tests" / "test_plain.py").write_text("def test_one():\n    assert 1 + 1 == 2\n", encoding="utf-8")
    code, out = pytest_in(tmp_path, "-v", "tests")
    assert code == 0, out
    assert "scenario.yaml" not in out and "1 passed" in out


def test_a_project_without_kb_tests_still_runs(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["tests", "kb/tests"]\n',
                                             encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_plain.py").write_text("def test_one():\n    assert 1 + 1 == 2\n", encoding="utf-8")
    code, out = pytest_in(tmp_path)
    assert code == 0, out
    assert "1 passed" in out


def test_plain_pytest_in_the_repository_collects_the_engine_tests_and_the_kb_cases():
    code, out = pytest_in(REPO, "--collect-only", "-q", "-o", "addopts=")
    assert code == 0, out[-2000:]
    assert "kb/tests/1508-a.yaml::the classes of persons listed in 1508(a)" in out
    assert "kb/tests/163-13.yaml::Customs may deny an applicant who has a ground of denial" in out
    assert "tests/test_pytest_plugin.py::test_plain_pytest_in_the_repository_collects_the_engine_tests_and_the_kb_cases" in out
