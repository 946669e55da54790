"""The codebase stays readable a module at a time: no Python module of the project passes 500 lines (issue 18).

ruff's C901 (max-complexity 10, pyproject.toml) keeps each function small; this keeps each module a readable size,
so a growing concept is split into a package by concept rather than left to sprawl.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

MAX_LINES = 500
PACKAGES = ("core", "indicators", "forecasts", "alerts", "networks", "reports", "atrocity_watch", "tests")


def modules_over(limit: int, root: Path) -> list[str]:
    """Every .py file under the project's packages with more than `limit` lines, as 'path: lines'."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > limit:
                found.append(f"{path.relative_to(root)}: {lines}")
    return found


def test_no_module_of_the_project_passes_500_lines():
    assert modules_over(MAX_LINES, Path(settings.BASE_DIR)) == []


def test_the_size_check_finds_a_long_module(tmp_path):
    long_module = tmp_path / "alerts" / "sprawling.py"
    long_module.parent.mkdir()
    long_module.write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    (tmp_path / "alerts" / "short.py").write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    assert modules_over(MAX_LINES, tmp_path) == [f"alerts/sprawling.py: {MAX_LINES + 1}"]
