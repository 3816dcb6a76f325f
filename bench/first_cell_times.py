"""How long each lesson's first code cell takes in JupyterLab: the import cost a learner waits.

    python bench/first_cell_times.py                      # every lesson in course/
    python bench/first_cell_times.py 00-welcome 04-lstm   # some of them
    python bench/first_cell_times.py --repeat 3           # best and median of 3 runs
    python bench/first_cell_times.py --python             # add plain python for comparison

For each lesson, a fresh copy of ``course/<lesson>`` is opened in a real JupyterLab in
headless Chromium (as in tests/test_browser.py; needs Debian's chromium and playwright),
and the table shows:

- ``open``: from loading the page to an idle kernel (JupyterLab loads, the kernel starts);
- ``first cell``: from Ctrl+Enter in the first code cell to its execution count (the
  ``import lessonkit`` / ``lessonkit.setup`` cell: TensorFlow, Keras, matplotlib);
- ``python``, ``python cpu``: with ``--python``, the same cell's code run by
  ``python -c`` in a fresh process, without Jupyter: wall time, and CPU time (user +
  system), which is what the wall time would be on an idle machine;
- ``clean``: the kernel started without a dialog and the cell printed nothing red.

Times depend on the machine and on what else runs on it: compare lessons side by side,
on one machine, in one run. The budget in the course specification is "a few seconds".
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import nbformat  # noqa: E402
from browser import (  # noqa: E402
    STDERR_MIME,
    ConsoleLog,
    JupyterLab,
    browser_missing,
    code_cells,
    launch_browser,
    open_lab,
    outputs,
    run_cell,
    server_environment,
)

FEW_SECONDS = 5.0


def first_code_cell(lesson: str) -> str:
    nb = nbformat.read(ROOT / "course" / lesson / f"{lesson}.ipynb", as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code")


def bare_python(lesson: str, work: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of ``python -c <first cell>`` in a fresh
    process (first cells are plain Python). CPU seconds hardly depend on what else runs
    on the machine: they are what the wall time would be on an idle core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", first_code_cell(lesson)], cwd=work, check=True,
                   env=server_environment(), capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(context, lab: JupyterLab, work: Path, lesson: str, run: int) -> dict:
    folder = f"run{run}/{lesson}"
    shutil.copytree(ROOT / "course" / lesson, work / folder)
    console = ConsoleLog()
    start = time.perf_counter()
    page = open_lab(context, lab, f"{folder}/{lesson}.ipynb", console)
    opened = time.perf_counter() - start
    try:
        clean = page.locator(".jp-Dialog").count() == 0
        first = code_cells(page).first
        seconds = run_cell(page, first)
        clean &= not any(mime == STDERR_MIME for mime, _ in outputs(first))
    finally:
        page.close()
        lab.shutdown_kernels()
    return {"open": opened, "first": seconds, "clean": clean and not console.problems()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lessons (default: all of course/)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per lesson (default 1)")
    parser.add_argument("--python", action="store_true", help="also time plain python")
    args = parser.parse_args(argv)
    lessons = args.lessons or sorted(
        p.name for p in (ROOT / "course").iterdir() if (p / f"{p.name}.ipynb").is_file())
    reason = browser_missing()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict]] = {lesson: [] for lesson in lessons}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        tmp = Path(tmp)
        work = tmp / "work"
        work.mkdir()
        lab = JupyterLab(work, tmp / "lab", name="bench").start()
        context = launch_browser(playwright, tmp / "profile")
        try:
            for run in range(args.repeat):
                for lesson in lessons:
                    result = measure(context, lab, work, lesson, run)
                    if args.python:
                        result["python"], result["cpu"] = bare_python(lesson, work)
                    results[lesson].append(result)
                    print(f"  run {run + 1}: {lesson} first cell {result['first']:.1f} s",
                          file=sys.stderr, flush=True)
        finally:
            context.close()
            lab.stop()

    def figure(runs: list[dict], key: str) -> str:
        values = [r[key] for r in runs]
        if len(values) == 1:
            return f"{values[0]:.1f}"
        return f"{min(values):.1f} / {statistics.median(values):.1f}"

    unit = "s" if args.repeat == 1 else "s, best / median"
    columns = ["open", "first cell"] + (["python", "python cpu"] if args.python else [])
    print(f"\nfirst code cell of each lesson in JupyterLab ({unit}, {args.repeat} run(s))")
    print(f"{'lesson':26s}" + "".join(f"{c:>16s}" for c in columns) + "  clean  <= 5 s")
    ok = True
    for lesson, runs in results.items():
        cells = [figure(runs, "open"), figure(runs, "first")]
        if args.python:
            cells += [figure(runs, "python"), figure(runs, "cpu")]
        clean = all(r["clean"] for r in runs)
        fast = min(r["first"] for r in runs) <= FEW_SECONDS
        ok &= clean
        print(f"{lesson:26s}" + "".join(f"{c:>16s}" for c in cells)
              + f"  {'yes' if clean else 'NO':5s}  {'yes' if fast else 'no'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
