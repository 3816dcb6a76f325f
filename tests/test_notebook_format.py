"""The source notebooks follow the authoring contract (docs/authoring.md)."""

from __future__ import annotations

import ast
import re

import pytest
from curriculum import GRADED_FUNCTIONS, LEARNER_OBJECTS, LESSONS
from grading import (
    HIDDEN_BEGIN,
    ROOT,
    SOLUTION_BEGIN,
    answer_cells,
    function_of,
    graded_test_cells,
    nbgrader_meta,
    notebook_path,
    read_notebook,
)


@pytest.fixture(params=LESSONS)
def lesson(request):
    return request.param


@pytest.fixture
def solution(lesson):
    path = notebook_path(ROOT / "solutions", lesson)
    assert path.exists(), f"{path} is missing"
    return read_notebook(path)


def test_committed_without_outputs(solution):
    for i, cell in enumerate(solution.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"cell {i} has outputs"
            assert cell.execution_count is None, f"cell {i} has an execution count"
    assert solution.metadata["kernelspec"]["name"] == "python3"


def test_nbgrader_metadata_is_valid(solution):
    ids = [nbgrader_meta(c)["grade_id"] for c in solution.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    for cell in solution.cells:
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        assert meta["schema_version"] == 3
        if meta.get("grade"):
            assert meta.get("locked") and meta.get("points", 0) > 0, meta["grade_id"]
            assert meta["grade_id"].startswith("test_"), meta["grade_id"]


def test_every_graded_function_has_answer_cell_and_tests(lesson, solution):
    functions = GRADED_FUNCTIONS[lesson]
    answers = answer_cells(solution)
    assert sorted(answers) == sorted(functions)
    for fn, cell in answers.items():
        assert SOLUTION_BEGIN in cell.source, f"{fn}: no solution region"
        assert re.search(rf"^def {fn}\(", cell.source, re.M), f"{fn}: the cell must define {fn}"
    tests = graded_test_cells(solution)
    for fn in functions:
        mine = [c.source for k, c in tests.items() if function_of(k, functions) == fn]
        assert any(HIDDEN_BEGIN not in s for s in mine), f"{fn}: no visible test cell"
        assert any(HIDDEN_BEGIN in s for s in mine), f"{fn}: no hidden tests"


def test_lessonkit_is_imported_before_tensorflow(solution):
    code = [c.source for c in solution.cells if c.cell_type == "code"]
    first_lessonkit = next(i for i, s in enumerate(code) if "import lessonkit" in s
                           or "from lessonkit" in s)
    before = "\n".join(code[:first_lessonkit] + [code[first_lessonkit].split("lessonkit")[0]])
    assert "tensorflow" not in before and "keras" not in before


def test_lesson_opens_with_goals(solution):
    first = solution.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")


def test_test_cells_take_only_learner_work_from_the_notebook(lesson, solution):
    """Rules 1 and 2 of docs/authoring.md: a test cell imports its modules and takes from the
    notebook only the graded functions and the learner-made objects the lesson names
    (tests/curriculum.py), so that the grader, which runs it outside the learner's kernel,
    never depends on what an ordinary cell computed."""
    from classroom.sandbox.trusted import free_names

    allowed = set(GRADED_FUNCTIONS[lesson]) | set(LEARNER_OBJECTS.get(lesson, []))
    problems = []
    for grade_id, cell in graded_test_cells(solution).items():
        outside = free_names(ast.parse(cell.source)) - allowed
        if outside:
            problems.append(f"{grade_id} uses {sorted(outside)} from the notebook")
    assert not problems, "\n".join(problems)
