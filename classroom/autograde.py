"""Autograde every submission of an assignment, several at a time.

    python -m classroom.autograde 02-recurrent-networks            # all cores
    python -m classroom.autograde 02-recurrent-networks --jobs 4 --timeout 900
    python -m classroom.autograde 02-recurrent-networks --student alice --student bob
    python -m classroom.autograde 02-recurrent-networks --unsafe-no-sandbox   # see below

``--jobs`` grading processes (one per core by default) take the submissions one at a time
from a shared queue. Each process grades with nbgrader's own autograde (its Python API, the
one the formgrader uses), so the grades are exactly nbgrader's, and it grades up to
``--per-process`` submissions before a fresh process takes over: the grader's side of the
trusted tests imports TensorFlow once per process, not once per learner.

A submission that fails (a notebook that is not JSON, a kernel that dies, a run over
``--timeout`` seconds) is reported for that learner, and every other learner is still
graded: a run over time stops that learner's process and a new one grades the rest. Reports
go to ``grading-reports/<assignment>/<student>.json``, where ``nbgrader export``
(classroom.export) finds them. Run it in the course directory.

Every kernel runs in the course's sandbox and every test in the grader (classroom.sandbox).
Where the sandbox cannot start, grading stops before anyone is graded and says why;
``--unsafe-no-sandbox`` grades anyway with learner code running under your account, and
every report and the export say so.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
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
# The grading process's own address space: TensorFlow reserves much more than it uses, so
# this is far above what grading needs (see bench/parallel_grading.py) and far below the
# machine; a kernel that floods the grader makes that learner fail, not the whole run.
DEFAULT_MEMORY = 12 * 2**30


class GradingProcess:
    """A ``python -m classroom.autograde --serve`` process: learner ids in, one JSON line out
    per learner. It runs in its own process group, so stopping it stops its kernels too."""

    def __init__(self, root: Path, assignment: str, force: bool, sandbox: bool,
                 memory: int = 0):
        command = [sys.executable, "-m", "classroom.autograde", assignment, "--serve"]
        command += ["--force"] if force else []
        command += [] if sandbox else ["--unsafe-no-sandbox"]
        env = dict(os.environ)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        self.stderr = tempfile.TemporaryFile("w+")  # nbgrader's own log, and anything printed
        self.process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                        start_new_session=True)
        _limit_memory(self.process.pid, memory)
        self.graded = 0
        self.over_time = False  # the last grade() found no answer within its timeout

    def grade(self, student: str, timeout: float | None) -> dict | None:
        """nbgrader's result for ``student``; None if the process died or ran over time
        (``over_time`` says which)."""
        self.graded += 1
        self.over_time = False
        try:
            self.process.stdin.write(student + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            return None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.over_time = True
            return None
        line = self.process.stdout.readline()  # the answer comes as one line, or not at all
        return json.loads(line) if line else None

    def stop(self) -> list[str]:
        """Stop the process, its kernels with it; the last lines of its log."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        self.stderr.seek(0)
        tail = self.stderr.read().splitlines()[-20:]
        self.stderr.close()
        return tail


def _limit_memory(pid: int, limit: int) -> None:
    """The grading process's own memory limit (its address space; the soft limit only, so
    the sandbox's launcher can still give each kernel its own)."""
    if limit > 0:
        _, hard = resource.prlimit(pid, resource.RLIMIT_AS)
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, hard))


def _grading_job(root: Path, assignment: str, todo: queue.Queue, timeout: float | None,
                 force: bool, sandbox: bool, per_process: int, memory: int) -> list[Report]:
    """Grade learners from ``todo`` until it is empty, restarting the process when needed."""
    reports, process = [], None
    while True:
        try:
            student = todo.get_nowait()
        except queue.Empty:
            break
        if process is None or process.graded >= per_process:
            if process is not None:
                process.stop()
            process = GradingProcess(root, assignment, force, sandbox, memory)
        start = time.perf_counter()
        result = process.grade(student, timeout)
        seconds = time.perf_counter() - start
        if result is None:  # over time, or the process ended: a fresh one grades the rest
            over_time = process.over_time
            tail, process = process.stop(), None
            shutil.rmtree(root / "autograded" / student / assignment, ignore_errors=True)
            ok = False
            reason = (f"grading took longer than {timeout:g} s and was stopped" if over_time
                      else explain_failure("\n".join(tail)) + " (the grading process ended)")
        else:
            log = result.get("log", "") + result.get("error", "")
            tail = log.splitlines()[-20:]
            ok = result["success"] and (root / "autograded" / student / assignment).is_dir()
            reason = "" if ok else explain_failure(log)
            if result.get("restart"):  # a test of this learner's never ended: a fresh process
                process.stop()
                process = None
        reports.append(Report(assignment, student, ok=ok, seconds=seconds, reason=reason,
                              log_tail=tail, sandboxed=sandbox))
    if process is not None:
        process.stop()
    return reports


