"""How long `python -m classroom.report` takes for a large class (the budget: 1,000 learners
on one lesson in under a minute on 2 cores).

    .venv/bin/python bench/report_scale.py                     # 1,000 learners of lesson 07
    .venv/bin/python bench/report_scale.py --learners 200 --lesson 02-recurrent-networks

Builds a synthetic class in a temporary course folder: a gradebook (SQLite, written in bulk
with nbgrader's own ORM classes) with the lesson's real test cells, and an autograded
notebook per graded learner made from the lesson's source notebook with outputs of a real
size (a plot per figure cell, error outputs with tracebacks on failed test cells). Learners
have an ability and cells a difficulty; one cell nearly everyone fails and one rewards weak
learners, so the report has something to flag. 10 % never submit, 3 % fail grading, 2 % hit
the time limit, 8 % are late. Then it runs the real command and prints the figures.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# nbgrader's gradebook runs `alembic` from PATH: this environment's, even when not activated
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]

from classroom.status import Report  # noqa: E402

DUE = dt.datetime(2027, 1, 11, 23, 59)


def build(course: Path, lesson: str, learners: int, seed: int = 0) -> dict[str, float]:
    """Write a synthetic graded class of ``lesson`` into ``course``; returns its figures."""
    from nbgrader.api import (
        Grade,
        Gradebook,
        GradeCell,
        Student,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    rng = np.random.default_rng(seed)
    shutil.copytree(ROOT / "solutions" / lesson, course / "solutions" / lesson)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'rnn-course'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.source_directory = 'solutions'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course / 'gradebook.db'}'\n")
    source = json.loads((course / "solutions" / lesson / f"{lesson}.ipynb").read_text())
    tests = [(c["metadata"]["nbgrader"]["grade_id"], float(c["metadata"]["nbgrader"]["points"]))
             for c in source["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    difficulty = rng.normal(0, 1, len(tests))
    difficulty[len(tests) // 3] = 4.0  # nearly everyone fails this one
    slope = np.full(len(tests), 2.5)
    slope[2 * len(tests) // 3] = -2.0  # weak learners pass it more often: a bad test
    png = "iVBORw0KGgo" + "A" * 40_000  # a plot's size in a real notebook, base64

    ids = [f"learner{i:04d}" for i in range(learners)]
    fate = rng.choice(["graded", "missing", "failed", "timeout"], size=learners,
                      p=[0.85, 0.10, 0.03, 0.02])
    ability = rng.normal(0, 1, learners)
    start = time.perf_counter()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "rnn-course") as gb:
        gb.update_or_create_assignment(lesson, duedate=DUE)
        assignment = gb.find_assignment(lesson)
        notebook = gb.update_or_create_notebook(lesson, lesson)
        for name, points in tests:
            gb.update_or_create_grade_cell(name, lesson, lesson, max_score=points,
                                           cell_type="code")
        cells = {c.name: c for c in gb.db.query(GradeCell).filter(
            GradeCell.notebook_id == notebook.id)}
        students = [Student(id=s) for s in ids]
        gb.db.add_all(students)
        for i, (student, what) in enumerate(zip(students, fate, strict=True)):
            if what == "missing":
                continue
            late = rng.random() < 0.08
            stamp = DUE + dt.timedelta(hours=float(rng.uniform(1, 60)) if late
                                       else -float(rng.uniform(1, 100)))
            submission = SubmittedAssignment(assignment=assignment, student=student,
                                             timestamp=stamp)
            graded = SubmittedNotebook(assignment=submission, notebook=notebook,
                                       late_submission_penalty=1.0 if late else None)
            passed = rng.random(len(tests)) < 1 / (1 + np.exp(-slope * (ability[i] - difficulty)))
            if what == "timeout":
                passed[:] = False
            gb.db.add_all([Grade(cell=cells[name], notebook=graded, needs_manual_grade=False,
                                 auto_score=points if ok else 0.0)
                           for (name, points), ok in zip(tests, passed, strict=True)])
            _write_notebooks(course, lesson, ids[i], source, tests, passed, what, png)
        gb.db.commit()
        assert assignment.num_submissions == int(np.sum(fate != "missing"))
    return {"learners": learners, "test cells": len(tests),
            "build s": time.perf_counter() - start}


def _write_notebooks(course, lesson, student, source, tests, passed, what, png) -> None:
    submitted = course / "submitted" / student / lesson
    submitted.mkdir(parents=True)
    (submitted / f"{lesson}.ipynb").write_text(json.dumps(source))
    if what == "failed":
        Report(lesson, student, ok=False, reason="the kernel died while running the notebook"
               ).save(course)
        return
    nb = copy.deepcopy(source)
    ok = dict(zip([name for name, _ in tests], passed, strict=True))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in ok and not ok[grade_id]:
            ename = "CellTimeoutError" if what == "timeout" else "AssertionError"
            cell["outputs"] = [{"output_type": "error", "ename": ename,
                                "evalue": f"{grade_id} is off in {len(student) % 7 + 1} of 12 "
                                          "entries\nmore detail on a second line",
                                "traceback": ["Traceback (most recent call last):\n" + "".join(
                                    f"  line {n}\n    {line}" for n, line in
                                    enumerate("".join(cell["source"]).splitlines()[:30]))]}]
        elif "plot" in "".join(cell["source"]):
            cell["outputs"] = [{"output_type": "display_data", "metadata": {},
                                "data": {"image/png": png, "text/plain": "<Figure>"}}]
    autograded = course / "autograded" / student / lesson
    autograded.mkdir(parents=True)
    (autograded / f"{lesson}.ipynb").write_text(json.dumps(nb))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--lesson", default="07-attention")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic course")
    args = parser.parse_args()
    course = Path(tempfile.mkdtemp(prefix="report-scale-"))
    try:
        figures = build(course, args.lesson, args.learners)
        size = sum(p.stat().st_size for p in (course / "autograded").rglob("*.ipynb"))
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.pop("NBGRADER_DB_URL", None)
        start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run([sys.executable, "-m", "classroom.report", args.lesson],
                                cwd=course, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_s = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
        if result.returncode != 0:
            print(result.stdout, result.stderr)
            return 1
        page = course / "reports" / f"{args.lesson}.html"
        print(f"lesson {args.lesson}: {figures['learners']} learners, "
              f"{figures['test cells']} test cells, autograded notebooks {size / 2**20:.0f} MiB "
              f"(synthetic class built in {figures['build s']:.1f} s)")
        print(result.stdout.strip())
        print(f"python -m classroom.report: {seconds:.1f} s wall, {cpu_s:.1f} s CPU, on "
              f"{os.cpu_count()} core(s) at load {os.getloadavg()[0]:.1f} (budget 60 s wall); "
              f"page {page.stat().st_size / 1024:.0f} KiB")
        if args.keep:
            print(f"kept in {course}")
    finally:
        if not args.keep:
            shutil.rmtree(course, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
