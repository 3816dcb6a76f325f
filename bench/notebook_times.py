"""How long each solutions notebook takes, top to bottom, in a fresh kernel.

    python bench/notebook_times.py                 # every lesson
    python bench/notebook_times.py 02-recurrent-networks 04-lstm

Prints, per lesson, the wall time, the slowest cell and its time, against the budgets of
the course specification: at most 90 s a notebook, 10 minutes for the whole course, and
every cell well inside the 60 s cell timeout of nbgrader_config.py.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_BUDGET = 90.0
COURSE_BUDGET = 600.0
CELL_TIMEOUT = 60.0


def _seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except KeyError:
        return 0.0
    return (end - start).total_seconds()


def time_notebook(lesson: str) -> tuple[float, float, int, list[str]]:
    """Run one solutions notebook; return wall time, slowest cell time and index, errors."""
    path = ROOT / "solutions" / lesson / f"{lesson}.ipynb"
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as work:
        client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": work}})
        start = time.perf_counter()
        client.execute()
        wall = time.perf_counter() - start
    errors = [
        f"cell {i}: {out.get('ename', 'stderr')}"
        for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error" or (out.output_type == "stream" and out.name == "stderr")
    ]
    times = [(_seconds(c), i) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    slowest, index = max(times, default=(0.0, -1))
    return wall, slowest, index, errors


def main(lessons: list[str]) -> int:
    lessons = lessons or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    print(f"{'lesson':28s} {'seconds':>8s} {'slowest cell':>13s}  within budget")
    total, ok = 0.0, True
    for lesson in lessons:
        wall, slowest, index, errors = time_notebook(lesson)
        total += wall
        fine = wall <= NOTEBOOK_BUDGET and slowest <= CELL_TIMEOUT / 2 and not errors
        ok &= fine
        note = "yes" if fine else "NO" + (f" ({'; '.join(errors[:3])})" if errors else "")
        print(f"{lesson:28s} {wall:8.1f} {slowest:7.1f} (#{index:<3d}) {note}", flush=True)
    print(f"{'whole course':28s} {total:8.1f}   budget {COURSE_BUDGET:.0f} s: "
          f"{'yes' if total <= COURSE_BUDGET else 'NO'}")
    return 0 if ok and total <= COURSE_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
