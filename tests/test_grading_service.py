"""The grading service (classroom/service) with a class of eight, end to end, on loopback.

The test starts its own Redis (append-only file), PostgreSQL (the gradebook, as on a hub
with several graders), the watcher (``python -m classroom.service``) and two Celery
workers, each as a real process in the course directory. Learners submit with nbgrader's
own exchange code (``ExchangeSubmit``) and read their feedback with ``fetch_feedback``.

Lesson 00 (cheap) is on with 2 attempts, the best counting, feedback at once; lesson 01
(heavier, two submissions) is on with the last attempt counting and feedback held until
the instructor releases it. On the way: a worker process is killed while it grades; one
learner submits twelve times; one submits a file that is not a notebook; then the
watcher and the workers stop, two learners submit, the watcher comes back and queues
their work, Redis restarts with that work queued, and the workers come back. At the end
the instructor's batch ``classroom.autograde`` grades the same notebooks beside the
service, and its scores are compared with the service's.

Needs root (PostgreSQL runs as an account of its own), PostgreSQL's server programs and
redis-server; skips without them, except in CI.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from grading import (
    ROOT,
    make_course_copy,
    nbgrader,
    nbgrader_meta,
    read_notebook,
    read_variants,
    reference_answers,
    with_answers,
)
from services import (
    Machine,
    Postgres,
    Redis,
    fetch_feedback,
    missing,
    postgres_bin,
    redis_server,
    submit,
    watcher,
    worker,
)

pytestmark = pytest.mark.xdist_group("service")

COURSE = "rnn-course"
L0, L1 = "00-welcome", "01-neural-networks"
LEARNERS = ["ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal"]
# right numbers, but no ValueError for an empty list: loses one hidden test of lesson 00
PARTLY_WRONG = "def average(values):\n    return sum(values) / len(values)\n"
SPAM = 12  # cat's submissions of lesson 00 (2 are graded)
POLICY = {
    L0: {"attempts": 2, "counts": "best", "release": True},
    L1: {"attempts": 2, "counts": "last", "release": False},
}
TIMINGS = ROOT / "test-artifacts" / "grading-service-timings.txt"


# ----------------------------------------------------------------------------------------
# the class


class Class:
    def __init__(self, machine: Machine):
        self.rows: list[str] = []
        self.start = self.last = time.perf_counter()
        prefix = f"rnns-{secrets.token_hex(3)}"
        self.base = machine.folder(Path(f"/tmp/{prefix}"), 0o711)
        self.postgres = Postgres(machine, self.base, prefix)
        self.redis = Redis(self.base / "redis")
        self.redis.start()
        self.course = make_course_copy(self.base / "course", [L0, L1])
        self.exchange = self.course / "exchange"
        with open(self.course / "nbgrader_config.py", "a") as config:
            config.write(
                "\n# the grading service's test\n"
                f"c.CourseDirectory.db_url = {self.postgres.url!r}\n"
                f"c.GradingService.lessons = {POLICY!r}\n"
                f"c.GradingService.broker_url = {self.redis.url!r}\n"
                "c.GradingService.poll_interval = 0.5\n"
                "c.GradingService.time_limit = 400\n")
        nbgrader(self.course, "generate_assignment", L0, "--force")  # makes the tables
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda args: nbgrader(self.course, *args),
                          [("generate_assignment", L1, "--force"), ("release_assignment", L0)]))
        nbgrader(self.course, "release_assignment", L1)
        self.homes = {name: self.base / "homes" / name for name in LEARNERS}
        self.watcher = watcher(self.course)
        self.workers = [worker(self.course, "w1"), worker(self.course, "w2")]
        self.lap("PostgreSQL, Redis, generate and release two lessons")

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        self.rows.append(f"{what:60s} {now - self.last:6.1f} s")
        self.last = now

    def submit(self, student: str, lesson: str, notebook) -> None:
        submit(self.homes[student], self.exchange, lesson, student, notebook)

    def ledger(self) -> list[dict]:
        path = self.course / "grading-service" / "ledger.sqlite"
        if not path.exists():
            return []
        with sqlite3.connect(path, timeout=60) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM attempts ORDER BY timestamp")]

    def wait(self, done, what: str, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done():
                return
            for process in [self.watcher, *self.workers]:
                if process.process is not None and process.process.poll() is not None:
                    raise AssertionError(f"{process.name} exited\n{process.log_tail()}")
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what}\n{self.ledger()}\n"
                             f"{self.watcher.log_tail()}\n{self.workers[0].log_tail()}\n"
                             f"{self.workers[1].log_tail()}")

    def settled(self) -> bool:
        rows = self.ledger()
        return bool(rows) and all(r["state"] not in ("waiting", "queued") for r in rows)

    def records(self) -> list[Path]:
        return sorted((self.course / "grading-service" / "attempts").glob("*/*/*"))

    def kill_a_grade(self, timeout: float = 300) -> dict:
        """SIGKILL the worker process grading some lesson-00 attempt, a few seconds in."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for running in (self.course / "grading-service" / "attempts" / L0).glob(
                    "*/*/running.json"):
                try:
                    who = json.loads(running.read_text())
                except (OSError, ValueError):
                    continue
                if time.time() - who["since"] > 3:
                    os.kill(who["pid"], signal.SIGKILL)
                    return {"folder": running.parent.name, **who}
            time.sleep(0.2)
        raise AssertionError("no grade to interrupt")

    def stop(self) -> None:
        for process in [self.watcher, *self.workers]:
            process.stop(signal.SIGKILL)
        self.redis.stop()
        self.postgres.stop()


