"""No Python module grows past the size where it starts doing several jobs: split it along
its seams instead (CONTRIBUTING's house style)."""

from __future__ import annotations

from warehouse.config import REPO_ROOT

MAX_LINES = 350
PACKAGES = ("warehouse", "dashboards", "tests")


def test_no_python_module_is_over_the_limit():
    too_long = {
        str(path.relative_to(REPO_ROOT)): lines
        for package in PACKAGES
        for path in (REPO_ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these modules (over {MAX_LINES} lines): {too_long}"
