"""Grading a class: one submission at a time (nbgrader) against all cores (classroom).

    python bench/parallel_grading.py                       # 8 learners, lesson 01
    python bench/parallel_grading.py --learners 12 --lesson 02-recurrent-networks

Makes a temporary course, submits the reference answers of the lesson for N simulated
learners, then grades them twice from scratch: `nbgrader autograde LESSON` (sequential)
and `python -m classroom.autograde LESSON` (one process per submission, as many at once
as there are cores). Prints both wall times, the ratio, and checks both gave full marks.
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


def _full_marks(course: Path, lesson: str, students: list[str]) -> bool:
    return all(
        all(score == maximum for score, maximum in cell_scores(course, lesson, s).values())
        for s in students
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--lesson", default="01-neural-networks")
    args = parser.parse_args()
    lesson, students = args.lesson, [f"learner{i:03d}" for i in range(args.learners)]
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]

    with tempfile.TemporaryDirectory() as tmp:
        course = make_course_copy(Path(tmp) / "course", [lesson])
        nbgrader(course, "generate_assignment", lesson, "--force")
        solution = read_notebook(notebook_path(course / "solutions", lesson))
        release = read_notebook(notebook_path(course / "course", lesson))
        submission = with_answers(release, reference_answers(solution))
        for student in students:
            submit_locally(course, lesson, student, submission)

        start = time.perf_counter()
        nbgrader(course, "autograde", lesson)
        sequential = time.perf_counter() - start
        sequential_ok = _full_marks(course, lesson, students)

        shutil.rmtree(course / "autograded")
        (course / "gradebook.db").unlink()
        nbgrader(course, "generate_assignment", lesson, "--force")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "classroom.autograde", lesson], cwd=course,
                       check=True, capture_output=True)
        parallel = time.perf_counter() - start
        parallel_ok = _full_marks(course, lesson, students)

    cores = os.cpu_count()
    print(f"{args.learners} submissions of {lesson} on {cores} cores")
    print(f"{'grader':34s} {'seconds':>8s} {'per submission':>15s}  all full marks")
    print(f"{'nbgrader autograde (sequential)':34s} {sequential:8.1f} "
          f"{sequential / args.learners:15.1f}  {sequential_ok}")
    print(f"{'classroom.autograde (all cores)':34s} {parallel:8.1f} "
          f"{parallel / args.learners:15.1f}  {parallel_ok}")
    print(f"speedup {sequential / parallel:.2f}x")
    return 0 if sequential_ok and parallel_ok else 1


if __name__ == "__main__":
    sys.exit(main())
