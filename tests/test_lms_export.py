"""Grades into an LMS (python -m classroom.export --to canvas|moodle), on a synthetic gradebook.

A small class made with nbgrader's Gradebook API and the course folders that
classroom.status reads: two lessons; a learner graded on time, one graded late with a
penalty, one whose grading failed, one who never submitted, one missing from the roster,
and a roster entry missing from the gradebook.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from classroom.export import ExportError, export_lms, read_roster
from classroom.status import Report

DUE = dt.datetime(2027, 1, 11, 23, 59)
LESSONS = {"00-welcome": {"test_a": 1.0, "test_b": 3.0}, "01-neural-networks": {"test_c": 5.0}}
# student -> lesson -> (cell scores, hours after the due date, late penalty) or a fate
CLASS = {
    "alice": {"00-welcome": ({"test_a": 1, "test_b": 3}, -5, 0.0),
              "01-neural-networks": ({"test_c": 4}, -1, 0.0)},
    "bob": {"00-welcome": ({"test_a": 1, "test_b": 2}, 30, 1.5)},
    "carol": {"00-welcome": "failed"},
    "dave": {},
    "erin": {"00-welcome": ({"test_a": 0, "test_b": 3}, -2, 0.0)},
}
ROSTER = [
    {"nbgrader_id": "alice", "name": "Liddell, Alice", "canvas_id": "101", "sis_user_id": "S1",
     "sis_login_id": "alice@uni.example", "section": "A", "email": "alice@uni.example"},
    {"nbgrader_id": "bob", "name": "Builder, Bob", "canvas_id": "102", "sis_user_id": "S2",
     "sis_login_id": "bob@uni.example", "section": "B", "email": "bob@uni.example"},
    {"nbgrader_id": "carol", "name": "Ann, Carol", "canvas_id": "103", "sis_user_id": "",
     "sis_login_id": "", "section": "A", "email": "carol@uni.example"},
    {"nbgrader_id": "dave", "name": "Grohl, Dave", "canvas_id": "104", "sis_user_id": "S4",
     "sis_login_id": "", "section": "", "email": "dave@uni.example"},
    {"nbgrader_id": "zoe", "name": "Zed, Zoe", "canvas_id": "199", "sis_user_id": "S9",
     "sis_login_id": "", "section": "", "email": "zoe@uni.example"},
]


def _notebook(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lms")
    db = f"sqlite:///{root / 'gradebook.db'}"
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = 'rnn-course'\n"
        f"c.CourseDirectory.root = {str(root)!r}\nc.CourseDirectory.db_url = {db!r}\n")
    with Gradebook(db, "rnn-course") as gb:
        for lesson, cells in LESSONS.items():
            gb.update_or_create_assignment(lesson, duedate=DUE)
            gb.update_or_create_notebook(lesson, lesson)
            for cell, points in cells.items():
                gb.update_or_create_grade_cell(cell, lesson, lesson, max_score=points,
                                               cell_type="code")
        for student, work in CLASS.items():
            gb.update_or_create_student(student)
            for lesson, outcome in work.items():
                _notebook(root / "submitted" / student / lesson / f"{lesson}.ipynb")
                if outcome == "failed":
                    Report(lesson, student, ok=False, reason="the kernel died").save(root)
                    continue
                scores, hours, penalty = outcome
                _notebook(root / "autograded" / student / lesson / f"{lesson}.ipynb")
                gb.add_submission(lesson, student, timestamp=DUE + dt.timedelta(hours=hours))
                for cell, score in scores.items():
                    grade = gb.find_grade(cell, lesson, lesson, student)
                    grade.auto_score = score
                    grade.needs_manual_grade = False
                notebook = gb.find_submission_notebook(lesson, lesson, student)
                notebook.late_submission_penalty = penalty
                gb.db.commit()
    with open(root / "roster.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROSTER[0]))
        writer.writeheader()
        writer.writerows(ROSTER)
    return root


def _export(course: Path, to: str, *extra: str) -> tuple[list[list[str]], str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "classroom.export", "--to", to, "--roster", "roster.csv",
         *extra], cwd=course, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(course / f"grades-{to}.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows, (course / f"grades-{to}-check.txt").read_text(), result.stdout


def test_canvas_file_has_canvas_columns_points_row_and_scores_after_penalties(course):
    rows, _, _ = _export(course, "canvas")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "00-welcome", "01-neural-networks"]
    assert rows[1] == ["Points Possible", "", "", "", "", "4", "5"]
    assert rows[2:] == [
        ["Liddell, Alice", "101", "S1", "alice@uni.example", "A", "4", "4"],
        ["Builder, Bob", "102", "S2", "bob@uni.example", "B", "1.5", "0"],  # 3 - 1.5 late
        ["Ann, Carol", "103", "", "", "A", "", "0"],  # grading failed: empty, not 0
        ["Grohl, Dave", "104", "S4", "", "", "0", "0"],  # never submitted
    ]


def test_moodle_file_has_one_identifier_column_and_a_column_per_lesson(course):
    rows, _, _ = _export(course, "moodle", "--assignment", "00-welcome",
                         "--title", "00-welcome=Lesson 0: welcome")
    assert rows == [["Email address", "Lesson 0: welcome"],
                    ["alice@uni.example", "4"], ["bob@uni.example", "1.5"],
                    ["carol@uni.example", ""], ["dave@uni.example", "0"]]


def test_learners_missing_on_either_side_are_printed_and_written(course):
    _, check, printed = _export(course, "canvas")
    for text in (check, printed):
        assert "in the gradebook, not in the roster (NOT in the file): erin" in text
        assert "in the roster, not in the gradebook (NOT in the file): zoe" in text
        assert "carol 00-welcome: grading failed, left empty (the kernel died)" in text
        assert "bob 00-welcome: late by 30.0 h, penalty 1.5" in text
    assert "alice" not in check  # nothing to check about her


@pytest.mark.parametrize("header, rows, message", [
    ("id,email", ["alice,a@x"], "needs a column nbgrader_id"),
    ("nbgrader_id,name", ["alice,Alice"], "one of canvas_id"),
    ("nbgrader_id,canvas_id", ["alice,1", "alice,2"], "line 3: alice is in the roster twice"),
    ("nbgrader_id,canvas_id", [",1"], "line 2: no nbgrader_id"),
    ("nbgrader_id,canvas_id,sis_user_id", ["alice,,"], "alice has none of"),
])
def test_a_malformed_roster_is_refused_with_the_reason(tmp_path, header, rows, message):
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    with pytest.raises(ExportError, match=message):
        read_roster(path, "canvas")


def test_unknown_lesson_and_missing_roster_give_clear_errors(course, tmp_path):
    with pytest.raises(ExportError, match="not in the gradebook: 99-nope"):
        export_lms("canvas", course / "roster.csv", tmp_path / "x.csv",
                   f"sqlite:///{course / 'gradebook.db'}", "rnn-course", course, ["99-nope"])
    result = subprocess.run(
        [sys.executable, "-m", "classroom.export", "--to", "moodle", "--roster", "nope.csv"],
        cwd=course, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "cannot read the roster nope.csv" in result.stderr
