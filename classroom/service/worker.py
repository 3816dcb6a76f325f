"""The Celery application of the grading service: a worker grades one attempt per task.

Start a worker in the course directory (or set ``CLASSROOM_COURSE_DIR``), on this machine
or any other that sees the course and the exchange at the same paths and reaches the
gradebook and the broker::

    celery -A classroom.service.worker worker --concurrency 1 --hostname grader1@%h

Each worker process keeps one grading process per lesson
(``classroom.autograde.GradingProcess``: nbgrader's autograde with the course's sandbox
and trusted tests), so TensorFlow is imported once per worker process and lesson, not
once per learner. A grade over ``c.GradingService.time_limit`` seconds is stopped and
reported; Celery's hard limit, two minutes later, is only a backstop.

A task: copy the attempt from the exchange into ``submitted/<student>/<lesson>/``, grade
it, generate its feedback (the course's ``GenerateFeedback`` preprocessors: hidden tests
stay hidden), put the attempt's line on top, release it if the lesson says so, make the
gradebook hold the attempt that counts, and write the attempt's ``result.json``, once.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from celery import Celery

from classroom.autograde import GradingProcess
from classroom.service.attempts import (
    Attempt,
    Result,
    copy_submission,
    counted,
    message_page,
    notebooks_in,
    release,
    results_of,
    summary_line,
    with_summary,
    write_atomically,
)
from classroom.service.policy import GradingService, load_service
from classroom.status import Report, explain_failure

log = logging.getLogger("classroom.service")
TASK = "classroom.grade_attempt"

# Kills a grading process's group when the worker process that started it dies, even
# by SIGKILL: the worker holds the other end of this little process's stdin.
_REAPER = ("import os, signal, sys\nsys.stdin.read()\n"
           "try:\n    os.killpg(int(sys.argv[1]), signal.SIGKILL)\n"
           "except ProcessLookupError:\n    pass\n")


def course_root() -> Path:
    return Path(os.environ.get("CLASSROOM_COURSE_DIR") or os.getcwd()).resolve()


def queue_name(course: str) -> str:
    return f"grading-{course}"


def make_app(service: GradingService, course: str) -> Celery:
    """The Celery application: late acknowledgement, nothing lost with a worker, one task
    at a time per worker process."""
    app = Celery("classroom.service", broker=service.broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=queue_name(course),
        task_ignore_result=True,
        task_time_limit=service.hard_time_limit,
        broker_transport_options={"visibility_timeout": service.visibility_timeout},
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
    )
    return app


def sender(service: GradingService, course: str):
    """``send(attempt, number)``: queue one attempt (the watcher's side)."""
    app = make_app(service, course)

    def send(attempt: Attempt, number: int) -> None:
        app.send_task(TASK, args=(attempt.folder, number), queue=queue_name(course),
                      retry=False)

    return send


class Grader:
    """Everything one worker process keeps between tasks."""

    _instance: Grader | None = None

    def __init__(self, root: Path):
        from nbgrader.coursedir import CourseDirectory

        from classroom.service.watcher import exchange_root

        self.root = root
        os.chdir(root)  # nbgrader reads the course's nbgrader_config.py from here
        self.service, self.config = load_service(root)
        coursedir = CourseDirectory(config=self.config)
        self.course, self.ignore, self.db_url = (coursedir.course_id, list(coursedir.ignore),
                                                 coursedir.db_url)
        self.exchange = exchange_root(self.config)
        self.processes: dict[str, tuple[GradingProcess, subprocess.Popen]] = {}
        self.api = None
        import redis

        self.redis = redis.Redis.from_url(self.service.broker_url)
        self.me = f"{socket.gethostname()}:{os.getpid()}"

    @classmethod
    def get(cls) -> Grader:
        if cls._instance is None or cls._instance.me.split(":")[1] != str(os.getpid()):
            cls._instance = Grader(course_root())
        return cls._instance

    # a lock per learner and lesson, so two attempts never share submitted/<student>/<lesson>
    def _lock(self, attempt: Attempt) -> bool:
        key = f"classroom:{self.course}:grading:{attempt.student}:{attempt.lesson}"
        expiry = int(self.service.hard_time_limit + 60)
        if self.redis.set(key, self.me, nx=True, ex=expiry):
            return True
        holder = (self.redis.get(key) or b"").decode()
        host, _, pid = holder.partition(":")
        if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
            self.redis.set(key, self.me, ex=expiry)  # its worker process was killed
            return True
        return False

    def _unlock(self, attempt: Attempt) -> None:
        key = f"classroom:{self.course}:grading:{attempt.student}:{attempt.lesson}"
        try:
            if (self.redis.get(key) or b"").decode() == self.me:
                self.redis.delete(key)
        except Exception as error:  # the lock expires by itself
            log.warning("could not release %s: %s", key, error)

    def grade(self, folder: str, number: int, worker: str) -> str:
        """Grade one attempt, once; returns what happened, in words. Raises
        ``LearnerBusy`` when another worker grades this learner's lesson right now."""
        attempt = Attempt.parse(folder)
        record = attempt.record(self.root)
        if Result.load(record) is not None:
            return f"{folder}: already graded"
        if not self._lock(attempt):
            raise LearnerBusy(folder)
        try:
            if Result.load(record) is not None:
                return f"{folder}: already graded"
            running = {"worker": worker, "host": socket.gethostname(), "pid": os.getpid(),
                       "since": time.time()}
            write_atomically(record / "running.json", json.dumps(running))
            _journal(record, "started", running)
            result = self._grade(attempt, number, record, worker)
            (record / "running.json").unlink(missing_ok=True)
            _journal(record, "recorded", running)
            return (f"{folder}: {result.score:g} / {result.max_score:g}" if result.ok
                    else f"{folder}: FAILED: {result.reason}")
        finally:
            self._unlock(attempt)

    def _grade(self, attempt: Attempt, number: int, record: Path, worker: str) -> Result:
        policy = self.service.policy(attempt.lesson)
        source = self.exchange / self.course / "inbound" / attempt.folder
        start = time.perf_counter()
        result = Result(attempt.folder, attempt.student, attempt.lesson, number, ok=False,
                        worker=worker)
        pages: dict[str, str] = {}
        if not source.is_dir():
            result.reason = "the submission is no longer in the exchange"
        else:
            copy_submission(source, record / "submitted", self.ignore)
            result.ok, result.reason = self._autograde(attempt, record / "submitted")
            if result.ok:
                result.score, result.max_score = self._score(attempt)
                pages = self._feedback(attempt)
        result.seconds = round(time.perf_counter() - start, 1)
        line = summary_line(policy, number, result)
        if result.ok:
            pages = {name: with_summary(page, line) for name, page in pages.items()}
        elif source.is_dir():
            pages = {nb: message_page(attempt.lesson, line) for nb in notebooks_in(source)}
        for name, page in pages.items():
            write_atomically(record / "feedback" / f"{name}.html", page)
        if policy.release and pages:
            try:
                release(self.exchange, self.course, source, pages)
                result.released = True
            except OSError as error:
                result.reason += f" (feedback not released: {error})"
        self._keep_counted(attempt, policy.counts, result)
        result.save(record)  # last: a worker killed before this line leaves no result
        return result

    def _process(self, lesson: str) -> GradingProcess:
        process, reaper = self.processes.get(lesson, (None, None))
        if process is not None and process.process.poll() is None:
            return process
        self._stop(lesson)
        process = GradingProcess(self.root, lesson, force=True, sandbox=True)
        reaper = subprocess.Popen([sys.executable, "-c", _REAPER, str(process.process.pid)],
                                  stdin=subprocess.PIPE, start_new_session=True)
        self.processes[lesson] = (process, reaper)
        return process

    def _stop(self, lesson: str) -> list[str]:
        process, reaper = self.processes.pop(lesson, (None, None))
        tail = process.stop() if process is not None else []
        if reaper is not None:
            reaper.kill()
            reaper.wait()
        return tail

    def _autograde(self, attempt: Attempt, copy: Path) -> tuple[bool, str]:
        """Grade ``copy`` as ``student``'s submission of ``lesson``: (ok, reason)."""
        student, lesson = attempt.student, attempt.lesson
        copy_submission(copy, self.root / "submitted" / student / lesson, [])
        start = time.perf_counter()
        answer = self._process(lesson).grade(student, self.service.time_limit)
        seconds = time.perf_counter() - start
        if answer is None:
            process = self.processes[lesson][0]
            over_time = process.over_time
            tail = self._stop(lesson)
            shutil.rmtree(self.root / "autograded" / student / lesson, ignore_errors=True)
            ok = False
            reason = (f"grading took longer than {self.service.time_limit:g} s and was stopped"
                      if over_time else
                      explain_failure("\n".join(tail)) + " (the grading process ended)")
        else:
            text = answer.get("log", "") + answer.get("error", "")
            tail = text.splitlines()[-20:]
            ok = bool(answer.get("success")) and (
                self.root / "autograded" / student / lesson).is_dir()
            reason = "" if ok else explain_failure(text)
            if answer.get("restart"):  # the grading process asks to be replaced
                self._stop(lesson)
        Report(lesson, student, ok=ok, reason=reason, seconds=seconds,
               log_tail=tail).save(self.root)
        return ok, reason

    def _score(self, attempt: Attempt) -> tuple[float, float]:
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url, self.course) as gradebook:
            submission = gradebook.find_submission(attempt.lesson, attempt.student)
            return float(submission.score), float(submission.max_score)

    def _feedback(self, attempt: Attempt) -> dict[str, str]:
        """nbgrader's feedback pages of the attempt just graded, by notebook name."""
        if self.api is None:
            from nbgrader.apps import NbGraderAPI
            from nbgrader.apps.baseapp import NbGrader

            app = NbGrader()
            app.initialize([])
            self.api = NbGraderAPI(coursedir=app.coursedir, authenticator=app.authenticator,
                                   parent=app)
        folder = self.root / "feedback" / attempt.student / attempt.lesson
        shutil.rmtree(folder, ignore_errors=True)
        outcome = self.api.generate_feedback(attempt.lesson, attempt.student, force=True)
        if not outcome.get("success"):
            log.warning("no feedback for %s: %s", attempt.folder, outcome.get("error", ""))
        return {p.stem: p.read_text() for p in sorted(folder.glob("*.html"))}

    def _keep_counted(self, attempt: Attempt, counts: str, result: Result) -> None:
        """Make the gradebook hold the attempt that counts (grade it again if need be)."""
        earlier = [r for r in results_of(self.root, attempt.lesson, attempt.student)
                   if r.folder != result.folder]
        keep = counted([*earlier, result], counts)
        if keep is None or keep.folder == result.folder:
            return
        previous = Attempt(keep.folder, attempt.student, attempt.lesson, "")
        log.info("%s counts, not %s: grading it again for the gradebook", keep.folder,
                 attempt.folder)
        self._autograde(previous, previous.record(self.root) / "submitted")


