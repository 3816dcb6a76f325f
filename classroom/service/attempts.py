"""One submission in the exchange, its record in the course, and its feedback page.

A learner's ``nbgrader submit`` makes a folder ``<student>+<lesson>+<time>+<random>`` in
``<exchange>/<course>/inbound/``; each such folder is one *attempt*. Its record lives in
the course directory, ``grading-service/attempts/<lesson>/<student>/<folder>/``:

- ``result.json``: written once, atomically, by the worker that graded it (score, or why
  it could not be graded; the attempt's number; how long it took; which worker);
- ``grading.log``: each start of a grade and each recorded result, with the worker;
- ``running.json``: while a worker grades it, which one (process id and machine);
- ``submitted/``: a copy of what was graded (a "best" attempt is put back from here);
- ``feedback/<notebook>.html``: the attempt's feedback page, with a line on top giving
  the score, the attempt's number and how many attempts remain.

Feedback reaches the learner the way nbgrader's own ``release_feedback`` delivers it:
``<exchange>/<course>/feedback/<hash>.html``, the hash made from the submission's secret
and the notebook's name, so ``fetch_feedback`` (the Assignments tab's *Fetch Feedback*)
puts each attempt's page under that submission's time stamp.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from nbgrader.utils import notebook_hash

from classroom.service.policy import SERVICE_DIR, LessonPolicy


class MalformedSubmission(ValueError):
    """A folder in ``inbound/`` that is not a submission nbgrader could have made."""


@dataclass(frozen=True)
class Attempt:
    """One submission folder in the exchange's ``inbound/``."""

    folder: str
    student: str
    lesson: str
    timestamp: str

    @classmethod
    def parse(cls, folder: str) -> Attempt:
        parts = folder.split("+")
        if len(parts) != 4 or not all(parts[:3]):
            raise MalformedSubmission(
                f"{folder!r} is not <student>+<lesson>+<time>+<random>")
        student, lesson, timestamp, _ = parts
        if "/" in student or "/" in lesson or student.startswith("."):
            raise MalformedSubmission(f"{folder!r} names an impossible student or lesson")
        return cls(folder, student, lesson, timestamp)

    def record(self, root: Path) -> Path:
        """This attempt's folder in the course directory."""
        return Path(root) / SERVICE_DIR / "attempts" / self.lesson / self.student / self.folder


@dataclass
class Result:
    """What grading one attempt gave (``result.json``)."""

    folder: str
    student: str
    lesson: str
    number: int
    ok: bool
    score: float = 0.0
    max_score: float = 0.0
    reason: str = ""
    seconds: float = 0.0
    worker: str = ""
    released: bool = False

    def save(self, record: Path) -> None:
        write_atomically(record / "result.json", json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, record: Path) -> Result | None:
        try:
            return cls(**json.loads((record / "result.json").read_text()))
        except FileNotFoundError:
            return None


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as out:
        out.write(text)
    os.replace(temporary, path)


def results_of(root: Path, lesson: str, student: str) -> list[Result]:
    """Every recorded result of ``student``'s attempts at ``lesson``, by attempt number."""
    folder = Path(root) / SERVICE_DIR / "attempts" / lesson / student
    found = [Result.load(p) for p in folder.iterdir()] if folder.is_dir() else []
    return sorted((r for r in found if r is not None), key=lambda r: r.number)


def counted(results: list[Result], counts: str) -> Result | None:
    """The attempt the gradebook keeps: the last graded, or the best (the later on a tie)."""
    graded = [r for r in results if r.ok]
    if not graded:
        return None
    if counts == "best":
        return max(graded, key=lambda r: (r.score, r.number))
    return graded[-1]


def summary_line(policy: LessonPolicy, number: int, result: Result | None,
                 message: str = "") -> str:
    """The line on top of an attempt's feedback page."""
    parts = [f"Attempt {number}" + (f" of {policy.attempts}" if policy.attempts else "")]
    if message:
        parts.append(message)
    elif result is not None and result.ok:
        parts.append(f"graded automatically: {result.score:g} / {result.max_score:g} points")
    elif result is not None:
        parts.append(f"could not be graded: {result.reason}")
    if policy.attempts is not None:
        left = max(0, policy.attempts - number)
        parts.append(f"{left} attempt{'s' if left != 1 else ''} remain{'s' if left == 1 else ''}")
    parts.append(f"your {policy.counts} graded attempt counts")
    return ". ".join(parts) + "."


def with_summary(page: str, line: str) -> str:
    """``page`` (an HTML feedback page) with ``line`` shown at the top of its body."""
    banner = (f'<div class="classroom-attempt" style="padding:0.6em 1em;margin:0.5em 0;'
              f'border:1px solid #888;background:#f4f4f4;font-weight:bold">'
              f"{html.escape(line)}</div>")
    start = page.find("<body")
    if start < 0:
        return banner + page
    end = page.find(">", start) + 1
    return page[:end] + banner + page[end:]


def message_page(lesson: str, line: str) -> str:
    """A feedback page that only says ``line`` (an attempt refused or not graded)."""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(lesson)}"
            f"</title></head><body>{with_summary('<body>', line)[6:]}</body></html>")


def release(exchange: Path, course: str, submission: Path, pages: dict[str, str]) -> int:
    """Put each ``{notebook name: html}`` page where ``fetch_feedback`` looks for the
    feedback of ``submission`` (its folder in inbound/); returns how many were released."""
    secret = (submission / "submission_secret.txt").read_text()
    outbound = Path(exchange) / course / "feedback"
    outbound.mkdir(parents=True, exist_ok=True)
    for notebook, page in pages.items():
        target = outbound / f"{notebook_hash(secret=secret, notebook_id=notebook)}.html"
        write_atomically(target, page)
        target.chmod(0o644)
    return len(pages)


def notebooks_in(folder: Path) -> list[str]:
    """Names (without .ipynb) of the notebooks at the top of a submission folder."""
    return sorted(p.stem for p in Path(folder).glob("*.ipynb"))


def copy_submission(source: Path, target: Path, ignore: list[str]) -> None:
    """Replace ``target`` with a copy of ``source``, leaving out the course's ignored names
    (as nbgrader's collect does)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*ignore))
