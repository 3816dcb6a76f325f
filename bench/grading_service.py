"""The grading service (classroom/service) against the instructor's batch grading.

    python bench/grading_service.py                  # 20 learners, lesson 01
    python bench/grading_service.py --learners 8 --burst 2

Makes a temporary course (gradebook in SQLite), starts Redis on loopback, the watcher and
two Celery workers, and measures on this machine, with lesson 01's reference answers:

- throughput: ``--learners`` submissions waiting in the exchange when the service starts
  (workers cold, as a batch run starts cold), until every one is graded, its feedback
  generated and released; then ``python -m classroom.autograde --jobs 2`` on the same
  submissions, alone and followed by nbgrader's generate_feedback and release_feedback
  (what the instructor runs to get the same feedback to learners);
- time from submit to feedback (until ``fetch_feedback`` brings the page), workers warm,
  with two workers and then with one: one learner alone, and ``--burst`` learners at once.

Prints the figures side by side; the queue may cost at most 10% against the batch run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from grading import (  # noqa: E402
    make_course_copy,
    nbgrader,
    notebook_path,
    read_notebook,
    reference_answers,
    with_answers,
)
from services import Redis, fetch_feedback, service_env, submit, watcher, worker  # noqa: E402

COURSE = "rnn-course"


def _states(course: Path) -> list[str]:
    path = course / "grading-service" / "ledger.sqlite"
    if not path.exists():
        return []
    with sqlite3.connect(path, timeout=60) as db:
        return [state for (state,) in db.execute("SELECT state FROM attempts")]


def _wait_settled(course: Path, count: int, timeout: float = 7200) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = _states(course)
        if len(states) >= count and all(s in ("graded", "failed") for s in states):
            if "failed" in states:
                raise SystemExit(f"a submission failed: see {course}/grading-service")
            return
        time.sleep(0.5)
    raise SystemExit("timed out")


def _latencies(course: Path, lesson: str, submission, names: list[str]) -> list[float]:
    """Seconds from each learner's submit until fetch_feedback brings their page."""
    exchange = course / "exchange"
    homes = {name: course.parent / "homes" / name for name in names}
    started = {}
    for name in names:
        submit(homes[name], exchange, lesson, name, submission)
        started[name] = time.perf_counter()
    waited: dict[str, float] = {}
    while len(waited) < len(names):
        for name in names:
            if name not in waited and fetch_feedback(homes[name], exchange, lesson, name):
                waited[name] = time.perf_counter() - started[name]
        time.sleep(0.5)
    return [waited[name] for name in names]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--burst", type=int, default=3)
    parser.add_argument("--lesson", default="01-neural-networks")
    args = parser.parse_args()
    lesson = args.lesson
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course_copy(Path(tmp) / "course", [lesson])
        redis = Redis(Path(tmp) / "redis")
        redis.start()
        with open(course / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.GradingService.lessons = {{{lesson!r}: {{'attempts': 5}}}}\n"
                         f"c.GradingService.broker_url = {redis.url!r}\n"
                         "c.GradingService.poll_interval = 0.5\n")
        nbgrader(course, "generate_assignment", lesson, "--force")
        nbgrader(course, "release_assignment", lesson)
        release = read_notebook(notebook_path(course / "course", lesson))
        solution = read_notebook(notebook_path(course / "solutions", lesson))
        submission = with_answers(release, reference_answers(solution))
        learners = [f"learner{i:03d}" for i in range(args.learners)]
        for name in learners:
            submit(course.parent / "homes" / name, course / "exchange", lesson, name,
                   submission)

        processes = [watcher(course), worker(course, "w1"), worker(course, "w2")]
        try:
            start = time.perf_counter()
            for process in processes:
                process.start()
            _wait_settled(course, args.learners)
            service = time.perf_counter() - start

            env = service_env(course)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "classroom.autograde", lesson, "--jobs", "2",
                            "--force"], cwd=course, env=env, check=True, capture_output=True)
            batch = time.perf_counter() - start
            for step in ("generate_feedback", "release_feedback"):
                subprocess.run([sys.executable, "-m", "nbgrader", step, lesson, "--force"]
                               if step == "generate_feedback" else
                               [sys.executable, "-m", "nbgrader", step, lesson],
                               cwd=course, env=env, check=True, capture_output=True)
            batch_with_feedback = time.perf_counter() - start

            latency = {}
            for workers in (2, 1):
                if workers == 1:
                    processes[2].stop(signal.SIGTERM)
                tag = f"w{workers}"
                alone = _latencies(course, lesson, submission, [f"{tag}-alone"])[0]
                burst = _latencies(course, lesson, submission,
                                   [f"{tag}-burst{i}" for i in range(args.burst)])
                latency[workers] = (alone, statistics.median(burst), max(burst))
        finally:
            for process in processes:
                process.stop(signal.SIGKILL)
            redis.stop()
            shutil.rmtree(course / "exchange", ignore_errors=True)

    n = args.learners
    print(f"{n} submissions of {lesson} on {os.cpu_count()} cores, load before: {load:.1f}")
    print(f"{'throughput':58s} {'seconds':>8s} {'per submission':>15s} {'vs batch':>9s}")
    for name, seconds in [
        ("classroom.autograde --jobs 2 (grades only)", batch),
        ("classroom.autograde --jobs 2 + generate/release feedback", batch_with_feedback),
        ("service, 2 workers (grades, feedback generated, released)", service),
    ]:
        print(f"{name:58s} {seconds:8.1f} {seconds / n:15.1f} {seconds / batch:8.2f}x")
    print(f"the queue costs {100 * (service / batch - 1):+.0f}% against the batch grades alone, "
          f"{100 * (service / batch_with_feedback - 1):+.0f}% against the batch with feedback "
          "(budget +10%)")
    print(f"\n{'submit to feedback, workers warm':34s} {'alone':>8s} "
          f"{f'{args.burst} at once: median':>20s} {'max':>8s}")
    for workers, (alone, median, longest) in latency.items():
        print(f"{f'{workers} worker(s)':34s} {alone:8.1f} {median:20.1f} {longest:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
