"""The watcher's durable record of every submission it has seen (SQLite, one writer).

``grading-service/ledger.sqlite`` in the course directory, written only by the watcher
(one process, on the machine that runs it), so SQLite's locking on a network filesystem
never matters: workers elsewhere write their results as files, which the watcher reads.

States of an attempt: ``waiting`` (seen, not yet sent), ``queued`` (sent to the broker),
``graded``, ``failed`` (a worker could not grade it: see its result), ``refused`` (over
the lesson's attempt limit), ``off`` (the lesson is not graded by the service),
``malformed`` (not a submission folder), ``forged`` (named after someone else's account).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    folder TEXT PRIMARY KEY,      -- the folder's name in inbound/
    student TEXT NOT NULL,
    lesson TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    number INTEGER NOT NULL,      -- 1 for a learner's first submission of a lesson, ...
    state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    seen_at REAL NOT NULL,
    queued_at REAL,               -- last time it was sent to the broker
    sends INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS by_learner ON attempts (student, state);
"""


@dataclass
class Row:
    folder: str
    student: str
    lesson: str
    timestamp: str
    number: int
    state: str
    detail: str
    seen_at: float
    queued_at: float | None
    sends: int


class Ledger:
    """Every submission folder the watcher has seen, and what became of it."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=60)
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def known(self) -> set[str]:
        return {folder for (folder,) in self.db.execute("SELECT folder FROM attempts")}

    def next_number(self, student: str, lesson: str) -> int:
        """The number the next submission of ``student`` for ``lesson`` gets."""
        (count,) = self.db.execute(
            "SELECT COUNT(*) FROM attempts WHERE student=? AND lesson=? AND state NOT IN "
            "('malformed', 'forged', 'off')", (student, lesson)).fetchone()
        return count + 1

    def add(self, folder: str, student: str, lesson: str, timestamp: str, number: int,
            state: str, detail: str = "") -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO attempts (folder, student, lesson, timestamp, number, state,"
            " detail, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (folder, student, lesson, timestamp, number, state, detail, time.time()))

    def set_state(self, folder: str, state: str, detail: str = "") -> None:
        self.db.execute("UPDATE attempts SET state=?, detail=? WHERE folder=?",
                        (state, detail, folder))

    def mark_queued(self, folder: str) -> None:
        self.db.execute("UPDATE attempts SET state='queued', queued_at=?, sends=sends+1 "
                        "WHERE folder=?", (time.time(), folder))

    def rows(self, where: str = "1", args: tuple = ()) -> list[Row]:
        cursor = self.db.execute(
            "SELECT folder, student, lesson, timestamp, number, state, detail, seen_at, "
            f"queued_at, sends FROM attempts WHERE {where} ORDER BY timestamp, folder", args)
        return [Row(*values) for values in cursor]

    def next_in_turn(self) -> list[Row]:
        """The oldest waiting attempt of each learner who has nothing queued, the learner
        served least recently first: one learner's many submissions wait their turn."""
        busy = {s for (s,) in self.db.execute(
            "SELECT DISTINCT student FROM attempts WHERE state='queued'")}
        last_served = dict(self.db.execute(
            "SELECT student, MAX(queued_at) FROM attempts WHERE queued_at IS NOT NULL "
            "GROUP BY student"))
        first: dict[str, Row] = {}
        for row in self.rows("state='waiting'"):
            if row.student not in busy and row.student not in first:
                first[row.student] = row
        return sorted(first.values(),
                      key=lambda r: (last_served.get(r.student) or 0.0, r.timestamp))
