"""Due dates, the late policy and per-learner extensions, set in one file: ``deadlines.toml``.

    python -m classroom.deadlines            # check the file and print every lesson's dates
    python -m classroom.deadlines --sync     # also write the due dates into the gradebook
                                             # and publish them to the learners

The file lives in the course directory, beside ``nbgrader_config.py``, and is git-ignored:
it names learners, and the course's repository is public. ``deadlines.example.toml`` shows
every setting::

    timezone = "Europe/London"        # for times written without an offset (default UTC)

    [late]
    per_day = 0.10                    # share of the score lost per day late, or part of one
    grace_minutes = 10                # later than the due date by less than this: on time

    [due]
    00-welcome = 2027-01-11T23:59:00

    [extensions.00-welcome]           # a new personal due date, or a delay after the lesson's
    alice = "2 days"                  # "N days", "N hours" or "N minutes"
    bob = 2027-01-15T12:00:00

How it reaches nbgrader: due dates go into the gradebook (``Assignment.duedate``, what
``nbgrader db assignment add --duedate`` sets) when ``classroom.autograde`` starts, or with
``--sync``. nbgrader then finds late submissions itself and asks the late-penalty plugin
(``c.AssignLatePenalties.plugin_class``) for a penalty; nbgrader's own plugin knows only
"none" and "zero" and nothing of extensions, so the course's is :class:`LatePolicy`, which
looks up the learner's extension here, applies the policy, and records the extension in the
gradebook (``SubmittedAssignment.extension``) so that nbgrader's own figures agree.

How it reaches learners: ``--sync`` also publishes each lesson's due date (and nothing
else) in the exchange, ``<exchange>/<course>/deadlines.json`` (:func:`publish`), where every
learner's server may read it; the server extension :mod:`classroom.duedates` serves it to
the Assignments tab. Extensions are not published (every learner can read the exchange): on
JupyterHub the due-dates service tells each learner their own (:mod:`classroom.duedates`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nbgrader.plugins import LateSubmissionPlugin

from classroom.duedates import PUBLISHED

FILENAME = "deadlines.toml"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(days?|hours?|minutes?)\s*$")
_UNITS = {"day": 86400.0, "hour": 3600.0, "minute": 60.0}


class DeadlinesError(ValueError):
    """deadlines.toml is malformed; the message says where and what to write instead."""


@dataclass(frozen=True)
class Deadlines:
    """Every lesson's due date, each learner's own due date, and the late policy.

    Times are naive UTC datetimes, as nbgrader's gradebook stores them.
    """

    due: dict[str, dt.datetime] = field(default_factory=dict)
    extended: dict[str, dict[str, dt.datetime]] = field(default_factory=dict)
    per_day: float = 0.0
    grace: dt.timedelta = dt.timedelta(0)

    def due_for(self, lesson: str, student: str) -> dt.datetime | None:
        """The learner's due date for the lesson (their extension's, if they have one)."""
        return self.extended.get(lesson, {}).get(student, self.due.get(lesson))

    def extension(self, lesson: str, student: str) -> dt.timedelta | None:
        """How much later than the lesson's due date the learner may submit (None: no extension)."""
        own = self.extended.get(lesson, {}).get(student)
        return None if own is None else own - self.due[lesson]

    def seconds_late(self, lesson: str, student: str, submitted: dt.datetime | None) -> float:
        """Seconds after the learner's own due date, 0 if on time (or within the grace period)."""
        due = self.due_for(lesson, student)
        if due is None or submitted is None:
            return 0.0
        late = (submitted - due).total_seconds()
        return late if late > self.grace.total_seconds() else 0.0

    def penalty(self, score: float, seconds_late: float) -> float:
        """Points off ``score``: ``per_day`` of it per day late or part of one, at most all."""
        if seconds_late <= 0:
            return 0.0
        return score * min(1.0, self.per_day * math.ceil(seconds_late / 86400))