def _notebooks(course: Path) -> dict[str, object]:
    release0 = read_notebook(course / "course" / L0 / f"{L0}.ipynb")
    release1 = read_notebook(course / "course" / L1 / f"{L1}.ipynb")
    answers0 = reference_answers(read_notebook(ROOT / "solutions" / L0 / f"{L0}.ipynb"))
    answers1 = reference_answers(read_notebook(ROOT / "solutions" / L1 / f"{L1}.ipynb"))
    wrong = read_variants(L1).wrong["relu"][0]
    return {
        "reference": with_answers(release0, answers0),
        "partly wrong": with_answers(release0, {**answers0, "average": PARTLY_WRONG}),
        "untouched": release0,
        "not a notebook": "this is not a notebook {",
        "01 reference": with_answers(release1, answers1),
        "01 wrong": with_answers(release1, {**answers1, "relu": wrong.source}),
    }


# what each learner submits, in order, before the restarts (lesson, variant)
ROUND_ONE = {
    "ann": [(L0, "reference"), (L1, "01 reference")],
    "ben": [(L0, "partly wrong"), (L1, "01 wrong")],
    "cat": [(L0, "reference"), (L0, "partly wrong")] + [(L0, "reference")] * (SPAM - 2),
    "dan": [(L0, "partly wrong")],
    "eve": [(L0, "reference")],
    "fay": [(L0, "untouched")],
    "gus": [(L0, "reference")],
    "hal": [(L0, "not a notebook")],
}
# submitted while the watcher and the workers are down
ROUND_TWO = {"dan": [(L0, "reference")], "gus": [(L0, "reference")]}


@pytest.fixture(scope="module")
def room():
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        missing("the grading service test needs root: its PostgreSQL runs as an account of "
                "its own")
    postgres_bin()
    redis_server()
    machine = Machine()
    room = None
    try:
        room = Class(machine)
        run_the_class(room)
        yield room
    finally:
        if room is not None:
            room.stop()
            room.lap("everything stopped")
            TIMINGS.parent.mkdir(exist_ok=True)
            graded = [json.loads(p.read_text()) for p in
                      (room.course / "grading-service").glob("attempts/*/*/*/result.json")]
            TIMINGS.write_text("\n".join(room.rows) + f"\n{'total':60s} "
                               f"{time.perf_counter() - room.start:6.1f} s\n" + "".join(
                                   f"{r['lesson']} {r['student']} #{r['number']} "
                                   f"{r['worker']} {r['seconds']} s\n" for r in graded))
        machine.undo()


