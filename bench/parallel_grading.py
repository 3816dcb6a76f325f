"""Grading a class: what the sandbox and the trusted tests cost, and what all cores give.

    python bench/parallel_grading.py                        # 6 learners, lesson 01
    python bench/parallel_grading.py --learners 8 --lesson 02-recurrent-networks
    python bench/parallel_grading.py --sequential           # also nbgrader one at a time

Makes a temporary course and submits the reference answers of the lesson for N simulated
learners, then grades them from scratch with ``python -m classroom.autograde`` (all cores)
in four ways, side by side:

- ``plain nbgrader, a process per submission``: tests in the learner's kernel, no sandbox,
  a fresh grading process for every learner (``--per-process 1``): how the course graded
  before the sandbox and the trusted tests;
- ``plain nbgrader``: the same in long-lived grading processes (the default);
- ``trusted tests``: tests in the grader, kernel not sandboxed (``Sandbox.enabled=False``);
- ``sandbox + trusted tests``: the course's default.

Prints the wall time, the time per submission, each against the first row, and what the
sandbox and the trusted tests cost against plain nbgrader graded the same way; checks every
submission got full marks. With ``--sequential``, the default is also timed with
``nbgrader autograde`` one at a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from grading import (  # noqa: E402
    cell_scores,
    make_course_copy,
    nbgrader,
    notebook_path,
    read_notebook,
    reference_answers,
    submit_locally,
    with_answers,
)

PLAIN = "c.Sandbox.enabled = False\nc.SandboxedExecute.trusted_tests = False\n"
MODES = [  # name, added to the config, added to the command
    ("plain nbgrader, a process per submission", PLAIN, ["--per-process", "1"]),
    ("plain nbgrader", PLAIN, []),
    ("trusted tests", "c.Sandbox.enabled = False\n", []),
    ("sandbox + trusted tests", "", []),
]


def _full_marks(course: Path, lesson: str, students: list[str]) -> bool:
    return all(
        all(score == maximum for score, maximum in cell_scores(course, lesson, s).values())
        for s in students
    )


def _grade(course: Path, lesson: str, settings: str, command: list[str]) -> float:
    """Seconds to grade every submission from scratch with ``settings`` added to the config."""
    config = course / "nbgrader_config.py"
    original = (ROOT / "nbgrader_config.py").read_text()
    config.write_text(original + "\n# bench\n" + settings)
    shutil.rmtree(course / "autograded", ignore_errors=True)
    shutil.rmtree(course / "grading-reports", ignore_errors=True)
    (course / "gradebook.db").unlink(missing_ok=True)
    nbgrader(course, "generate_assignment", lesson, "--force")
    start = time.perf_counter()
    subprocess.run(command, cwd=course, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=6)
    parser.add_argument("--lesson", default="01-neural-networks")
    parser.add_argument("--sequential", action="store_true")
    args = parser.parse_args()
    lesson, students = args.lesson, [f"learner{i:03d}" for i in range(args.learners)]
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    parallel = [sys.executable, "-m", "classroom.autograde", lesson]
    rows = []

    with tempfile.TemporaryDirectory() as tmp:
        course = make_course_copy(Path(tmp) / "course", [lesson])
        nbgrader(course, "generate_assignment", lesson, "--force")
        solution = read_notebook(notebook_path(course / "solutions", lesson))
        release = read_notebook(notebook_path(course / "course", lesson))
        submission = with_answers(release, reference_answers(solution))
        for student in students:
            submit_locally(course, lesson, student, submission)
        for mode, settings, flags in MODES:
            seconds = _grade(course, lesson, settings, parallel + flags)
            rows.append((f"{mode}, all cores", seconds, _full_marks(course, lesson, students)))
        if args.sequential:
            seconds = _grade(course, lesson, "", [sys.executable, "-m", "nbgrader", "autograde",
                                                  lesson])
            rows.append(("sandbox + trusted tests, one at a time", seconds,
                         _full_marks(course, lesson, students)))

    before, plain, trusted, sandboxed = (rows[i][1] for i in range(4))
    print(f"{args.learners} submissions of {lesson} on {os.cpu_count()} cores, "
          f"load before: {os.getloadavg()[0]:.1f}")
    print(f"{'grading':55s} {'seconds':>8s} {'per submission':>15s} {'vs first':>9s}  "
          "all full marks")
    for name, seconds, ok in rows:
        print(f"{name:55s} {seconds:8.1f} {seconds / args.learners:15.1f} "
              f"{seconds / before:8.2f}x  {ok}")
    print(f"the sandbox costs {100 * (sandboxed / trusted - 1):+.0f}% (budget +10%); "
          f"sandbox and trusted tests together: {sandboxed / plain:.2f}x plain nbgrader graded "
          f"the same way, {sandboxed / before:.2f}x grading as before (budget 1.2x)")
    return 0 if all(ok for _, _, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
