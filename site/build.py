"""Build the course website: every lesson as a learner receives it, with its outputs.

    python site/build.py                       # all lessons, into site/_build/html
    python site/build.py --serve               # then serve it on http://127.0.0.1:8000
    python site/build.py --lessons 00-welcome,01-neural-networks --execute none

(``python3.11 quickstart.py site`` sets up the environment and runs this.)

The website is one more reader of the course's sources (design.md):

1. Each reference notebook, ``solutions/<lesson>/<lesson>.ipynb``, is run once. Runs are
   kept in ``.site-cache/`` (ignored by git: they hold the answers), keyed by a hash of
   the notebook and of lessonkit, so a rebuild runs only what changed.
2. Their outputs are grafted onto the learner copies, ``course/<lesson>/<lesson>.ipynb``,
   for every code cell whose source is the same in both and that is neither an answer
   nor a test cell. Answer cells keep their stub, visible tests show no output.
3. Only those grafted learner notebooks, the landing page, the instructors' guides from
   ``docs/`` and nothing else go into the folder Sphinx reads (``<out>/source``), so no
   answer and no hidden test can reach a page, a download, the search index or
   ``_sources/``.
4. Sphinx (myst-nb, which never executes, and sphinx-book-theme) renders that folder
   with ``site/conf.py`` into ``<out>/html``: plain files, served from anywhere, making
   no request to any other server.

The site's copy of each lesson carries one more code cell, hidden on the page: on Colab
(or wherever lessonkit is missing) it installs lessonkit from the repository.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LESSONS = sorted(p.name for p in (ROOT / "course").iterdir()
                 if (p / f"{p.name}.ipynb").is_file())
CACHE = ROOT / ".site-cache"
OUT = HERE / "_build"
CELL_TIMEOUT_S = 300  # generous: the course's budget is 60 s a cell on a busy machine
# Bump when the way notebooks are run changes, so that old runs are not reused.
RUN_VERSION = "1"
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
INSTALL_CELL = """\
# On Google Colab, or anywhere the course is not installed: install its helpers first.
try:
    import lessonkit  # noqa: F401
except ImportError:
    %pip install --quiet --no-deps "git+{repository}@{branch}"
"""


def settings() -> dict:
    """site/settings.toml: the repository, branch and services of the launch buttons."""
    return tomllib.loads((HERE / "settings.toml").read_text())


def say(message: str) -> None:
    print(f"[site] {message}", flush=True)


# --- 1. running the reference notebooks ------------------------------------------------

def run_key(lesson: str) -> str:
    """What a run of a lesson depends on: its reference notebook and lessonkit's code."""
    digest = hashlib.sha256(RUN_VERSION.encode())
    digest.update((ROOT / "solutions" / lesson / f"{lesson}.ipynb").read_bytes())
    for path in sorted((ROOT / "lessonkit").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:20]


def cached_run(lesson: str, cache: Path) -> Path:
    return cache / f"{lesson}-{run_key(lesson)}.ipynb"


def run_reference(lesson: str, cache: Path) -> nbformat.NotebookNode:
    """The reference notebook of ``lesson`` with its outputs: from the cache, or run now."""
    from nbclient import NotebookClient

    path = cached_run(lesson, cache)
    if path.exists():
        return nbformat.read(path, as_version=4)
    nb = nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the inline backend
    env.update(QUIET_ENV)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"site-{lesson}-") as folder:
        client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                resources={"metadata": {"path": folder}})
        # the kernel's own log lines (a warning about its TCP transport) are not the
        # notebook's: cell errors still stop the build, with their traceback
        client.execute(env=env, cwd=folder, stderr=subprocess.DEVNULL)
    say(f"ran {lesson} in {time.perf_counter() - start:.0f} s")
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"{lesson}-*.ipynb"):  # runs of earlier versions
        old.unlink()
    nbformat.write(nb, path)
    return nb


# --- 2. grafting the outputs onto the learner copy -------------------------------------

def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer_or_test(cell) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("solution") or meta.get("grade"))


def graft(learner: nbformat.NotebookNode,
          reference: nbformat.NotebookNode | None) -> nbformat.NotebookNode:
    """The learner notebook, with the reference's outputs on the cells given as they are.

    A code cell gets the outputs of the reference cell with the same id when both have
    the same source and neither is an answer or a test cell (nbgrader metadata); every
    other code cell is shown without outputs. ``reference=None``: no outputs at all.
    """
    learner = nbformat.from_dict(learner)  # a copy
    by_id = {c.get("id"): c for c in (reference.cells if reference else [])}
    for cell in learner.cells:
        if cell.cell_type != "code":
            continue
        given = by_id.get(cell.get("id"))
        if (given is not None and given.source == cell.source
                and not is_answer_or_test(cell) and not is_answer_or_test(given)):
            cell.outputs, cell.execution_count = given.outputs, given.execution_count
        else:
            cell.outputs, cell.execution_count = [], None
    return learner


def add_install_cell(nb: nbformat.NotebookNode, config: dict) -> None:
    """Put the "install lessonkit if it is missing" cell before the first code cell.

    Tagged ``remove-cell``: the page does not show it, the download and Colab run it.
    """
    cell = nbformat.v4.new_code_cell(INSTALL_CELL.format(**config).rstrip("\n"))
    cell.metadata["tags"] = ["remove-cell"]
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code, cell)


