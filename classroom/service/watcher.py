"""The watcher: notices each new submission in the exchange and queues it, learners in turn.

Every ``poll_interval`` seconds it

1. scans ``<exchange>/<course>/inbound/`` for folders it has not seen, oldest first, and
   writes each into the ledger with its attempt number: ``waiting`` if the lesson is on
   and the attempt within the limit; ``refused`` (and a feedback page saying so,
   released at once) if over it; ``off``, ``malformed`` or ``forged`` otherwise;
2. reads the results that workers wrote for the attempts it queued;
3. sends the oldest waiting attempt of every learner who has none queued, the learner
   served least recently first. So each learner has at most one attempt in the queue or
   being graded, and the queue serves learners in turn.

Nothing is queued twice: the ledger is on disk and an attempt is sent once, except that
an attempt still unanswered after a worker's longest possible grade plus the broker's
visibility timeout is sent again (the broker lost it); a worker skips an attempt that
already has a result. On start it catches up on everything that arrived while it was down.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from traitlets.config import Config

from classroom.exchange import owner_of
from classroom.service.attempts import (
    Attempt,
    MalformedSubmission,
    Result,
    counted,
    message_page,
    notebooks_in,
    release,
    results_of,
    summary_line,
)
from classroom.service.ledger import Ledger
from classroom.service.policy import SERVICE_DIR, GradingService

log = logging.getLogger("classroom.service")

Send = Callable[[Attempt, int], None]


def exchange_root(config: Config) -> Path:
    """The exchange the course's nbgrader uses."""
    from nbgrader.exchange.default.exchange import Exchange

    return Path(Exchange(config=config).root)


class Watcher:
    """Scans the exchange, keeps the ledger, sends attempts to the workers."""

    def __init__(self, root: Path, service: GradingService, config: Config,
                 send: Send | None = None):
        from nbgrader.coursedir import CourseDirectory

        self.root = Path(root).resolve()
        self.service = service
        self.course = CourseDirectory(config=config).course_id
        self.exchange = exchange_root(config)
        self.inbound = self.exchange / self.course / "inbound"
        self.ledger = Ledger(self.root / SERVICE_DIR / "ledger.sqlite")
        if send is None:
            from classroom.service.worker import sender

            send = sender(service, self.course)
        self.send = send
        self.resend_after = service.visibility_timeout + 60

    # 1. the exchange
    def scan(self) -> int:
        """Write every new submission folder into the ledger; returns how many."""
        try:
            names = [p.name for p in self.inbound.iterdir()]
        except FileNotFoundError:
            return 0
        known = self.ledger.known()
        new = [name for name in names if name not in known and not name.startswith(".")]
        parsed: list[tuple[str, Attempt | None, str]] = []
        for name in new:
            try:
                parsed.append((name, Attempt.parse(name), ""))
            except MalformedSubmission as error:
                parsed.append((name, None, str(error)))
        parsed.sort(key=lambda item: (item[1].timestamp if item[1] else "", item[0]))
        for name, attempt, problem in parsed:
            if attempt is None:
                log.warning("ignoring %s in the exchange: %s", name, problem)
                self.ledger.add(name, "?", "?", "", 0, "malformed", problem)
                continue
            self.admit(attempt)
        return len(new)

    def admit(self, attempt: Attempt) -> None:
        """Decide what happens to one new attempt, and write it down."""
        folder = self.inbound / attempt.folder
        policy = self.service.policy(attempt.lesson)
        number = self.ledger.next_number(attempt.student, attempt.lesson)
        add = self.ledger.add
        if not folder.is_dir():
            add(attempt.folder, attempt.student, attempt.lesson, attempt.timestamp, 0,
                "malformed", "not a folder")
        elif self.service.check_owner and owner_of(str(folder)) != attempt.student:
            detail = f"submitted by the account {owner_of(str(folder))}"
            log.warning("ignoring %s: %s", attempt.folder, detail)
            add(attempt.folder, attempt.student, attempt.lesson, attempt.timestamp, 0,
                "forged", detail)
        elif not policy.on:
            add(attempt.folder, attempt.student, attempt.lesson, attempt.timestamp, number,
                "off", "the lesson is graded by the instructor")
        elif policy.attempts is not None and number > policy.attempts:
            message = (f"not graded: {attempt.lesson} allows {policy.attempts} attempt(s), "
                       "and all were used")
            best = counted(results_of(self.root, attempt.lesson, attempt.student),
                           policy.counts)
            if best is not None:
                message += (f"; your grade stays {best.score:g} / {best.max_score:g} "
                            f"(attempt {best.number})")
            add(attempt.folder, attempt.student, attempt.lesson, attempt.timestamp, number,
                "refused", message)
            line = summary_line(policy, number, None, message)
            try:
                release(self.exchange, self.course, folder,
                        {nb: message_page(attempt.lesson, line) for nb in notebooks_in(folder)})
            except OSError as error:
                log.warning("could not tell %s that attempt %d was refused: %s",
                            attempt.student, number, error)
            log.info("refused %s (attempt %d of %s)", attempt.folder, number, policy.attempts)
        else:
            add(attempt.folder, attempt.student, attempt.lesson, attempt.timestamp, number,
                "waiting")
            log.info("new submission %s (attempt %d)", attempt.folder, number)

    # 2. results
    def read_results(self) -> None:
        now = time.time()
        for row in self.ledger.rows("state='queued'"):
            attempt = Attempt(row.folder, row.student, row.lesson, row.timestamp)
            result = Result.load(attempt.record(self.root))
            if result is not None:
                state = "graded" if result.ok else "failed"
                detail = (f"{result.score:g} / {result.max_score:g}" if result.ok
                          else result.reason)
                self.ledger.set_state(row.folder, state, detail)
                log.info("%s %s: %s", state, row.folder, detail)
            elif row.queued_at is not None and now - row.queued_at > self.resend_after:
                log.warning("%s unanswered for %.0f s: sending it again", row.folder,
                            now - row.queued_at)
                self.ledger.set_state(row.folder, "waiting", "sent again")

    # 3. the queue
    def dispatch(self) -> int:
        sent = 0
        for row in self.ledger.next_in_turn():
            attempt = Attempt(row.folder, row.student, row.lesson, row.timestamp)
            try:
                self.send(attempt, row.number)
            except Exception as error:  # the broker is down: try again next round
                log.warning("could not queue %s: %s", row.folder, error)
                break
            self.ledger.mark_queued(row.folder)
            sent += 1
        return sent

    def step(self) -> None:
        self.scan()
        self.read_results()
        self.dispatch()

    def run(self, stop: threading.Event | None = None) -> None:
        """Watch until ``stop`` is set (SIGTERM and SIGINT set it)."""
        stop = stop or threading.Event()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        for policy in self.service.check():
            log.info("%s", policy.describe())
        log.info("watching %s", self.inbound)
        while not stop.is_set():
            try:
                self.step()
            except Exception:  # never stop watching over one bad round
                log.exception("one round of the watcher failed")
            stop.wait(self.service.poll_interval)
        self.ledger.close()