def serve(assignment: str, force: bool, sandbox: bool) -> int:
    """Grade the learners named on stdin, one per line, answering each with a JSON line."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.apps.baseapp import NbGrader

    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever else is printed goes to the log, never among the answers
    app = NbGrader()
    app.initialize(["--Sandbox.enabled=False"] if not sandbox else [])  # config as nbgrader's
    api = NbGraderAPI(coursedir=app.coursedir, authenticator=app.authenticator, parent=app)
    from classroom.sandbox.executor import SandboxedExecute

    for line in sys.stdin:
        result = api.autograde(assignment, line.strip(), force=force, create=True)
        result["restart"] = SandboxedExecute.verdict_timed_out
        answers.write(json.dumps(result) + "\n")
        answers.flush()
        if result["restart"]:  # its test thread cannot be stopped: end this process
            os._exit(0)
    return 0


def check_gradebook(root: Path, assignment: str) -> None:
    """Fail early, in words, if the assignment was never generated into the gradebook or
    deadlines.toml is malformed; put the due date and extensions of deadlines.toml in it."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.coursedir import CourseDirectory

    from classroom import deadlines

    try:
        dates = deadlines.load(root)
    except deadlines.DeadlinesError as error:
        sys.exit(f"Not grading: {error}")
    coursedir = CourseDirectory(config=load_course_config(root))
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            sys.exit(f"{assignment} is not in the gradebook: run "
                     f"`nbgrader generate_assignment {assignment}` first")
        for student in submitted_students(root, assignment):
            gradebook.update_or_create_student(student)  # once, before the workers race
        if dates is not None:
            deadlines.sync(gradebook, dates, [assignment])


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
              force: bool = False, sandbox: bool = True, per_process: int = 20,
              memory: int = DEFAULT_MEMORY) -> list[Report]:
    """Grade the submissions of ``students`` (default: all), ``jobs`` at a time."""
    root = Path(root).resolve()
    students = students or submitted_students(root, assignment)
    jobs = min(jobs or os.cpu_count() or 1, max(1, len(students)))
    todo: queue.Queue = queue.Queue()
    for student in students:
        todo.put(student)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        done = pool.map(lambda _: _grading_job(root, assignment, todo, timeout, force, sandbox,
                                               per_process, memory), range(jobs))
        by_student = {r.student: r for batch in done for r in batch}
    reports = [by_student[s] for s in students]
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
    parser.add_argument("--per-process", type=int, default=20,
                        help="submissions one grading process grades before a fresh one")
    parser.add_argument("--memory", type=float, default=DEFAULT_MEMORY / 2**30,
                        help="GiB of address space each grading process may use (its kernels "
                             "have the sandbox's own limit); 0 for no limit")
    parser.add_argument("--force", action="store_true", help="grade again what was graded")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="grade without the sandbox: learner code runs with your rights "
                             "(only where the sandbox cannot start; every report says so)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sandbox = not args.unsafe_no_sandbox
    if args.serve:
        return serve(args.assignment, args.force, sandbox)
    root = Path.cwd()
    if sandbox:
        check_sandbox(root)
    else:
        print(f"WARNING: {UNSAFE}: learner code runs with this account's rights", flush=True)
    check_gradebook(root, args.assignment)
    students = args.student or submitted_students(root, args.assignment)
    print(f"grading {len(students)} submission(s) of {args.assignment}, "
          f"{args.jobs or os.cpu_count()} at a time", flush=True)
    reports = autograde(root, args.assignment, students, args.jobs, args.timeout, args.force,
                        sandbox, args.per_process, int(args.memory * 2**30))
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
