"""``python -m classroom.service``: the watcher, and what an instructor asks of the service.

    python -m classroom.service                    # watch the exchange (Ctrl-C stops it)
    python -m classroom.service status [LESSON]    # every attempt and what became of it
    python -m classroom.service release LESSON     # release feedback the lesson held back

Run it in the course directory (where nbgrader_config.py is). Workers are started with
``celery -A classroom.service.worker worker`` (see classroom/service/worker.py).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from classroom.service.attempts import Attempt, Result, release
from classroom.service.ledger import Ledger
from classroom.service.policy import SERVICE_DIR, PolicyError, load_service


def _status(root: Path, lesson: str | None) -> int:
    path = root / SERVICE_DIR / "ledger.sqlite"
    if not path.exists():
        print("the grading service has seen no submission yet")
        return 0
    ledger = Ledger(path)
    rows = ledger.rows("lesson=?", (lesson,)) if lesson else ledger.rows()
    print(f"{'learner':16s} {'lesson':22s} {'#':>3s}  {'state':9s} {'submitted':27s} detail")
    for row in rows:
        print(f"{row.student:16s} {row.lesson:22s} {row.number:3d}  {row.state:9s} "
              f"{row.timestamp:27s} {row.detail}")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "nothing")
    return 0


def _release(root: Path, lesson: str) -> int:
    from nbgrader.coursedir import CourseDirectory

    from classroom.service.watcher import exchange_root

    _, config = load_service(root)
    course = CourseDirectory(config=config).course_id
    exchange = exchange_root(config)
    released = 0
    for record in sorted((root / SERVICE_DIR / "attempts" / lesson).glob("*/*")):
        result = Result.load(record)
        if result is None or result.released:
            continue
        attempt = Attempt.parse(record.name)
        pages = {p.stem: p.read_text() for p in sorted((record / "feedback").glob("*.html"))}
        release(exchange, course, exchange / course / "inbound" / attempt.folder, pages)
        result.released = True
        result.save(record)
        released += 1
    print(f"released the feedback of {released} attempt(s) of {lesson}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.service",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="watch",
                        choices=["watch", "status", "release"])
    parser.add_argument("lesson", nargs="?")
    args = parser.parse_args(argv)
    root = Path.cwd().resolve()
    if args.command == "status":
        return _status(root, args.lesson)
    if args.command == "release":
        if not args.lesson:
            parser.error("release needs a lesson")
        return _release(root, args.lesson)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    from classroom.service.watcher import Watcher

    service, config = load_service(root)
    try:
        service.check()
    except PolicyError as error:
        sys.exit(f"Not watching: {error}")
    Watcher(root, service, config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
