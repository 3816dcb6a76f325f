"""A report on one graded lesson: scores, item analysis of every test cell, late work.

    python -m classroom.report 02-recurrent-networks              # reports/02-....html and .csv
    python -m classroom.report 02-recurrent-networks --out /tmp/r

The HTML file is self-contained (styles inline, plots as embedded PNG images; it makes no
request), so it can be mailed or opened from anywhere. It shows

- how many learners were graded, failed, timed out, hit a sandbox limit, were not graded
  or did not submit (classroom.status), and the distribution of scores after late penalties;
- per test cell, in notebook order: the share of learners with full marks, the mean score,
  its discrimination (the correlation between the cell's score and the rest of the total:
  near 0 or negative, the cell does not tell strong learners from weak ones) and the three
  most frequent failure messages, grouped when they differ only in numbers. Messages are the
  exception and the first line of its message from the autograded notebooks, never a
  traceback, so no test code (hidden tests included) is shown;
- the cells that look like a problem with the test rather than with the class: nearly
  everyone fails, or negative discrimination;
- late submissions: the due date, each late learner's lateness after any extension, and
  the penalty nbgrader applied (classroom/deadlines.py).

The CSV beside it has one row per test cell. Scores come from the gradebook (SQLite or
PostgreSQL, ``NBGRADER_DB_URL``) in a few queries, so a class of 1,000 takes seconds
(bench/report_scale.py). Only graded learners enter the statistics; the others are counted.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import html
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classroom.status import submission_status

NEARLY_ALL_FAIL = 0.10  # a cell where at most this share of learners get full marks is flagged
TOP_FAILURES = 3


@dataclass
class Learner:
    """One learner of the class, as the report sees them."""

    id: str
    status: str = "not submitted"
    problems: list[str] = field(default_factory=list)
    scores: dict[tuple[str, str], float] = field(default_factory=dict)  # (notebook, cell)
    timestamp: dt.datetime | None = None
    extension: dt.timedelta | None = None
    penalty: float = 0.0

    @property
    def raw(self) -> float:
        return float(sum(self.scores.values()))

    @property
    def score(self) -> float:
        return max(0.0, self.raw - self.penalty)

    @property
    def timed_out(self) -> bool:
        return any("time limit" in p or "took longer than" in p for p in self.problems)

    @property
    def sandbox_limit(self) -> bool:
        return any("sandbox's" in p for p in self.problems)


@dataclass
class Cell:
    """One test cell and what the class made of it."""

    notebook: str
    name: str
    points: float
    graded: int = 0
    full_share: float = float("nan")
    mean: float = float("nan")
    discrimination: float | None = None
    failures: list[tuple[str, int]] = field(default_factory=list)

    @property
    def flag(self) -> str:
        """Why the cell may test badly ("" if it looks fine)."""
        reasons = []
        if self.graded and self.full_share <= NEARLY_ALL_FAIL:
            reasons.append(f"nearly everyone fails ({self.full_share:.0%} full marks)")
        if self.discrimination is not None and self.discrimination < 0:
            reasons.append(f"negative discrimination ({self.discrimination:+.2f}): learners "
                           "who do better overall do worse here")
        return "; ".join(reasons)


@dataclass
class Class:
    """Everything the report shows about one lesson."""

    lesson: str
    max_score: float
    duedate: dt.datetime | None
    cells: list[Cell]
    learners: list[Learner]

    @property
    def graded(self) -> list[Learner]:
        return [learner for learner in self.learners if learner.status == "graded"]

    def counts(self) -> dict[str, int]:
        by_status = Counter(learner.status for learner in self.learners)
        return {
            "learners": len(self.learners),
            "graded": by_status["graded"],
            "grading failed": by_status["grading failed"],
            "timed out": sum(learner.timed_out for learner in self.learners),
            "hit a sandbox limit": sum(learner.sandbox_limit for learner in self.learners),
            "not graded": by_status["not graded"],
            "not submitted": by_status["not submitted"],
            "late": sum(1 for learner in self.learners if seconds_late(self, learner) > 0),
        }


def seconds_late(klass: Class, learner: Learner) -> float:
    """How late the learner's submission was, after any extension (nbgrader's own rule)."""
    if klass.duedate is None or learner.timestamp is None:
        return 0.0
    due = klass.duedate + (learner.extension or dt.timedelta(0))
    return max(0.0, (learner.timestamp - due).total_seconds())


# --- reading the gradebook and the autograded notebooks ---------------------------------

def _cell_order(root: Path, source_dir: str, lesson: str, notebooks: list[str]) -> list[str]:
    """grade_ids of the lesson's cells in notebook order, from the source notebooks."""
    order = []
    for name in notebooks:
        path = root / source_dir / lesson / f"{name}.ipynb"
        if path.exists():
            cells = json.loads(path.read_text()).get("cells", [])
            order += [f"{name}/{c['metadata']['nbgrader']['grade_id']}" for c in cells
                      if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")]
    return order


def read_class(root: Path, lesson: str, db_url: str, course_id: str,
               source_dir: str = "solutions") -> Class:
    """The lesson's cells and learners from the gradebook, in a handful of queries."""
    from nbgrader.api import (
        Grade,
        Gradebook,
        GradeCell,
        MissingEntry,
        Notebook,
        Student,
        SubmittedAssignment,
        SubmittedNotebook,
    )
    from sqlalchemy import func

    with Gradebook(db_url, course_id) as gradebook:
        try:
            assignment = gradebook.find_assignment(lesson)
        except MissingEntry:
            raise SystemExit(f"{lesson} is not in the gradebook ({len(gradebook.assignments)} "
                             "lesson(s) are): generate and grade it first") from None
        db = gradebook.db
        cell_rows = (db.query(Notebook.name, GradeCell.name, GradeCell.max_score)
                     .join(GradeCell, GradeCell.notebook_id == Notebook.id)
                     .filter(Notebook.assignment_id == assignment.id,
                             GradeCell.cell_type == "code").all())  # test cells, not answers
        grades = (db.query(SubmittedAssignment.student_id, Notebook.name, GradeCell.name,
                           Grade.score)
                  .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
                  .join(SubmittedAssignment,
                        SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                  .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
                  .join(GradeCell, Grade.cell_id == GradeCell.id)
                  .filter(SubmittedAssignment.assignment_id == assignment.id).all())
        submissions = (db.query(SubmittedAssignment.student_id, SubmittedAssignment.timestamp,
                                SubmittedAssignment.extension,
                                func.coalesce(func.sum(SubmittedNotebook.late_submission_penalty),
                                              0.0))
                       .outerjoin(SubmittedNotebook,
                                  SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                       .filter(SubmittedAssignment.assignment_id == assignment.id)
                       .group_by(SubmittedAssignment.id).all())
        students = [row[0] for row in db.query(Student.id).all()]
        duedate, max_score = assignment.duedate, float(assignment.max_score)
        notebooks = sorted(nb.name for nb in assignment.notebooks)

    learners = {s: Learner(s) for s in students}
    for student, timestamp, extension, penalty in submissions:
        learner = learners.setdefault(student, Learner(student))
        learner.timestamp, learner.extension, learner.penalty = timestamp, extension, penalty
    for student, notebook, cell, score in grades:
        learners[student].scores[(notebook, cell)] = float(score or 0.0)
    for learner in learners.values():
        learner.status, learner.problems = submission_status(root, lesson, learner.id, notebooks)
        if learner.status != "graded":
            learner.scores = {}

    order = _cell_order(root, source_dir, lesson, notebooks)
    rank = {key: i for i, key in enumerate(order)}
    cells = sorted((Cell(nb, name, float(points or 0)) for nb, name, points in cell_rows),
                   key=lambda c: (rank.get(f"{c.notebook}/{c.name}", len(rank)), c.name))
    klass = Class(lesson, max_score, duedate, cells, sorted(learners.values(),
                                                            key=lambda learner: learner.id))
    analyse(klass.cells, klass.graded)
    collect_failures(root, lesson, klass.cells, klass.graded)
    return klass


def analyse(cells: list[Cell], graded: list[Learner]) -> None:
    """Fill in each cell's full-marks share, mean and discrimination over graded learners."""
    if not graded:
        return
    table = np.array([[learner.scores.get((c.notebook, c.name), 0.0) for c in cells]
                      for learner in graded], dtype=float).reshape(len(graded), len(cells))
    totals = np.array([learner.raw for learner in graded])  # manually graded cells too
    for j, cell in enumerate(cells):
        scores, rest = table[:, j], totals - table[:, j]
        cell.graded = len(graded)
        cell.full_share = float(np.mean(scores >= cell.points)) if cell.points else float("nan")
        cell.mean = float(scores.mean())
        if scores.std() > 0 and rest.std() > 0:
            cell.discrimination = float(np.corrcoef(scores, rest)[0, 1])


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def failure_message(output: dict) -> str:
    """An error output as ``ExceptionName: first line of its message`` (never a traceback)."""
    evalue = str(output.get("evalue", "")).strip().splitlines()
    message = f"{output.get('ename', 'Error')}: {evalue[0]}" if evalue else output.get(
        "ename", "Error")
    return message[:240]


def collect_failures(root: Path, lesson: str, cells: list[Cell], graded: list[Learner]) -> None:
    """The most frequent failure messages of each cell, grouped when they differ only in
    numbers, from the graded learners' autograded notebooks."""
    groups: dict[tuple[str, str], dict[str, Counter]] = {(c.notebook, c.name): {} for c in cells}
    points = {(c.notebook, c.name): c.points for c in cells}
    by_notebook: dict[str, set[str]] = {}
    for nb, name in groups:
        by_notebook.setdefault(nb, set()).add(name)
    for learner in graded:
        for notebook, names in by_notebook.items():
            failed = {n for n in names
                      if learner.scores.get((notebook, n), 0.0) < points[(notebook, n)]}
            if not failed:
                continue
            path = root / "autograded" / learner.id / lesson / f"{notebook}.ipynb"
            try:
                cells_json = json.loads(path.read_text()).get("cells", [])
            except (OSError, ValueError):
                cells_json = []
            messages = {}
            for cell in cells_json:
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                if grade_id in failed:
                    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                    messages[grade_id] = failure_message(errors[-1]) if errors else (
                        "(no error message: the cell scored less than full marks)")
            for name in failed:
                message = messages.get(name, "(cell missing from the autograded notebook)")
                key = _NUMBER.sub("#", message)
                groups[(notebook, name)].setdefault(key, Counter())[message] += 1
    for cell in cells:
        grouped = groups[(cell.notebook, cell.name)].values()
        ranked = sorted(grouped, key=lambda counter: -sum(counter.values()))
        cell.failures = [(counter.most_common(1)[0][0], sum(counter.values()))
                         for counter in ranked[:TOP_FAILURES]]


# --- writing -----------------------------------------------------------------------------

def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def plots(klass: Class) -> list[tuple[str, str]]:
    """(caption, data URL) of the score histogram and the full-marks share per cell."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    scores = [learner.score for learner in klass.graded]
    figure = Figure(figsize=(6.4, 3.2))
    axes = figure.subplots()
    top = max(klass.max_score, 1.0)
    bins = (np.arange(-0.5, np.ceil(top) + 1) if top <= 40  # a bar per whole point
            else np.linspace(0, top, 41))
    axes.hist(scores, bins=bins, color="#4472c4", edgecolor="white")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set(xlabel="score after late penalties", ylabel="learners",
             title=f"{klass.lesson}: {len(scores)} graded learner(s)")
    out = [("Score distribution of graded learners", _png(figure))]
    figure = Figure(figsize=(6.4, 0.4 * len(klass.cells) + 1.2))
    axes = figure.subplots()
    names = [c.name for c in klass.cells][::-1]
    shares = [0.0 if np.isnan(c.full_share) else c.full_share for c in klass.cells][::-1]
    colours = ["#c00000" if c.flag else "#4472c4" for c in klass.cells][::-1]
    axes.barh(names, shares, color=colours)
    axes.set(xlim=(0, 1), xlabel="share of graded learners with full marks")
    out.append(("Full marks per test cell (red: check the test)", _png(figure)))
    return out


CSV_COLUMNS = ["notebook", "cell", "points", "graded", "full_marks_share", "mean_score",
               "discrimination", "flag"] + [
    f"{what}_{i}" for i in range(1, TOP_FAILURES + 1) for what in ("failure", "count")]


def write_csv(klass: Class, path: Path) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for c in klass.cells:
            failures = [x for message, count in c.failures for x in (message, count)]
            failures += [""] * (2 * TOP_FAILURES - len(failures))
            writer.writerow([c.notebook, c.name, f"{c.points:g}", c.graded,
                             _num(c.full_share, "{:.4f}"), _num(c.mean, "{:.4f}"),
                             _num(c.discrimination, "{:.4f}"), c.flag, *failures])


def _num(value: float | None, form: str) -> str:
    return "" if value is None or np.isnan(value) else form.format(value)


_STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:left;vertical-align:top}th{background:#f2f2f2}td.n{text-align:right}
.flag{color:#c00000}img{max-width:100%}ol{margin:0;padding-left:1.3em}"""


def render_html(klass: Class) -> str:
    """The report as one self-contained HTML page."""
    e = html.escape
    graded = [learner.score for learner in klass.graded]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{e(klass.lesson)}: grading report</title><style>{_STYLE}</style></head>"
             f"<body><h1>{e(klass.lesson)}: grading report</h1>",
             f"<p>Made {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC from the gradebook and the "
             f"autograded notebooks. Maximum score {klass.max_score:g}.</p>",
             "<h2>Learners</h2><table id='counts'>"]
    for key, value in klass.counts().items():
        parts.append(f"<tr><th>{e(key)}</th><td class='n' data-key='{e(key)}'>{value}</td></tr>")
    parts.append("</table>")
    if graded:
        q1, median, q3 = np.percentile(graded, [25, 50, 75])
        stats = {"mean": float(np.mean(graded)), "median": float(median), "lower quartile": q1,
                 "upper quartile": q3, "lowest": min(graded), "highest": max(graded)}
        parts.append("<h2>Scores</h2><table id='scores'>" + "".join(
            f"<tr><th>{e(k)}</th><td class='n' data-key='{e(k)}'>{v:.2f}</td></tr>"
            for k, v in stats.items()) + "</table>")
    else:
        parts.append("<h2>Scores</h2><p>Nobody has been graded yet.</p>")
    for caption, url in plots(klass) if graded else []:
        parts.append(f"<figure><img src='{url}' alt='{e(caption)}'>"
                     f"<figcaption>{e(caption)}</figcaption></figure>")
    parts.append("<h2>Test cells</h2><table id='cells'><tr><th>cell</th><th>points</th>"
                 "<th>full marks</th><th>mean</th><th>discrimination</th>"
                 "<th>most frequent failures (learners)</th></tr>")
    for c in klass.cells:
        failures = "".join(f"<li>{e(m)} ({n})</li>" for m, n in c.failures)
        parts.append(
            f"<tr data-cell='{e(c.name)}'><td>{e(c.notebook)} / {e(c.name)}"
            + (f"<br><span class='flag'>{e(c.flag)}</span>" if c.flag else "")
            + f"</td><td class='n'>{c.points:g}</td>"
            f"<td class='n' data-key='full'>{_num(c.full_share * 100, '{:.0f}')} %</td>"
            f"<td class='n' data-key='mean'>{_num(c.mean, '{:.2f}')}</td>"
            f"<td class='n' data-key='discrimination'>{_num(c.discrimination, '{:+.2f}')}</td>"
            f"<td><ol>{failures}</ol></td></tr>")
    parts.append("</table>")
    flagged = [c for c in klass.cells if c.flag]
    parts.append("<h2>Check these tests</h2>" + (
        "<ul id='flagged'>" + "".join(f"<li><b>{e(c.name)}</b>: {e(c.flag)}</li>"
                                      for c in flagged) + "</ul>"
        if flagged else "<p id='flagged'>No test cell looks like a problem with the test.</p>"))
    parts.append(_late_section(klass))
    problems = [learner for learner in klass.learners
                if learner.status not in ("graded", "not submitted") or learner.problems]
    if problems:
        parts.append("<h2>Submissions with problems</h2><table id='problems'>"
                     "<tr><th>learner</th><th>status</th><th>problems</th></tr>" + "".join(
                         f"<tr><td>{e(p.id)}</td><td>{e(p.status)}</td>"
                         f"<td>{e('; '.join(p.problems))}</td></tr>" for p in problems)
                     + "</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _late_section(klass: Class) -> str:
    e = html.escape
    if klass.duedate is None:
        return "<h2>Late work</h2><p>The lesson has no due date in the gradebook.</p>"
    rows = [(learner, seconds_late(klass, learner)) for learner in klass.learners]
    late = [(learner, s) for learner, s in rows if s > 0]
    extended = [learner for learner in klass.learners if learner.extension]
    out = [f"<h2>Late work</h2><p>Due {klass.duedate:%Y-%m-%d %H:%M} UTC; {len(late)} late "
           f"submission(s), {len(extended)} extension(s).</p>"]
    if late or extended:
        out.append("<table id='late'><tr><th>learner</th><th>submitted (UTC)</th>"
                   "<th>extension</th><th>late by</th><th>penalty</th></tr>")
        shown = {x.id: x for x in extended} | {x.id: x for x, _ in late}
        for learner in sorted(shown.values(), key=lambda x: x.id):
            late_by = _duration(seconds_late(klass, learner))
            stamp = f"{learner.timestamp:%Y-%m-%d %H:%M}" if learner.timestamp else ""
            ext = _duration(learner.extension.total_seconds()) if learner.extension else ""
            out.append(f"<tr data-learner='{e(learner.id)}'><td>{e(learner.id)}</td>"
                       f"<td>{stamp}</td><td>{ext}</td><td class='n'>{late_by}</td>"
                       f"<td class='n' data-key='penalty'>{learner.penalty:g}</td></tr>")
        out.append("</table>")
    return "".join(out)


def _duration(seconds: float) -> str:
    """A duration in words: '40 s', '12 min', '5.5 h', '3.2 days' ('' for none)."""
    if seconds <= 0:
        return ""
    for unit, size in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            value = round(seconds / size, 1)
            return f"{value:g} {'day' if unit == 'days' and value == 1 else unit}"
    return f"{seconds:.0f} s"


def write_report(klass: Class, out_dir: Path) -> tuple[Path, Path]:
    """Write ``<lesson>.html`` and ``<lesson>.csv`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    page, table = out_dir / f"{klass.lesson}.html", out_dir / f"{klass.lesson}.csv"
    page.write_text(render_html(klass))
    write_csv(klass, table)
    return page, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lesson")
    parser.add_argument("--out", type=Path, default=Path("reports"),
                        help="folder for the HTML page and the CSV (default: reports/)")
    args = parser.parse_args(argv)
    from nbgrader.coursedir import CourseDirectory

    from classroom.config import load_course_config, use_this_environment

    use_this_environment()
    coursedir = CourseDirectory(config=load_course_config(Path.cwd()))
    root = Path(coursedir.root)
    klass = read_class(root, args.lesson, coursedir.db_url, coursedir.course_id,
                       coursedir.source_directory)
    page, table = write_report(klass, args.out)
    counts = klass.counts()
    print(", ".join(f"{v} {k}" for k, v in counts.items()))
    for cell in klass.cells:
        if cell.flag:
            print(f"check {cell.name}: {cell.flag}")
    print(f"wrote {page} and {table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
