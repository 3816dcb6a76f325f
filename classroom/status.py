"""What happened to one learner's submission: graded, failed, missing, and why.

The parallel autograder writes a report per submission in
``grading-reports/<assignment>/<student>.json``; the exporter reads them, and falls back
on the course folders when a submission was graded with plain ``nbgrader autograde``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPORTS = "grading-reports"

# What nbgrader's log says, and what the instructor should read instead.
_REASONS = [
    (r"No notebooks were matched", "the submission contains no notebook"),
    (r"DeadKernelError|Kernel died|kernel died", "the kernel died while running the notebook "
     "(it exited, crashed or ran out of memory)"),
    (r"NotJSONError|JSONDecodeError|Notebook does not appear to be JSON|Unreadable Notebook|"
     r"is not valid JSON", "the notebook file is not a valid notebook (not JSON)"),
    (r"ValidationError|validation error", "the notebook does not follow the notebook format"),
    (r"CellTimeoutError", "a cell ran longer than the time limit"),
    (r"No such file|does not exist", "a file that grading needs does not exist"),
]


@dataclass
class Report:
    """The outcome of grading one submission."""

    assignment: str
    student: str
    ok: bool
    reason: str = ""
    seconds: float = 0.0
    returncode: int | None = None
    log_tail: list[str] = field(default_factory=list)
    sandboxed: bool = True

    def save(self, root: Path) -> Path:
        path = Path(root) / REPORTS / self.assignment / f"{self.student}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1))
        return path

    @classmethod
    def load(cls, root: Path, assignment: str, student: str) -> Report | None:
        path = Path(root) / REPORTS / assignment / f"{student}.json"
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text()))


def explain_failure(log: str) -> str:
    """The reason a failed ``nbgrader autograde`` gives, in words an instructor can act on."""
    for pattern, reason in _REASONS:
        if re.search(pattern, log):
            return reason
    errors = [line.strip() for line in log.splitlines() if "ERROR" in line or "Error" in line]
    return errors[-1][:300] if errors else "nbgrader could not grade it (see its log)"


# Errors in a graded notebook that mean a cell hit one of the sandbox's limits.
_LIMITS = [
    ("CellTimeoutError", "hit the time limit"),
    ("MemoryError", "ran out of memory (the sandbox's memory limit)"),
    ("Resource temporarily unavailable", "hit the sandbox's limit on processes"),
    ("File too large", "wrote a file over the sandbox's file size limit"),
    ("No space left on device", "filled the sandbox's scratch space"),
]


def notebook_problems(autograded: Path) -> list[str]:
    """Problems visible in autograded notebooks: cells that hit a time or sandbox limit,
    what the grader noted (output or channel over its limit), and notebooks graded without
    the sandbox."""
    problems = []
    for path in sorted(autograded.glob("*.ipynb")):
        # plain JSON, not nbformat.read: the report reads a whole class, and nbformat's
        # validation of every notebook would take most of its time
        nb = json.loads(path.read_text())
        classroom = nb.get("metadata", {}).get("classroom", {})
        if classroom.get("sandbox") == "off":
            problems.append(f"{path.stem}: graded WITHOUT the sandbox")
        problems += [f"{path.stem}: {p}" for p in classroom.get("problems", [])]
        for needle, what in _LIMITS:
            hits = sum(
                any(o.get("output_type") == "error"
                    and needle in f"{o.get('ename', '')}: {o.get('evalue', '')}"
                    for o in cell.get("outputs", []))
                for cell in nb.get("cells", []) if cell.get("cell_type") == "code"
            )
            if hits:
                problems.append(f"{path.stem}: {hits} cell(s) {what}")
    return problems


def submission_status(root: Path, assignment: str, student: str,
                      notebooks: list[str]) -> tuple[str, list[str]]:
    """``(status, problems)`` of one learner's submission of one assignment.

    status is one of ``graded``, ``grading failed``, ``not graded``, ``not submitted``.
    """
    root = Path(root)
    submitted = root / "submitted" / student / assignment
    autograded = root / "autograded" / student / assignment
    report = Report.load(root, assignment, student)
    if not submitted.is_dir():
        return "not submitted", []
    problems = [f"{name}.ipynb is missing from the submission" for name in notebooks
                if not (submitted / f"{name}.ipynb").exists()]
    if report is not None and not report.ok:
        unsafe = [] if report.sandboxed else ["graded WITHOUT the sandbox (--unsafe-no-sandbox)"]
        return "grading failed", [report.reason, *problems, *unsafe]
    if not autograded.is_dir():
        return "not graded", ["no autograded copy: autograde failed or has not run", *problems]
    return "graded", problems + notebook_problems(autograded)