class LearnerBusy(Exception):
    """Another worker grades this learner's lesson now: try again a little later."""


def _journal(record: Path, event: str, who: dict) -> None:
    """One line in the attempt's ``grading.log``: who started or recorded its grade, when."""
    with open(record / "grading.log", "a") as journal:
        journal.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {event} by {who['worker']} "
                      f"(pid {who['pid']} on {who['host']})\n")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _app_of_this_course() -> Celery:
    from nbgrader.coursedir import CourseDirectory

    service, config = load_service(course_root())
    return make_app(service, CourseDirectory(config=config).course_id)


app = _app_of_this_course()


#: How often a task that hit a fault of the machinery (not of the submission: the gradebook
#: or the shared folders unreachable) is tried again, a minute apart, before it is
#: recorded as failed for the learner to see.
RETRIES = 3


@app.task(name=TASK, bind=True)
def grade_attempt(self, folder: str, number: int) -> str:
    """Grade one attempt (``folder`` in the exchange's inbound/), once."""
    try:
        return Grader.get().grade(folder, number, self.request.hostname or "")
    except LearnerBusy as busy:
        raise self.retry(countdown=15, max_retries=None) from busy
    except Exception as error:
        log.exception("grading %s failed", folder)
        if self.request.retries < RETRIES:
            raise self.retry(countdown=60, max_retries=RETRIES) from error
        attempt = Attempt.parse(folder)
        record = attempt.record(course_root())
        (record / "running.json").unlink(missing_ok=True)
        Result(folder, attempt.student, attempt.lesson, number, ok=False,
               reason=f"the grading service failed: {type(error).__name__}: {error}",
               worker=self.request.hostname or "").save(record)
        return f"{folder}: FAILED in the service: {error}"