def run_the_class(room: Class) -> None:
    notebooks = _notebooks(room.course)
    room.variant_of: dict[str, str] = {}  # submission folder -> variant

    def submit_all(plan):
        for student, items in plan.items():
            for lesson, variant in items:
                room.submit(student, lesson, notebooks[variant])
        inbound = room.exchange / COURSE / "inbound"
        known = room.variant_of
        for folder in sorted(inbound.iterdir()):
            if folder.name not in known and folder.name.count("+") == 3:
                student, lesson, stamp, _ = folder.name.split("+")
                mine = [v for le, v in plan.get(student, []) if le == lesson]
                made = sorted(f.name for f in inbound.iterdir()
                              if f.name.startswith(f"{student}+{lesson}+")
                              and f.name not in known)
                for name, variant in zip(made, mine, strict=True):
                    known[name] = variant

    # round one: every learner submits before the service starts (it catches up on start)
    submit_all(ROUND_ONE)
    (room.exchange / COURSE / "inbound" / "not-a-submission").mkdir()
    room.lap("round one submitted (in the exchange)")
    for process in [room.watcher, *room.workers]:
        process.start()
    room.killed = room.kill_a_grade()
    room.lap("a worker process killed mid-grade")
    room.wait(room.settled, "round one graded")
    room.lap("round one graded")
    room.round_one = room.ledger()

    # the watcher and the workers stop; two learners submit; the watcher comes back and
    # queues their work; Redis restarts with it queued; then the workers come back
    for process in [room.watcher, *room.workers]:
        process.stop()
    submit_all(ROUND_TWO)
    room.watcher.start()
    room.wait(lambda: sum(r["state"] == "queued" for r in room.ledger()) == 2,
              "round two queued")
    import redis

    room.queued_before_restart = redis.Redis.from_url(room.redis.url).llen(
        f"grading-{COURSE}")
    room.redis.stop()
    room.redis.start()
    room.queued_after_restart = redis.Redis.from_url(room.redis.url).llen(f"grading-{COURSE}")
    for process in room.workers:
        process.start()
    room.wait(room.settled, "round two graded")
    room.lap("restarts; round two graded")

    room.feedback = {s: fetch_feedback(room.homes[s], room.exchange, L0, s) for s in LEARNERS}
    room.held = {s: fetch_feedback(room.homes[s], room.exchange, L1, s) for s in ("ann", "ben")}
    released = subprocess.run([sys.executable, "-m", "classroom.service", "release", L1],
                              cwd=room.course, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert released.returncode == 0, released.stderr
    room.released = {s: fetch_feedback(room.homes[s], room.exchange, L1, s)
                     for s in ("ann", "ben")}
    room.status = subprocess.run([sys.executable, "-m", "classroom.service", "status"],
                                 cwd=room.course, capture_output=True, text=True, timeout=120,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    room.lap("feedback fetched; lesson 01's released")

    # the instructor's batch grading of the same notebooks, beside the (idle) service
    room.service_scores = _gradebook(room)
    room.batch = {}
    # (lesson 00's three notebooks; lesson 01's reference must get full marks, and a second
    # batch run of lesson 01 would cost more than the rest of the checks together)
    room.batch[L0] = subprocess.run(
        [sys.executable, "-m", "classroom.autograde", L0, "--force", "--jobs", "2",
         "--student=ann", "--student=ben", "--student=fay"], cwd=room.course,
        capture_output=True, text=True, timeout=900, env={**os.environ, "PYTHONPATH": str(ROOT)})
    room.batch_scores = _gradebook(room)
    from nbgrader.api import Gradebook

    with Gradebook(room.postgres.url, COURSE) as gradebook:
        room.max_scores = {lesson: float(gradebook.find_assignment(lesson).max_score)
                           for lesson in (L0, L1)}
    room.lap("classroom.autograde beside the service")


def _gradebook(room: Class) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    with Gradebook(room.postgres.url, COURSE) as gradebook:
        return {(s.assignment.name, s.student.id): float(s.score)
                for lesson in (L0, L1) for s in gradebook.find_assignment(lesson).submissions}


def _result(record: Path) -> dict:
    return json.loads((record / "result.json").read_text())


# ----------------------------------------------------------------------------------------
# the checks


def test_every_attempt_within_the_limit_is_graded_exactly_once(room):
    rows = [r for r in room.ledger() if r["state"] not in ("malformed", "refused")]
    records = {r.name: r for r in room.records()}
    within = sum(min(len([i for i in items if i[0] == lesson]), POLICY[lesson]["attempts"])
                 for plan in (ROUND_ONE, ROUND_TWO) for items in plan.values()
                 for lesson in (L0, L1))
    assert len(rows) == within == 13
    for row in rows:
        record = records[row["folder"]]
        journal = (record / "grading.log").read_text().splitlines()
        recorded = [line for line in journal if " recorded by " in line]
        assert len(recorded) == 1, (row["folder"], journal)
        started = [line for line in journal if " started by " in line]
        expected = 2 if row["folder"] == room.killed["folder"] else 1
        assert len(started) == expected, (row["folder"], journal)
        assert not (record / "running.json").exists()


def test_a_worker_killed_mid_grade_loses_nothing(room):
    record = next(r for r in room.records() if r.name == room.killed["folder"])
    result = _result(record)
    journal = (record / "grading.log").read_text()
    assert f"pid {room.killed['pid']}" in journal.splitlines()[0]
    assert f"pid {room.killed['pid']}" not in journal.splitlines()[-1]  # another recorded it
    assert result["ok"], result


def test_scores_are_those_of_classroom_autograde_on_the_same_notebooks(room):
    for batch in room.batch.values():
        assert batch.returncode == 0, batch.stdout + batch.stderr
    assert room.batch_scores == room.service_scores
    # every attempt of the same notebook got the same score, that of the batch run
    by_variant = {"reference": room.batch_scores[(L0, "ann")],
                  "partly wrong": room.batch_scores[(L0, "ben")],
                  "untouched": room.batch_scores[(L0, "fay")],
                  "01 reference": room.max_scores[L1],  # full marks
                  "01 wrong": room.service_scores[(L1, "ben")]}
    assert len(set(by_variant.values())) == 5, by_variant  # the variants tell apart
    assert by_variant["01 wrong"] < by_variant["01 reference"]
    graded = 0
    for record in room.records():
        result = _result(record)
        variant = room.variant_of[record.name]
        if variant in by_variant:
            assert result["ok"] and result["score"] == by_variant[variant], (variant, result)
            graded += 1
    assert graded == 12  # and hal's, which is not a notebook


def test_the_best_attempt_counts_where_the_lesson_says_so(room):
    # cat: attempt 1 the reference, attempt 2 partly wrong: the gradebook keeps attempt 1
    assert room.service_scores[(L0, "cat")] == room.service_scores[(L0, "ann")]
    # dan: partly wrong, then the reference after the restarts: the better one counts
    assert room.service_scores[(L0, "dan")] == room.service_scores[(L0, "ann")]
    submitted = read_notebook(room.course / "submitted" / "cat" / L0 / f"{L0}.ipynb")
    answer = next(c for c in submitted.cells if nbgrader_meta(c).get("grade_id") == "average")
    assert "ValueError" in answer.source  # the reference answer is what the gradebook holds


def test_learners_over_the_limit_are_refused_with_a_message(room):
    cats = [r for r in room.ledger() if r["student"] == "cat"]
    assert [r["state"] for r in cats] == ["graded"] * 2 + ["refused"] * (SPAM - 2)
    pages = list(room.feedback["cat"].values())
    assert len(pages) == SPAM  # one page per submission, graded or refused
    refused = [p for p in pages if "not graded" in p]
    assert len(refused) == SPAM - 2
    assert "allows 2 attempt(s)" in refused[0] and "0 attempts remain" in refused[0]
    assert "your best graded attempt counts" in refused[0]


def test_one_learner_submitting_many_times_delays_no_one(room):
    rows = [r for r in room.round_one if r["lesson"] == L0 and r["queued_at"]]
    cats = sorted(r["queued_at"] for r in rows if r["student"] == "cat")
    firsts = [r["queued_at"] for r in rows if r["student"] != "cat" and r["number"] == 1]
    assert len(firsts) == 7 and max(firsts) < cats[1], (firsts, cats)


def test_feedback_per_attempt_with_what_remains_and_no_hidden_tests(room):
    ben = room.feedback["ben"]
    assert len(ben) == 1
    page = next(iter(ben.values()))
    assert "Attempt 1 of 2. graded automatically: 3 / 4 points. 1 attempt remains." in page
    solution = (ROOT / "solutions" / L0 / f"{L0}.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" in solution and "BEGIN HIDDEN TESTS" not in page
    # dan: two attempts, two pages, each with its own score
    dan = sorted(room.feedback["dan"].items())
    assert len(dan) == 2
    assert "3 / 4 points" in dan[0][1] and "4 / 4 points" in dan[1][1]
    assert "0 attempts remain" in dan[1][1]


def test_a_submission_that_is_not_a_notebook_fails_for_that_learner_alone(room):
    hal = next(r for r in room.ledger() if r["student"] == "hal")
    assert hal["state"] == "failed" and "not a valid notebook" in hal["detail"], hal
    page = next(iter(room.feedback["hal"].values()))
    assert "could not be graded: the notebook file is not a valid notebook" in page
    malformed = [r for r in room.ledger() if r["state"] == "malformed"]
    assert [r["folder"] for r in malformed] == ["not-a-submission"]
    assert "hal" in room.status and "failed" in room.status


def test_held_feedback_waits_for_the_instructor(room):
    assert room.held == {"ann": {}, "ben": {}}
    assert [len(pages) for pages in room.released.values()] == [1, 1]
    assert "Attempt 1 of 2" in next(iter(room.released["ann"].values()))


def test_a_restarted_watcher_and_redis_lose_nothing(room):
    assert room.queued_before_restart == 2 and room.queued_after_restart == 2
    for student in ROUND_TWO:
        rows = [r for r in room.ledger() if r["student"] == student]
        assert [r["state"] for r in rows] == ["graded", "graded"], rows
        assert all(r["sends"] == 1 for r in rows), rows  # queued once each


# ----------------------------------------------------------------------------------------
# the pieces, without servers


def test_bad_lesson_settings_are_refused_in_words():
    from classroom.service.policy import GradingService, PolicyError

    for settings, words in [({"attempts": 0}, "whole number from 1"),
                            ({"counts": "first"}, "'last' or 'best'"),
                            ({"attempt": 3}, "unknown setting")]:
        with pytest.raises(PolicyError, match=words):
            GradingService(lessons={L0: settings}).check()
    assert not GradingService().policy(L0).on  # not listed: off


def test_the_queue_serves_learners_in_turn(tmp_path):
    from classroom.service.ledger import Ledger

    ledger = Ledger(tmp_path / "ledger.sqlite")
    for i in range(5):  # cat submits five times before anyone else
        ledger.add(f"cat+{i}", "cat", L0, f"t{i}", i + 1, "waiting")
    ledger.add("ann+0", "ann", L0, "t5", 1, "waiting")
    ledger.add("ben+0", "ben", L0, "t6", 1, "waiting")
    assert [r.folder for r in ledger.next_in_turn()] == ["cat+0", "ann+0", "ben+0"]
    for row in ledger.next_in_turn():
        ledger.mark_queued(row.folder)
    assert ledger.next_in_turn() == []  # one attempt per learner in flight
    ledger.set_state("cat+0", "graded")
    ledger.set_state("ann+0", "graded")
    ledger.add("ann+1", "ann", L0, "t7", 2, "waiting")
    # ann was served after cat: cat's next attempt goes first, then ann's
    assert [r.folder for r in ledger.next_in_turn()] == ["cat+1", "ann+1"]


def test_the_hub_runs_the_watcher_and_workers_when_given_a_broker(tmp_path, monkeypatch):
    from traitlets.config.loader import PyFileConfigLoader

    config_file = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(tmp_path / "exchange"))
    monkeypatch.setenv("RNN_HUB_STATE_DIR", str(tmp_path / "hub"))
    monkeypatch.setenv("RNN_COURSE_DIR", str(tmp_path / "course"))

    def services():
        config = PyFileConfigLoader(config_file.name, str(config_file.parent)).load_config()
        return {s["name"]: s for s in config.JupyterHub.services}

    # the formgrader and the due-dates service (issue 21) always; grading off without a broker
    assert set(services()) == {COURSE, f"{COURSE}-due-dates"}
    monkeypatch.setenv("RNN_GRADING_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("RNN_GRADING_WORKERS", "2")
    found = services()
    assert set(found) == {COURSE, f"{COURSE}-due-dates", f"{COURSE}-grading",
                          f"{COURSE}-grader-1", f"{COURSE}-grader-2"}
    watcher_service = found[f"{COURSE}-grading"]
    assert watcher_service["command"][-2:] == ["-m", "classroom.service"]
    assert watcher_service["cwd"] == str(tmp_path / "course")
    assert watcher_service["environment"]["CLASSROOM_CHECK_OWNER"] == "1"
    assert "classroom.service.worker" in found[f"{COURSE}-grader-2"]["command"]
    assert found[f"{COURSE}-grader-1"]["user"] == found[COURSE]["user"]  # the instructor
    # like the formgrader, they may read the instructor's groups (nbgrader's course check
    # before it grades), and nothing else
    config = PyFileConfigLoader(config_file.name, str(config_file.parent)).load_config()
    role = next(r for r in config.JupyterHub.load_roles if r["name"] == f"formgrader-{COURSE}")
    assert set(role["services"]) == set(found) - {f"{COURSE}-due-dates"}
    assert role["scopes"] == [f"read:users:groups!user={found[COURSE]['user']}"]
