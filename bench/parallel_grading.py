"""Grading a class: what the sandbox and the trusted tests cost, and what all cores give.

    python bench/parallel_grading.py                        # 6 learners, lesson 01
    python bench/parallel_grading.py --learners 8 --lesson 02-recurrent-networks
    python bench/parallel_grading.py --sequential           # also nbgrader one at a time
    python bench/parallel_grading.py --against /tmp/old     # the default, now and then

``--against DIR`` takes a checkout of an earlier revision (``git worktree add /tmp/old
2675e47``) and grades the same submissions with the default settings twice, taking
``classroom`` from this checkout and then from that one, alternately for ``--repeat`` rounds:
what the grading code's changes cost (the budget of issue 18: at most 10% more).

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


def _grade(course: Path, lesson: str, settings: str, command: list[str],
           code: Path = ROOT) -> float:
    """Seconds to grade every submission from scratch with ``settings`` added to the config."""
    config = course / "nbgrader_config.py"
    original = (ROOT / "nbgrader_config.py").read_text()
    config.write_text(original + "\n# bench\n" + settings)
    shutil.rmtree(course / "autograded", ignore_errors=True)
    shutil.rmtree(course / "grading-reports", ignore_errors=True)
    (course / "gradebook.db").unlink(missing_ok=True)
    nbgrader(course, "generate_assignment", lesson, "--force")
    env = {**os.environ, "PYTHONPATH": str(code)}  # whose classroom package grades
    start = time.perf_counter()
    subprocess.run(command, cwd=course, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def _against(course: Path, lesson: str, students: list[str], command: list[str], other: Path,
             repeat: int) -> int:
    revision = subprocess.run(["git", "-C", str(other), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip() or str(other)
    times = {"this checkout": [], f"at {revision}": []}
    for _ in range(repeat):
        for (name, runs), code in zip(times.items(), (ROOT, other), strict=True):
            runs.append(_grade(course, lesson, "", command, code))
            if not _full_marks(course, lesson, students):
                print(f"{name}: not every submission got full marks")
                return 1
    print(f"{len(students)} submissions of {lesson} on {os.cpu_count()} cores, the default "
          f"(sandbox + trusted tests), best of {repeat}, load now {os.getloadavg()[0]:.1f}")
    for name, runs in times.items():
        print(f"  {name:24s} {min(runs):7.1f} s   runs: {', '.join(f'{t:.1f}' for t in runs)}")
    now, then = (min(runs) for runs in times.values())
    print(f"  this checkout costs {100 * (now / then - 1):+.1f}% against {revision} "
          "(budget +10%)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=6)
    parser.add_argument("--lesson", default="01-neural-networks")
    parser.add_argument("--sequential", action="store_true")
    parser.add_argument("--against", type=Path, help="a checkout of an earlier revision")
    parser.add_argument("--repeat", type=int, default=2)
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
        if args.against:
            return _against(course, lesson, students, parallel, args.against.resolve(),
                            args.repeat)
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
