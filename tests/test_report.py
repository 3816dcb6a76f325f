"""The grading report (python -m classroom.report) on a class graded with the real commands.

The class is tests/test_workflow.py's, graded once for both (conftest.py: graded_class):
lesson 00 with honest, partly right, hostile, broken, late and extended learners, and one
who never submitted. The report's numbers are recomputed here from the gradebook (nbgrader's
API) and the grading reports; its page is opened in Chromium: it renders, its plots load,
it makes no request off the file, and no hidden test code is in it.
"""

from __future__ import annotations

import csv
import html
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from browser import browser_missing, launch_browser
from grading import HIDDEN_BEGIN, HIDDEN_END, ROOT, cell_scores, marked_lines, read_notebook

from classroom.report import Cell, Learner, analyse

LESSON = "00-welcome"
pytestmark = pytest.mark.xdist_group("workflow")


@pytest.fixture(scope="module")
def report(graded_class):
    course = graded_class["course"]
    result = subprocess.run([sys.executable, "-m", "classroom.report", LESSON],
                            cwd=course, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    page = course / "reports" / f"{LESSON}.html"
    with open(course / "reports" / f"{LESSON}.csv", newline="") as handle:
        rows = {row["cell"]: row for row in csv.DictReader(handle)}
    graded = sorted(p.stem for p in (course / "grading-reports" / LESSON).glob("*.json")
                    if json.loads(p.read_text())["ok"])
    scores = {s: cell_scores(course, LESSON, s) for s in graded}
    return {"course": course, "page": page, "rows": rows, "graded": graded, "scores": scores,
            "stdout": result.stdout, "due": graded_class["due"]}


def _hidden_lines() -> list[str]:
    nb = read_notebook(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb")
    lines = [line.strip() for cell in nb.cells
             for line in marked_lines(cell.source, HIDDEN_BEGIN, HIDDEN_END)]
    return [line for line in lines if len(line) >= 8]


def test_every_test_cell_in_notebook_order_with_numbers_from_the_gradebook(report):
    nb = read_notebook(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb")
    order = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")]
    assert list(report["rows"]) == order
    scores = report["scores"]
    assert len(report["graded"]) >= 6  # honest, partly right, hostile, late: graded
    for cell, row in report["rows"].items():
        got = np.array([scores[s][cell][0] for s in report["graded"]])
        points = scores[report["graded"][0]][cell][1]
        rest = np.array([sum(v[0] for v in scores[s].values()) for s in report["graded"]]) - got
        assert float(row["points"]) == points
        assert int(row["graded"]) == len(report["graded"])
        assert float(row["full_marks_share"]) == pytest.approx(np.mean(got >= points), abs=1e-4)
        assert float(row["mean_score"]) == pytest.approx(got.mean(), abs=1e-4)
        if got.std() > 0 and rest.std() > 0:
            assert float(row["discrimination"]) == pytest.approx(
                np.corrcoef(got, rest)[0, 1], abs=1e-4)


def test_failure_messages_come_from_the_autograded_notebooks_and_are_counted(report):
    course, scores = report["course"], report["scores"]
    for cell, row in report["rows"].items():
        failing = [s for s in report["graded"] if scores[s][cell][0] < scores[s][cell][1]]
        counts = [int(row[f"count_{i}"]) for i in (1, 2, 3) if row[f"count_{i}"]]
        assert sum(counts) <= len(failing) and counts == sorted(counts, reverse=True)
        if 0 < len(failing) and len(counts) < 3:
            assert sum(counts) == len(failing)  # every failure is in one of the groups
        errors = set()
        for student in failing:
            text = (course / "autograded" / student / LESSON / f"{LESSON}.ipynb").read_text()
            for c in json.loads(text)["cells"]:
                if c["metadata"].get("nbgrader", {}).get("grade_id") == cell:
                    errors |= {f"{o['ename']}: {o['evalue'].splitlines()[0]}"
                               for o in c.get("outputs", [])
                               if o["output_type"] == "error" and o["evalue"]}
        for i in range(1, len(counts) + 1):
            assert row[f"failure_{i}"] in errors, (row[f"failure_{i}"], errors)
    # the empty-list check: bob and carol raise ZeroDivisionError, not ValueError
    assert "should raise ValueError" in report["rows"]["test_average_errors"]["failure_1"]


def test_counts_and_late_work_in_the_page(report, graded_class):
    text = report["page"].read_text()
    counts = {key: value for key, value in
              [("graded", 8), ("grading failed", 3), ("timed out", 1), ("not submitted", 1),
               ("late", 1)]}
    for key, value in counts.items():
        assert f"data-key='{key}'>{value}<" in text, key
    assert len(report["graded"]) == counts["graded"]
    assert "data-learner='judy'" in text and "data-learner='kim'" in text  # late, extended
    assert f"Due {report['due']:%Y-%m-%d %H:%M} UTC" in text
    assert "8 graded, 3 grading failed, 1 timed out" in report["stdout"]


def test_no_hidden_test_code_in_the_page_or_the_csv(report):
    lines = _hidden_lines()
    assert len(lines) >= 8, lines
    page = report["page"].read_text()
    table = report["page"].with_suffix(".csv").read_text()
    for line in lines:
        for text in (page, table):
            assert line not in text and html.escape(line) not in text, line


def test_flags_a_cell_everyone_fails_and_one_that_rewards_weak_learners():
    """The statistics alone, on numbers chosen so the answer is known."""
    cells = [Cell("nb", "fine", 1), Cell("nb", "impossible", 1), Cell("nb", "backwards", 1),
             Cell("nb", "more", 2)]
    rows = [(1, 0, 0, 2), (1, 0, 0, 2), (1, 0, 1, 1), (0, 0, 1, 0), (0, 0, 1, 0), (1, 0, 0, 2)]
    learners = [Learner(f"l{i}", "graded", scores={("nb", c.name): float(v)
                                                   for c, v in zip(cells, r, strict=True)})
                for i, r in enumerate(rows)]
    analyse(cells, learners)
    fine, impossible, backwards, more = cells
    assert fine.full_share == pytest.approx(4 / 6) and fine.discrimination > 0 and not fine.flag
    assert impossible.full_share == 0 and impossible.discrimination is None
    assert "nearly everyone fails" in impossible.flag
    assert backwards.discrimination < 0 and "negative discrimination" in backwards.flag
    assert more.mean == pytest.approx(7 / 6)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = browser_missing()
    if reason:
        if os.environ.get("COURSE_REQUIRE_BROWSER"):  # set by .ci/run: CI must not skip
            pytest.fail(reason)
        pytest.skip(f"the report's page is not opened in a browser: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = launch_browser(playwright, tmp_path_factory.mktemp("chromium") / "profile")
        yield context
        context.close()


def test_the_page_renders_offline_in_chromium_with_its_plots(report, browser):
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report["page"].as_uri())
    page.wait_for_load_state("load")
    assert page.title() == f"{LESSON}: grading report"
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert len(widths) == 2 and all(w > 0 for w in widths), widths
    assert page.locator("#cells tr[data-cell]").count() == len(report["rows"])
    assert page.locator("[data-key='graded']").inner_text() == "8"
    off_file = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert not off_file, off_file
    assert requests and requests[0].startswith("file:")
    visible = page.inner_text("body")
    for line in _hidden_lines():
        assert line not in visible, line
    page.close()


def test_a_lesson_not_in_the_gradebook_is_a_clear_error(graded_class):
    result = subprocess.run([sys.executable, "-m", "classroom.report", "99-nope"],
                            cwd=graded_class["course"], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode != 0
    assert "99-nope is not in the gradebook" in result.stderr, result.stderr
