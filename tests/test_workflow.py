"""The classroom cycle end to end, with the real nbgrader commands over a real exchange.

An instructor releases lesson 00; nine simulated learners fetch it, work (some of them
badly or with hostile intent), and submit under their own ids before the due date, two more
after it (one of them with an extension in deadlines.toml), and one never submits; the
instructor collects, autogrades on both cores, returns feedback and exports grades. Every
learner must be graded right, or reported in the export, and nobody's failure may cost
another learner their grade.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from grading import (
    ROOT,
    as_learner,
    cell_scores,
    file_hashes,
    learner_home,
    make_course_copy,
    nbgrader,
    nbgrader_meta,
    read_notebook,
    reference_answers,
)

LESSON = "00-welcome"
pytestmark = pytest.mark.xdist_group("workflow")

NO_EMPTY_CHECK = "def average(values):\n    return sum(values) / len(values)\n"
SHADOW = '''"""A learner's own lessonkit whose checks never fail."""
def setup(*args, **kwargs):
    return 0
class _Never:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None
checks = data = plots = _Never()
__version__ = "fake"
'''


def _answer_cell(nb):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "average")


def _cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def correct(folder: Path, nb, reference):
    _answer_cell(nb).source = reference["average"]


def partly_correct(folder: Path, nb, reference):
    _answer_cell(nb).source = NO_EMPTY_CHECK  # right numbers, no ValueError: loses 1 of 4


def edits_tests(folder: Path, nb, reference):
    _answer_cell(nb).source = NO_EMPTY_CHECK
    visible = _cell(nb, "test_average")
    visible.source = "pass  # all good!"
    visible.metadata["nbgrader"]["points"] = 100
    nb.cells.remove(_cell(nb, "test_average_hidden"))


def endless_loop(folder: Path, nb, reference):
    _answer_cell(nb).source = "while True:\n    pass\n"


def kills_kernel(folder: Path, nb, reference):
    _answer_cell(nb).source = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"


def enormous_output(folder: Path, nb, reference):
    _answer_cell(nb).source = reference["average"] + '\nprint("x" * 30_000_000)\n'


def not_json(folder: Path, nb, reference):
    return "{ this is not a notebook"


def missing_notebook(folder: Path, nb, reference):
    (folder / "notes.txt").write_text("I could not do it, sorry")
    return None  # no notebook submitted


def shadows_lessonkit(folder: Path, nb, reference):
    _answer_cell(nb).source = "def average(values):\n    return 0.0\n"
    (folder / "lessonkit.py").write_text(SHADOW)


LEARNERS = {
    "alice": correct,
    "bob": partly_correct,
    "carol": edits_tests,
    "dave": endless_loop,
    "erin": kills_kernel,
    "frank": enormous_output,
    "grace": not_json,
    "heidi": missing_notebook,
    "ivan": shadows_lessonkit,
}
# Submitted after the due date: judy late, kim too but within her extension.
LATE_LEARNERS = {"judy": correct, "kim": correct}
NEVER_SUBMITS = "zoe"  # on the class list, never submits
PER_DAY = 0.25  # the late policy: a quarter of the score per day late, or part of one


def grade_class(tmp: Path) -> dict:
    """The class above, graded once; shared with tests/test_report.py (conftest.py)."""
    course = make_course_copy(tmp / "instructor", [LESSON])
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.Execute.timeout = 30  # keeps the endless loop short in this test\n")
    exchange = course / "exchange"
    nbgrader(course, "generate_assignment", LESSON, "--force")
    nbgrader(course, "release_assignment", LESSON)

    nbgrader(course, "db", "student", "add", NEVER_SUBMITS)

    solution = read_notebook(course / "solutions" / LESSON / f"{LESSON}.ipynb")
    reference = reference_answers(solution)
    due = None
    for student, work in [*LEARNERS.items(), *LATE_LEARNERS.items()]:
        if student in LATE_LEARNERS and due is None:  # the due date falls here
            due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
            time.sleep(2)
        home = learner_home(tmp / "learners" / student, exchange)
        as_learner(home, "fetch_assignment", LESSON, "--course", "rnn-course")
        folder = home / LESSON
        path = folder / f"{LESSON}.ipynb"
        nb = nbformat.read(path, as_version=4)
        replacement = work(folder, nb, reference)
        if work is missing_notebook:
            path.unlink()
        elif isinstance(replacement, str):
            path.write_text(replacement)
        else:
            nbformat.write(nb, path)
        as_learner(home, "submit", LESSON, "--course", "rnn-course", "--student", student)

    (course / "deadlines.toml").write_text(
        f"[late]\nper_day = {PER_DAY}\n\n[due]\n{LESSON} = {due:%Y-%m-%dT%H:%M:%SZ}\n\n"
        f"[extensions.{LESSON}]\nkim = \"1 day\"\n")
    nbgrader(course, "collect", LESSON)
    before = file_hashes(course / "submitted")
    grading = subprocess.run(
        [sys.executable, "-m", "classroom.autograde", LESSON, "--jobs", "2", "--timeout", "400"],
        cwd=course, capture_output=True, text=True, timeout=1200,
    )
    scores = {s: cell_scores(course, LESSON, s) for s in [*LEARNERS, *LATE_LEARNERS]
              if s not in ("erin", "grace", "heidi")}
    return {"course": course, "tmp": tmp, "grading": grading, "before": before,
            "scores": scores, "due": due.replace(tzinfo=None)}


@pytest.fixture(scope="module")
def classroom(graded_class):
    return graded_class


def _total(scores: dict) -> tuple[float, float]:
    return sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())


def test_every_learner_is_collected(classroom):
    submitted = sorted(p.name for p in (classroom["course"] / "submitted").iterdir())
    assert submitted == sorted([*LEARNERS, *LATE_LEARNERS])


def test_grading_reports_the_three_broken_submissions_and_nothing_else(classroom):
    grading = classroom["grading"]
    assert grading.returncode == 1, grading.stdout + grading.stderr
    assert "8 graded, 3 failed" in grading.stdout, grading.stdout
    reports = {p.stem: json.loads(p.read_text())
               for p in (classroom["course"] / "grading-reports" / LESSON).glob("*.json")}
    failed = {s: r["reason"] for s, r in reports.items() if not r["ok"]}
    assert set(failed) == {"erin", "grace", "heidi"}, failed
    assert "kernel died" in failed["erin"]
    assert "not JSON" in failed["grace"]
    assert "no notebook" in failed["heidi"]


@pytest.mark.parametrize("student, expected", [
    ("alice", 4), ("bob", 3), ("carol", 3), ("dave", 0), ("frank", 4), ("ivan", 0),
    ("judy", 4), ("kim", 4),
])
def test_scores_are_exactly_right(classroom, student, expected):
    """Edited, re-pointed and deleted tests are graded with the originals (max 4; a missing
    ValueError for an empty list costs 1 point, in test_average_errors)."""
    assert _total(classroom["scores"][student]) == (expected, 4)


def test_learner_modules_do_not_reach_the_grading_kernel(classroom):
    autograded = classroom["course"] / "autograded" / "ivan" / LESSON
    assert not (autograded / "lessonkit.py").exists()
    nb = read_notebook(autograded / f"{LESSON}.ipynb")
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    # the real lessonkit.checks ran and explained the failure (the fake one never fails)
    assert "average([1, 2, 3, 4]) is 0, expected 2.5" in text


def test_enormous_output_is_cut(classroom):
    path = classroom["course"] / "autograded" / "frank" / LESSON / f"{LESSON}.ipynb"
    assert path.stat().st_size < 1_000_000
    text = path.read_text()
    assert "output cut" in text or "output limit" in text  # cut, or dropped and noted


def test_endless_loop_is_stopped_and_reported(classroom):
    rows = _export(classroom)
    assert rows["dave"]["status"] == "graded"
    assert "time limit" in rows["dave"]["problems"]


def test_submitted_files_are_never_changed_by_grading(classroom):
    assert file_hashes(classroom["course"] / "submitted") == classroom["before"]


def test_grading_again_gives_the_same_scores(classroom):
    course = classroom["course"]
    for student in ("alice", "bob", "carol"):
        for _ in range(2):
            nbgrader(course, "autograde", LESSON, "--student", student, "--force")
            assert cell_scores(course, LESSON, student) == classroom["scores"][student]


def _export(classroom) -> dict[str, dict[str, str]]:
    course = classroom["course"]
    target = course / "grades.csv"
    if not target.exists():
        nbgrader(course, "export", "--to", str(target))
    with open(target) as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_export_shows_failures_instead_of_silent_zeros(classroom):
    rows = _export(classroom)
    assert set(rows) == {*LEARNERS, *LATE_LEARNERS, NEVER_SUBMITS}
    assert rows[NEVER_SUBMITS]["status"] == "not submitted"
    assert rows["alice"]["status"] == "graded" and float(rows["alice"]["score"]) == 4
    assert float(rows["bob"]["score"]) == 3
    for student in ("erin", "grace", "heidi"):
        assert rows[student]["status"] == "grading failed", rows[student]
        assert rows[student]["problems"], rows[student]
        assert float(rows[student]["score"]) == 0
    assert "missing from the submission" in rows["heidi"]["problems"]


def test_feedback_says_what_failed_without_hidden_test_code(classroom):
    course, tmp = classroom["course"], classroom["tmp"]
    nbgrader(course, "generate_feedback", LESSON)
    nbgrader(course, "release_feedback", LESSON)
    home = tmp / "learners" / "bob"
    as_learner(home, "fetch_feedback", LESSON, "--course", "rnn-course", "--student", "bob")
    pages = list((home / LESSON / "feedback").rglob("*.html"))
    assert len(pages) == 1
    page = pages[0].read_text()
    assert "should raise ValueError" in page  # why the hidden test failed
    assert "hidden tests: the code is not shown" in page
    hidden = read_notebook(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb")
    hidden_source = _cell(hidden, "test_average_hidden").source
    assert "default_rng(7)" in hidden_source and "default_rng(7)" not in page


def _submission(classroom, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{classroom['course'] / 'gradebook.db'}") as gb:
        submission = gb.find_submission(LESSON, student)
        return (submission.timestamp, submission.late_submission_penalty,
                submission.total_seconds_late, submission.assignment.duedate)


def test_late_work_is_penalised_and_an_extension_is_honoured(classroom):
    """deadlines.toml's due date reaches the gradebook; judy, past it, loses a quarter of her
    score (less than a day late); kim, past it but within her day of extension, loses
    nothing; alice, on time, nothing."""
    due = classroom["due"]
    stamp, penalty, late, duedate = _submission(classroom, "judy")
    assert duedate == due and stamp > due and late > 0
    assert penalty == pytest.approx(4 * PER_DAY)  # < 1 day late: one day's share of 4 points
    stamp, penalty, late, _ = _submission(classroom, "kim")
    assert stamp > due and (penalty or 0) == 0 and late == 0  # the extension is in the gradebook
    stamp, penalty, late, _ = _submission(classroom, "alice")
    assert stamp < due and (penalty or 0) == 0 and late == 0
    rows = _export(classroom)
    assert float(rows["judy"]["late_submission_penalty"]) == pytest.approx(4 * PER_DAY)
    assert float(rows["judy"]["score"]) == pytest.approx(4 * (1 - PER_DAY))
    # judy may be only seconds late: the export rounds to hundredths of an hour
    seconds_late = _submission(classroom, "judy")[2]
    assert float(rows["judy"]["hours_late"]) == round(seconds_late / 3600, 2)
    assert float(rows["kim"]["score"]) == 4 and float(rows["kim"]["hours_late"]) == 0