# --- 3. the folder Sphinx reads ------------------------------------------------------

def lesson_table() -> dict[str, str]:
    """README's lesson table: lesson -> what the learner will do."""
    rows = re.findall(r"^\| `(\d\d-[\w-]+)` \| ([^|]+?) \|", (ROOT / "README.md").read_text(),
                      flags=re.M)
    return dict(rows)


def study_time(nb: nbformat.NotebookNode) -> str:
    """The lesson's own estimate, from its "**Estimated time:** ..." line."""
    for cell in nb.cells:
        found = re.search(r"\*\*Estimated time:\*\*\s*(.+?)\.(?:\s|$)", cell.source, re.S)
        if cell.cell_type == "markdown" and found:
            return " ".join(found.group(1).split())
    return ""


def title(nb: nbformat.NotebookNode) -> str:
    first = next(c.source for c in nb.cells if c.cell_type == "markdown")
    return first.splitlines()[0].lstrip("# ").strip()


def landing_page(lessons: dict[str, nbformat.NotebookNode]) -> str:
    """site/index.md with the lesson table (title, what you will do, study time)."""
    todo = lesson_table()
    rows = ["| lesson | you will | study time |", "| --- | --- | --- |"]
    for lesson, nb in lessons.items():
        rows.append(f"| [{title(nb)}](course/{lesson}/{lesson}.ipynb) | "
                    f"{todo.get(lesson, '')} | {study_time(nb)} |")
    toctree = "\n".join(f"course/{lesson}/{lesson}" for lesson in lessons)
    page = (HERE / "index.md").read_text()
    return (page.replace("{{ lesson_table }}", "\n".join(rows))
                .replace("{{ lesson_toctree }}", toctree))


def stage(source: Path, lessons: list[str], execute: set[str], cache: Path) -> None:
    """Fill ``source`` with what Sphinx may read: grafted lessons, landing page, guides."""
    config = settings()
    shutil.rmtree(source, ignore_errors=True)
    grafted = {}
    for lesson in lessons:
        learner = nbformat.read(ROOT / "course" / lesson / f"{lesson}.ipynb", as_version=4)
        if lesson in execute:
            reference = run_reference(lesson, cache)
        elif cached_run(lesson, cache).exists():
            reference = nbformat.read(cached_run(lesson, cache), as_version=4)
        else:
            reference = None
            say(f"{lesson}: not run, shown without outputs")
        nb = grafted[lesson] = graft(learner, reference)
        site_copy = nbformat.from_dict(nb)
        add_install_cell(site_copy, config)
        (source / "course" / lesson).mkdir(parents=True)
        nbformat.write(site_copy, source / "course" / lesson / f"{lesson}.ipynb")
    (source / "index.md").write_text(landing_page(grafted))
    guides = source / "instructors"
    guides.mkdir()
    shutil.copy(HERE / "instructors.md", guides / "index.md")
    for guide in sorted((ROOT / "docs").glob("*.md")):
        shutil.copy(guide, guides / guide.name)


# --- 4. Sphinx, and serving the result ------------------------------------------------

def sphinx(source: Path, out: Path) -> Path:
    html = out / "html"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(HERE),
               "-d", str(out / "doctrees"), str(source), str(html)]
    subprocess.run(command, check=True)
    return html


def serve(html: Path, port: int) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        say(f"serving the site on http://127.0.0.1:{server.server_address[1]}/ "
            "(stop with Ctrl+C)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def build(out: Path = OUT, lessons: list[str] | None = None, execute: str = "all",
          cache: Path = CACHE) -> Path:
    """Build the site into ``out`` (``out/html`` is the site); return the html folder."""
    lessons = lessons or LESSONS
    unknown = set(lessons) - set(LESSONS)
    if unknown:
        raise SystemExit(f"no such lesson: {', '.join(sorted(unknown))} (have: "
                         f"{', '.join(LESSONS)})")
    chosen = {"all": set(lessons), "none": set()}.get(execute) or set(execute.split(","))
    start = time.perf_counter()
    stage(out / "source", lessons, chosen, cache)
    shutil.rmtree(out / "html", ignore_errors=True)  # nothing of an earlier build stays
    html = sphinx(out / "source", out)
    say(f"built {len(lessons)} lessons in {time.perf_counter() - start:.0f} s into {html}")
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="build folder (site/_build)")
    parser.add_argument("--lessons", help="comma-separated lessons (default: all)")
    parser.add_argument("--execute", default="all",
                        help="lessons to run if their run is not cached: all (default), "
                             "none, or a comma-separated list; the others use a cached "
                             "run or are shown without outputs")
    parser.add_argument("--cache", type=Path, default=CACHE, help="runs cache (.site-cache)")
    parser.add_argument("--serve", action="store_true", help="serve the site on loopback")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (8000)")
    args = parser.parse_args(argv)
    lessons = args.lessons.split(",") if args.lessons else None
    html = build(args.out.resolve(), lessons, args.execute, args.cache.resolve())
    if args.serve:
        serve(html, args.port)
    else:
        say(f"open {html / 'index.html'} in a browser, or serve it: "
            f"python3.11 quickstart.py site --serve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
