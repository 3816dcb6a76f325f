"""Autograde every submission of an assignment, several at a time.

    python -m classroom.autograde 02-recurrent-networks            # all cores
    python -m classroom.autograde 02-recurrent-networks --jobs 4 --timeout 900
    python -m classroom.autograde 02-recurrent-networks --student alice --student bob
    python -m classroom.autograde 02-recurrent-networks --unsafe-no-sandbox   # see below

Each submission is graded by its own ``nbgrader autograde ASSIGNMENT --student ID``
process, so the grades are exactly nbgrader's; running several at once uses every core.
A submission that fails (a notebook that is not JSON, a kernel that dies, a run over
``--timeout`` seconds) is reported for that learner, and every other learner is still
graded. Reports go to ``grading-reports/<assignment>/<student>.json``, where
``nbgrader export`` (classroom.export) finds them. Run it in the course directory.

Every kernel runs in the course's sandbox and every test in the grader (classroom.sandbox).
Where the sandbox cannot start, grading stops before anyone is graded and says why;
``--unsafe-no-sandbox`` grades anyway with learner code running under your account, and
every report and the export say so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from classroom.config import load_course_config
from classroom.status import Report, explain_failure


def submitted_students(root: Path, assignment: str) -> list[str]:
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


UNSAFE = "graded WITHOUT the sandbox (--unsafe-no-sandbox)"


def grade_one(root: Path, assignment: str, student: str, timeout: float | None,
              force: bool, sandbox: bool = True) -> Report:
    """Run nbgrader autograde for one learner in its own process group."""
    command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--student", student]
    if force:
        command.append("--force")
    if not sandbox:
        command.append("--Sandbox.enabled=False")
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        log, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # nbgrader and the kernel it started
        log, _ = process.communicate()
        shutil.rmtree(root / "autograded" / student / assignment, ignore_errors=True)
        return Report(assignment, student, ok=False, seconds=time.perf_counter() - start,
                      reason=f"grading took longer than {timeout:g} s and was stopped",
                      log_tail=log.splitlines()[-20:], sandboxed=sandbox)
    seconds = time.perf_counter() - start
    graded = (root / "autograded" / student / assignment).is_dir()
    ok = process.returncode == 0 and graded
    return Report(assignment, student, ok=ok, seconds=seconds, returncode=process.returncode,
                  reason="" if ok else explain_failure(log), log_tail=log.splitlines()[-20:],
                  sandboxed=sandbox)


def check_gradebook(root: Path, assignment: str) -> None:
    """Fail early, in words, if the assignment was never generated into the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=load_course_config(root))
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            sys.exit(f"{assignment} is not in the gradebook: run "
                     f"`nbgrader generate_assignment {assignment}` first")
        for student in submitted_students(root, assignment):
            gradebook.update_or_create_student(student)  # once, before the workers race


def check_sandbox(root: Path) -> None:
    """Refuse, in words, to grade where the sandbox cannot start."""
    from classroom.sandbox.bwrap import Sandbox, SandboxUnavailable

    sandbox = Sandbox(config=load_course_config(root))
    if not sandbox.enabled:
        return
    try:
        sandbox.check()
    except SandboxUnavailable as error:
        sys.exit(f"Not grading: {error}")


def autograde(root: Path, assignment: str, students: list[str] | None = None,
              jobs: int | None = None, timeout: float | None = None,
              force: bool = False, sandbox: bool = True) -> list[Report]:
    """Grade the submissions of ``students`` (default: all), ``jobs`` at a time."""
    root = Path(root).resolve()
    students = students or submitted_students(root, assignment)
    jobs = jobs or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reports = list(pool.map(
            lambda s: grade_one(root, assignment, s, timeout, force, sandbox), students))
    for report in reports:
        report.save(root)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--student", action="append", help="grade only this learner (repeat)")
    parser.add_argument("--jobs", type=int, default=None, help="processes at once (all cores)")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds one submission may take before it is stopped")
    parser.add_argument("--force", action="store_true", help="grade again what was graded")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="grade without the sandbox: learner code runs with your rights "
                             "(only where the sandbox cannot start; every report says so)")
    args = parser.parse_args(argv)
    root = Path.cwd()
    sandbox = not args.unsafe_no_sandbox
    if sandbox:
        check_sandbox(root)
    else:
        print(f"WARNING: {UNSAFE}: learner code runs with this account's rights", flush=True)
    check_gradebook(root, args.assignment)
    students = args.student or submitted_students(root, args.assignment)
    print(f"grading {len(students)} submission(s) of {args.assignment}, "
          f"{args.jobs or os.cpu_count()} at a time", flush=True)
    reports = autograde(root, args.assignment, students, args.jobs, args.timeout, args.force,
                        sandbox)
    failed = [r for r in reports if not r.ok]
    for report in reports:
        outcome = "graded" if report.ok else f"FAILED: {report.reason}"
        if not sandbox:
            outcome += f" ({UNSAFE})"
        print(f"  {report.student:24s} {report.seconds:7.1f} s  {outcome}")
    print(f"{len(reports) - len(failed)} graded, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
