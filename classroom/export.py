"""``nbgrader export`` with the outcome of grading beside every score.

nbgrader's own CSV gives a learner whose submission could not be graded the same 0 as a
learner who scored nothing. This exporter writes nbgrader's columns unchanged, plus
``status`` (graded, grading failed, not graded, not submitted) and ``problems``.

The course makes it the default (``c.ExportApp.plugin_class`` in nbgrader_config.py);
elsewhere: ``nbgrader export --exporter=classroom.export.StatusCsvExporter``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from classroom.status import submission_status

COLUMNS = [
    "assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
    "raw_score", "late_submission_penalty", "score", "max_score", "status", "problems",
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
                                   score=0.0)
                    else:
                        penalty = submission.late_submission_penalty or 0.0
                        row.update(timestamp=submission.timestamp or "",
                                   raw_score=submission.score,
                                   late_submission_penalty=penalty,
                                   score=max(0.0, submission.score - penalty))
                    status, problems = submission_status(root, assignment.name, student.id,
                                                         notebooks)
                    row.update(status=status, problems="; ".join(problems))
                    writer.writerow(row)
        self.log.info("Exported grades with their status to %s", dest)
