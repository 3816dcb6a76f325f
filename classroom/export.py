"""Grades out of nbgrader: ``nbgrader export`` with the outcome of grading, and LMS files.

nbgrader's own CSV gives a learner whose submission could not be graded the same 0 as a
learner who scored nothing. This exporter writes nbgrader's columns unchanged, plus
``status`` (graded, grading failed, not graded, not submitted), ``problems`` and
``hours_late`` (after any extension; the penalty is nbgrader's late_submission_penalty).

The course makes it the default (``c.ExportApp.plugin_class`` in nbgrader_config.py);
elsewhere: ``nbgrader export --exporter=classroom.export.StatusCsvExporter``.

For a learning management system, ``python -m classroom.export`` writes the CSV its grade
import reads, one column per lesson, with the score after late penalties::

    python -m classroom.export --to canvas --roster roster.csv     # grades-canvas.csv
    python -m classroom.export --to moodle --roster roster.csv     # grades-moodle.csv

The roster (CSV) maps nbgrader ids to the LMS's: a column ``nbgrader_id`` and, for Canvas,
any of ``name``, ``canvas_id``, ``sis_user_id``, ``sis_login_id``, ``section`` (one of the
three ids at least), for Moodle one of ``email``, ``idnumber``, ``username``. Learners in
the gradebook but not the roster, or the other way round, are printed and listed in
``<out>-check.txt`` with the learners left empty (grading failed or not graded: not a 0)
and the late ones; a learner who never submitted gets 0, as in nbgrader's own export.
docs/classroom.md has the import steps for both systems.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from classroom.status import submission_status

COLUMNS = [
    "assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
    "raw_score", "late_submission_penalty", "score", "max_score", "hours_late", "status",
    "problems",
]


class StatusCsvExporter(ExportPlugin):
    """CSV export with ``status`` and ``problems`` columns."""

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        root = Path(self.parent.coursedir.root) if self.parent is not None else Path.cwd()
        with open(dest, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for assignment in gradebook.assignments:
                if self.assignment and assignment.name not in self.assignment:
                    continue
                notebooks = [nb.name for nb in assignment.notebooks]
                for student in gradebook.students:
                    if self.student and student.id not in [str(s) for s in self.student]:
                        continue
                    row = {
                        "assignment": assignment.name, "duedate": assignment.duedate or "",
                        "student_id": student.id, "last_name": student.last_name or "",
                        "first_name": student.first_name or "", "email": student.email or "",
                        "max_score": assignment.max_score,
                    }
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                    except MissingEntry:
                        row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0,
                                   score=0.0, hours_late=0.0)
                    else:
                        penalty = submission.late_submission_penalty or 0.0
                        row.update(timestamp=submission.timestamp or "",
                                   raw_score=submission.score,
                                   late_submission_penalty=penalty,
                                   score=max(0.0, submission.score - penalty),
                                   hours_late=round(submission.total_seconds_late / 3600, 2))
                    status, problems = submission_status(root, assignment.name, student.id,
                                                         notebooks)
                    row.update(status=status, problems="; ".join(problems))
                    writer.writerow(row)
        self.log.info("Exported grades with their status to %s", dest)


# --- the LMS files ------------------------------------------------------------------------

ROSTER_ID = "nbgrader_id"
# Canvas' gradebook import: these columns, in this order, then one column per assignment
# (the same as Canvas' own gradebook export); the roster column that fills each.
CANVAS = {"Student": "name", "ID": "canvas_id", "SIS User ID": "sis_user_id",
          "SIS Login ID": "sis_login_id", "Section": "section"}
CANVAS_IDS = ("canvas_id", "sis_user_id", "sis_login_id")
# Moodle's "Import grades from CSV": one identifier column (mapped on import to the user
# field of the same meaning), then one column per assignment. Headers as Moodle's export.
MOODLE = {"email": "Email address", "idnumber": "ID number", "username": "Username"}


class ExportError(ValueError):
    """The roster or the options are wrong; the message says how."""


def read_roster(path: Path, to: str) -> dict[str, dict[str, str]]:
    """The roster's rows by nbgrader id, checked for what ``to`` (canvas, moodle) needs."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    except OSError as error:
        raise ExportError(f"cannot read the roster {path}: {error.strerror}") from None
    wanted = CANVAS_IDS if to == "canvas" else tuple(MOODLE)
    if ROSTER_ID not in columns or not set(wanted) & set(columns):
        raise ExportError(f"{path}: a roster for {to} needs a column {ROSTER_ID} and one of "
                          f"{', '.join(wanted)}; it has {', '.join(columns) or 'no header'}")
    roster: dict[str, dict[str, str]] = {}
    for line, row in enumerate(rows, start=2):
        learner = row.get(ROSTER_ID, "")
        if not learner:
            raise ExportError(f"{path} line {line}: no {ROSTER_ID}")
        if learner in roster:
            raise ExportError(f"{path} line {line}: {learner} is in the roster twice")
        if not any(row.get(c) for c in wanted):
            raise ExportError(f"{path} line {line}: {learner} has none of {', '.join(wanted)}")
        roster[learner] = row
    return roster