def _utc(value: object, zone: dt.tzinfo, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return aware.astimezone(dt.UTC).replace(tzinfo=None)
    raise DeadlinesError(f"{where}: expected a date and time such as 2027-01-11T23:59:00, "
                         f"got {value!r}")


def parse(text: str, source: str = FILENAME) -> Deadlines:
    """Deadlines from the text of a deadlines.toml; :class:`DeadlinesError` if it is malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DeadlinesError(f"{source} is not valid TOML: {error}") from None
    unknown = set(data) - {"timezone", "late", "due", "extensions"}
    if unknown:
        raise DeadlinesError(f"{source}: unknown setting(s) {sorted(unknown)}; expected "
                             "timezone, [late], [due], [extensions.LESSON]")
    try:
        zone = ZoneInfo(data.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise DeadlinesError(f"{source}: timezone {data['timezone']!r} is not a time zone "
                             "name such as UTC or Europe/London") from None
    late = data.get("late", {})
    if set(late) - {"per_day", "grace_minutes"}:
        raise DeadlinesError(f"{source}: [late] takes per_day and grace_minutes, got "
                             f"{sorted(late)}")
    per_day, grace = late.get("per_day", 0.0), late.get("grace_minutes", 0)
    if not isinstance(per_day, int | float) or not 0 <= per_day <= 1:
        raise DeadlinesError(f"{source}: [late] per_day must be a share between 0 and 1 "
                             f"(0.1 = 10 % of the score per day), got {per_day!r}")
    if not isinstance(grace, int | float) or grace < 0:
        raise DeadlinesError(f"{source}: [late] grace_minutes must be a number >= 0")
    due = {lesson: _utc(value, zone, f"{source} [due] {lesson}")
           for lesson, value in data.get("due", {}).items()}
    extended: dict[str, dict[str, dt.datetime]] = {}
    for lesson, learners in data.get("extensions", {}).items():
        if lesson not in due:
            raise DeadlinesError(f"{source}: [extensions.{lesson}] but {lesson} has no due "
                                 "date in [due]")
        for student, value in learners.items():
            where = f"{source} [extensions.{lesson}] {student}"
            match = _DURATION.match(value) if isinstance(value, str) else None
            if match:
                seconds = float(match[1]) * _UNITS[match[2].rstrip("s")]
                extended.setdefault(lesson, {})[student] = due[lesson] + dt.timedelta(
                    seconds=seconds)
            elif isinstance(value, str):
                raise DeadlinesError(f"{where}: {value!r} is not \"N days\", \"N hours\" or "
                                     "\"N minutes\" (or give a date and time)")
            else:
                extended.setdefault(lesson, {})[student] = _utc(value, zone, where)
    return Deadlines(due, extended, float(per_day), dt.timedelta(minutes=grace))


def load(root: Path | str) -> Deadlines | None:
    """The course's deadlines.toml, or None if it has none."""
    path = Path(root) / FILENAME
    return parse(path.read_text(), str(path)) if path.exists() else None


def sync(gradebook, deadlines: Deadlines, lessons: list[str] | None = None) -> list[str]:
    """Write due dates (and the extensions of existing submissions) into the gradebook.

    Only lessons already in the gradebook are touched (``lessons``: only these). Returns
    what was done, one line per lesson.
    """
    from nbgrader.api import MissingEntry

    done = []
    for lesson, due in deadlines.due.items():
        if lessons is not None and lesson not in lessons:
            continue
        try:
            gradebook.find_assignment(lesson)
        except MissingEntry:
            continue
        gradebook.update_or_create_assignment(lesson, duedate=due)
        for submission in gradebook.assignment_submissions(lesson):
            submission.extension = deadlines.extension(lesson, submission.student_id)
        gradebook.db.commit()
        done.append(f"{lesson}: due {due:%Y-%m-%d %H:%M} UTC")
    return done


def publish(deadlines: Deadlines, course_folder: Path | str) -> Path:
    """Write every lesson's due date into ``course_folder/deadlines.json`` for learners.

    ``course_folder`` is the course's folder in nbgrader's exchange (``Exchange.root /
    course_id``), readable by every learner: the file holds the lessons' due dates, in ISO
    8601 with their zone (UTC), and nothing about any learner. Written whole, then renamed
    over the old file, so a learner's server never reads half of it.
    """
    folder = Path(course_folder)
    if not folder.is_dir():
        folder.mkdir(parents=True)
        folder.chmod(0o755)  # as nbgrader's release_assignment makes it
    text = json.dumps({
        "course_id": folder.name,
        "due": {lesson: due.replace(tzinfo=dt.UTC).isoformat()
                for lesson, due in sorted(deadlines.due.items())},
    }, indent=1) + "\n"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{PUBLISHED}.")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, folder / PUBLISHED)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return folder / PUBLISHED


class LatePolicy(LateSubmissionPlugin):
    """nbgrader's late-penalty plugin with deadlines.toml's policy and extensions.

    nbgrader calls it for a submission later than the gradebook's due date. It takes the
    learner's own due date from deadlines.toml (an extension moves it), records the
    extension in the gradebook, and returns the policy's penalty (0 within the extension).
    Without a deadlines.toml it is nbgrader's own plugin (``penalty_method``).
    """

    def late_submission_penalty(self, student_id: str, score: float,
                                total_seconds_late: float) -> float | None:
        from nbgrader.coursedir import CourseDirectory

        deadlines = load(CourseDirectory(config=self.config).root)
        lesson = self.parent.assignment_id
        if deadlines is None or lesson not in deadlines.due:
            return super().late_submission_penalty(student_id, score, total_seconds_late)
        submission = self.parent.gradebook.find_submission(lesson, student_id)
        submission.extension = deadlines.extension(lesson, student_id)
        late = deadlines.seconds_late(lesson, student_id, submission.timestamp)
        penalty = deadlines.penalty(score, late)
        self.log.info("%s: %.0f s late after any extension, penalty %g of %g", student_id,
                      late, penalty, score)
        return penalty


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sync", action="store_true",
                        help="write the due dates into the gradebook and publish them in the "
                             "exchange for the learners' Assignments tab")
    args = parser.parse_args(argv)
    try:
        deadlines = load(Path.cwd())
    except DeadlinesError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    if deadlines is None:
        print(f"no {FILENAME} here: nbgrader's own due dates and late policy apply")
        return 0
    print(f"late policy: {deadlines.per_day:.0%} of the score per day late (or part of one), "
          f"grace {deadlines.grace.total_seconds() / 60:g} min")
    for lesson, due in sorted(deadlines.due.items()):
        own = deadlines.extended.get(lesson, {})
        print(f"  {lesson:28s} due {due:%Y-%m-%d %H:%M} UTC, {len(own)} extension(s)")
        for student, until in sorted(own.items()):
            print(f"    {student:26s} until {until:%Y-%m-%d %H:%M} UTC")
    if args.sync:
        from nbgrader.api import Gradebook
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.exchange.default.exchange import Exchange

        from classroom.config import load_course_config, use_this_environment

        use_this_environment()
        config = load_course_config(Path.cwd())
        coursedir = CourseDirectory(config=config)
        with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
            for line in sync(gradebook, deadlines):
                print(f"gradebook: {line}")
        published = publish(deadlines, Path(Exchange(config=config).root) / coursedir.course_id)
        print(f"published the due dates for the learners' Assignments tab: {published}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
