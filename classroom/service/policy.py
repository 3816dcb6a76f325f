"""What the instructor decides per lesson, and where the queue is: ``c.GradingService``.

In ``nbgrader_config.py`` (the one place; the watcher and every worker read it)::

    c.GradingService.lessons = {
        "00-welcome": {"attempts": 5, "counts": "last", "release": True},
        "01-neural-networks": {"attempts": 3, "counts": "best", "release": False},
    }
    c.GradingService.broker_url = "redis://127.0.0.1:6379/0"

A lesson not listed, or listed with ``"on": False``, is left to the instructor's
batch grading (``classroom.autograde``). ``attempts`` is how many submissions are graded
(``None``: no limit); later ones are refused with a message. ``counts`` says which
graded attempt the gradebook keeps: the ``last`` one or the ``best`` one. ``release``
says whether each attempt's feedback is released to the learner as soon as it is
graded; otherwise it waits for ``python -m classroom.service release LESSON``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from traitlets import Bool, Dict, Float, Unicode
from traitlets.config import Config, LoggingConfigurable

from classroom.config import load_course_config

#: The course directory's folder where the service keeps its records.
SERVICE_DIR = "grading-service"


class PolicyError(ValueError):
    """The instructor's settings cannot be used; the message says which and why."""


@dataclass(frozen=True)
class LessonPolicy:
    """How the service treats the submissions of one lesson."""

    lesson: str
    on: bool = True
    attempts: int | None = 5
    counts: str = "last"
    release: bool = True

    def describe(self) -> str:
        limit = "no limit" if self.attempts is None else f"{self.attempts} attempt(s)"
        return (f"{self.lesson}: {'on' if self.on else 'off'}, {limit}, the {self.counts} "
                f"attempt counts, feedback {'at once' if self.release else 'held'}")


_KEYS = {"on", "attempts", "counts", "release"}


def parse_policy(lesson: str, settings: dict) -> LessonPolicy:
    """One entry of ``c.GradingService.lessons``, checked."""
    if not isinstance(settings, dict):
        raise PolicyError(f"c.GradingService.lessons[{lesson!r}] must be a dict, "
                          f"not {settings!r}")
    unknown = set(settings) - _KEYS
    if unknown:
        raise PolicyError(f"c.GradingService.lessons[{lesson!r}]: unknown setting(s) "
                          f"{sorted(unknown)}; known: {sorted(_KEYS)}")
    policy = LessonPolicy(lesson, **settings)
    if policy.attempts is not None and (not isinstance(policy.attempts, int)
                                        or policy.attempts < 1):
        raise PolicyError(f"{lesson}: attempts must be a whole number from 1, or None for no "
                          f"limit; got {policy.attempts!r}")
    if policy.counts not in ("last", "best"):
        raise PolicyError(f"{lesson}: counts must be 'last' or 'best'; got {policy.counts!r}")
    return policy


class GradingService(LoggingConfigurable):
    """The grading service's settings (``c.GradingService`` in nbgrader_config.py)."""

    lessons = Dict(help="Per lesson: on, attempts, counts (last/best), release.").tag(
        config=True)
    broker_url = Unicode(os.environ.get("CLASSROOM_BROKER_URL", "redis://127.0.0.1:6379/0"),
                         help="The Celery broker (Redis) shared by the watcher and the "
                              "workers (default: $CLASSROOM_BROKER_URL, else Redis on "
                              "this machine).").tag(config=True)
    time_limit = Float(900, help="Seconds one attempt may take to grade before it is stopped "
                                 "and reported.").tag(config=True)
    poll_interval = Float(2, help="Seconds between two scans of the exchange.").tag(
        config=True)
    check_owner = Bool(
        os.environ.get("CLASSROOM_CHECK_OWNER") == "1",
        help="Ignore a submission whose folder is not owned by the account it names (a "
             "shared server with Unix accounts, as classroom.exchange.OwnerCheckedCollect; "
             "default: $CLASSROOM_CHECK_OWNER=1).").tag(config=True)

    def policy(self, lesson: str) -> LessonPolicy:
        """The policy of ``lesson`` (off when the instructor did not list it)."""
        if lesson not in self.lessons:
            return LessonPolicy(lesson, on=False)
        return parse_policy(lesson, self.lessons[lesson])

    def check(self) -> list[LessonPolicy]:
        """Every listed lesson's policy; raises PolicyError naming the first bad one."""
        return [parse_policy(lesson, settings) for lesson, settings in self.lessons.items()]

    @property
    def hard_time_limit(self) -> float:
        """When Celery kills a task whose grading process did not stop in time."""
        return self.time_limit + 120

    @property
    def visibility_timeout(self) -> float:
        """After this, Redis hands a task whose worker vanished to another worker. Longer
        than any grade can take, so a running grade is never handed out twice."""
        return self.hard_time_limit + 300


def load_service(root: Path | str = ".") -> tuple[GradingService, Config]:
    """The service's settings from the course in ``root``, and the course's whole config."""
    config = load_course_config(root)
    return GradingService(config=config), config
