"""Test-run wide settings and the grading gate's summary table."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # the tests draw without a screen

# Quiet TensorFlow in the test process too (lessonkit does the same at import).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
# nbgrader runs helper programs (alembic, jupyter) found on PATH: use this environment's,
# even when the tests are started as `.venv/bin/python -m pytest` without activating it.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

@pytest.fixture(autouse=True)
def _close_figures():
    """Every test starts with no open matplotlib figure and leaves none behind."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """Lesson 00 released, done by simulated learners (some hostile, some late), collected
    and autograded once (tests/test_workflow.py), shared by test_workflow and test_report:
    both carry xdist_group("workflow"), so one worker grades the class once."""
    from test_workflow import grade_class

    return grade_class(tmp_path_factory.mktemp("classroom"))


_GATE_COLUMNS = ["reference", "untouched", "wrong caught", "lost once",
                 "alternates accepted", "does nothing"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Keep every test of one lesson's grading gate in one xdist worker.

    The gate autogrades a lesson once, in a module-scoped fixture parametrised by lesson;
    pytest-xdist (--dist loadgroup) only groups tests by an ``xdist_group`` mark on the
    test itself, which a mark on a fixture parameter does not give. Runs before xdist's
    own hook.
    """
    for item in items:
        lesson = getattr(item, "callspec", None) and item.callspec.params.get("gate")
        if lesson:
            item.add_marker(pytest.mark.xdist_group(f"gate-{lesson}"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Fail a grouped test at once, before its fixtures, if xdist has stopped grouping.

    Each group shares one expensive fixture (a lesson autograded once, one JupyterHub,
    one browser): split over two workers it is set up twice, concurrently, and the run
    doubles in time and can fail. xdist marks a grouped test by appending ``@group`` to
    its node id; without it the group is silently ignored (pytest-dev/pytest-xdist#1386).
    """
    if (getattr(item.config.option, "loadgroup", False)
            and item.get_closest_marker("xdist_group") and "@" not in item.nodeid):
        pytest.fail("pytest-xdist is not grouping tests (--dist loadgroup): install the "
                    "versions pyproject.toml asks for (see its note on pytest)", pytrace=False)


def pytest_terminal_summary(terminalreporter):
    """Print what the grading gate counted, one row per lesson (xdist passes these along)."""
    rows: dict[str, dict[str, str]] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", []):
                if name == "gate":
                    lesson, column, figure = value
                    rows.setdefault(lesson, {})[column] = figure
    if not rows:
        return
    terminalreporter.section("grading gate")
    width = max(len(lesson) for lesson in rows) + 2
    header = "lesson".ljust(width) + "".join(c.rjust(22) for c in _GATE_COLUMNS)
    terminalreporter.write_line(header)
    for lesson in sorted(rows):
        cells = "".join(rows[lesson].get(c, "-").rjust(22) for c in _GATE_COLUMNS)
        terminalreporter.write_line(lesson.ljust(width) + cells)
