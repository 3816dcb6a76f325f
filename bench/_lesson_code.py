"""Run code from a lesson's solutions notebook, so that a benchmark never copies it by hand.

    from _lesson_code import load_lesson_code

    ns = load_lesson_code("02-recurrent-networks",
                          grade_ids=["make_windows", "build_rnn_model"],
                          tags=["setup", "recipe"])
    X, y = ns["make_windows"](series, ns["WINDOW"])

Two kinds of cells can be taken from ``solutions/<lesson>/<lesson>.ipynb``:

- answer cells, by their nbgrader ``grade_id``: the reference answer, with the
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` marker lines removed (what a learner who
  solved the exercise would have typed);
- ordinary cells, by a Jupyter cell tag (``metadata.tags``), e.g. a cell tagged
  ``recipe`` that holds a lesson's constants.

The chosen cells run in notebook order, in one namespace, which is returned. Cells with
IPython syntax (``%magic``, ``!shell``) cannot be run this way; tag only plain Python.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def lesson_notebook(lesson: str) -> Path:
    """The path of a lesson's source notebook, ``solutions/<lesson>/<lesson>.ipynb``."""
    return ROOT / "solutions" / lesson / f"{lesson}.ipynb"


def strip_solution_markers(source: str) -> str:
    """A reference answer as plain Python: the solution marker lines removed, the code kept."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS)


def lesson_cells(lesson: str, grade_ids=(), tags=()) -> list[tuple[str, str]]:
    """``(label, source)`` of the wanted cells, in notebook order.

    Raises ``LookupError`` naming whatever was asked for and not found, so a renamed
    exercise or tag breaks the benchmark loudly instead of silently.
    """
    notebook = nbformat.read(lesson_notebook(lesson), as_version=4)
    wanted_ids, wanted_tags = set(grade_ids), set(tags)
    found_ids: set[str] = set()
    found_tags: set[str] = set()
    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell_tags = set(cell.metadata.get("tags", [])) & wanted_tags
        if grade_id in wanted_ids:
            found_ids.add(grade_id)
            cells.append(
                (f"{lesson} answer cell {grade_id!r}", strip_solution_markers(cell.source))
            )
        elif cell_tags:
            found_tags |= cell_tags
            cells.append((f"{lesson} cell {index} (tags {sorted(cell_tags)})", cell.source))
    missing = sorted(wanted_ids - found_ids) + [
        f"tag {t!r}" for t in sorted(wanted_tags - found_tags)
    ]
    if missing:
        raise LookupError(f"not found in {lesson_notebook(lesson)}: {', '.join(missing)}")
    return cells


def load_lesson_code(lesson: str, grade_ids=(), tags=(), namespace: dict | None = None) -> dict:
    """Execute the chosen cells of a lesson in order, in ``namespace`` (a new dict by default).

    Returns the namespace, holding everything the cells defined.
    """
    namespace = (
        {"__name__": f"lesson_{lesson.replace('-', '_')}"} if namespace is None else namespace
    )
    for label, source in lesson_cells(lesson, grade_ids, tags):
        exec(compile(source, label, "exec"), namespace)  # noqa: S102 (our own notebooks)
    return namespace