def class_grades(gradebook: Gradebook, root: Path, assignments: list[str]
                 ) -> tuple[dict[str, float], dict[tuple[str, str], float | None], list[str]]:
    """``(max score by assignment, score by (student, assignment), notes)``.

    A score is after the late penalty; None where grading failed or has not run (the LMS
    gets an empty cell, not a 0); 0 where nothing was submitted. ``notes`` lists those
    learners and the late ones."""
    maxima, scores, notes = {}, {}, []
    students = [s.id for s in gradebook.students]
    for name in assignments:
        assignment = gradebook.find_assignment(name)
        maxima[name] = float(assignment.max_score)
        notebooks = [nb.name for nb in assignment.notebooks]
        for student in students:
            status, problems = submission_status(root, name, student, notebooks)
            if status == "not submitted":
                scores[(student, name)] = 0.0
                continue
            if status != "graded":
                scores[(student, name)] = None
                notes.append(f"{student} {name}: {status}, left empty ({'; '.join(problems)})")
                continue
            submission = gradebook.find_submission(name, student)
            penalty = submission.late_submission_penalty or 0.0
            scores[(student, name)] = max(0.0, submission.score - penalty)
            if submission.total_seconds_late > 0:
                notes.append(f"{student} {name}: late by "
                             f"{submission.total_seconds_late / 3600:.1f} h, penalty {penalty:g}")
    return maxima, scores, notes


def lms_rows(to: str, roster: dict[str, dict[str, str]], students: list[str],
             maxima: dict[str, float], scores: dict[tuple[str, str], float | None],
             titles: dict[str, str], id_column: str | None = None) -> list[list[str]]:
    """The rows of the LMS's CSV (header first) for the learners on both sides."""
    assignments = list(maxima)
    headers = [titles.get(a, a) for a in assignments]
    both = [s for s in students if s in roster]

    def cells(student: str) -> list[str]:
        values = [scores.get((student, a)) for a in assignments]
        return ["" if v is None else f"{round(v, 2):g}" for v in values]

    if to == "canvas":
        rows = [list(CANVAS) + headers,
                ["Points Possible", "", "", "", ""] + [f"{maxima[a]:g}" for a in assignments]]
        return rows + [[roster[s].get(field, "") for field in CANVAS.values()] + cells(s)
                       for s in both]
    field = id_column or next(c for c in MOODLE if any(r.get(c) for r in roster.values()))
    missing = [s for s in both if not roster[s].get(field)]
    if missing:
        raise ExportError(f"the roster has no {field} for {', '.join(missing)}")
    return [[MOODLE[field]] + headers] + [[roster[s][field]] + cells(s) for s in both]


def export_lms(to: str, roster_path: Path, out: Path, db_url: str, course_id: str, root: Path,
               assignments: list[str] | None = None, titles: dict[str, str] | None = None,
               id_column: str | None = None) -> list[str]:
    """Write the LMS's CSV to ``out`` and what to check to ``<out>-check.txt``; returns the
    lines of the check file."""
    roster = read_roster(roster_path, to)
    with Gradebook(db_url, course_id) as gradebook:
        known = [a.name for a in gradebook.assignments]
        unknown = [a for a in assignments or [] if a not in known]
        if unknown:
            raise ExportError(f"not in the gradebook: {', '.join(unknown)} (it has "
                              f"{', '.join(known) or 'no assignment'})")
        students = sorted(s.id for s in gradebook.students)
        maxima, scores, notes = class_grades(gradebook, root, assignments or known)
    rows = lms_rows(to, roster, students, maxima, scores, titles or {}, id_column)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    check = [f"{to} grades: {out} ({len(rows) - (2 if to == 'canvas' else 1)} learners, "
             f"{len(maxima)} assignment(s))"]
    check += [f"in the gradebook, not in the roster (NOT in the file): {s}"
              for s in students if s not in roster]
    check += [f"in the roster, not in the gradebook (NOT in the file): {s}"
              for s in roster if s not in students]
    check += notes
    Path(f"{out.with_suffix('')}-check.txt").write_text("\n".join(check) + "\n")
    return check


def _titles(pairs: list[str]) -> dict[str, str]:
    titles = {}
    for pair in pairs:
        lesson, sep, title = pair.partition("=")
        if not sep or not lesson or not title:
            raise ExportError(f"--title {pair!r}: write LESSON=COLUMN HEADER")
        titles[lesson] = title
    return titles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grades as the CSV an LMS imports.")
    parser.add_argument("--to", choices=["canvas", "moodle"], required=True)
    parser.add_argument("--roster", type=Path, required=True,
                        help="CSV: nbgrader_id and the LMS's ids (see docs/classroom.md)")
    parser.add_argument("--out", type=Path, help="default: grades-canvas.csv / grades-moodle.csv")
    parser.add_argument("--assignment", action="append", help="only this lesson (repeat)")
    parser.add_argument("--title", action="append", default=[], metavar="LESSON=HEADER",
                        help="the column header of a lesson, e.g. Canvas' 'Welcome (1234)'")
    parser.add_argument("--id", choices=list(MOODLE), help="Moodle: the identifier column")
    args = parser.parse_args(argv)
    from nbgrader.coursedir import CourseDirectory

    from classroom.config import load_course_config, use_this_environment

    use_this_environment()
    coursedir = CourseDirectory(config=load_course_config(Path.cwd()))
    out = args.out or Path(f"grades-{args.to}.csv")
    try:
        check = export_lms(args.to, args.roster, out, coursedir.db_url, coursedir.course_id,
                           Path(coursedir.root), args.assignment, _titles(args.title), args.id)
    except ExportError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    print("\n".join(check))
    print(f"(this list is also in {out.with_suffix('')}-check.txt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
