"""The source notebooks follow the authoring contract (docs/authoring.md)."""

from __future__ import annotations

import ast
import copy
import functools
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
    notebook only learner work, so that the grader, which runs it outside the learner's
    kernel, never depends on what an ordinary cell computed. And one mistake loses points
    once (issue 19): a test cell of function ``f`` takes only ``f`` and the learner-made
    objects the lesson names (``LEARNER_OBJECTS``), never another graded function (a function
    that builds on another takes it as an argument, and the test passes its own); an outcome
    cell (a grade id of no function) takes only learner-made objects."""
    from classroom.sandbox.trusted import free_names

    functions = GRADED_FUNCTIONS[lesson]
    objects = set(LEARNER_OBJECTS.get(lesson, []))
    problems = []
    for grade_id, cell in graded_test_cells(solution).items():
        owner = function_of(grade_id, functions)
        allowed = objects | ({owner} if owner else set())
        outside = free_names(ast.parse(cell.source)) - allowed
        if not outside:
            continue
        whose = f"a test of {owner}" if owner else "an outcome test"
        graded = sorted(outside & set(functions))
        other = sorted(outside - set(functions))
        problems.append(
            f"{lesson}: {grade_id} ({whose}) uses "
            + "; ".join(part for part in (
                f"other graded functions {graded}" if graded else "",
                f"{other} from the notebook" if other else "") if part)
            + f"; it may take only {sorted(allowed)}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------
# No answer shown before it is graded (issue 19): no given code cell of a lesson (neither an
# answer cell nor a test cell) contains the code of a graded function of that lesson or of an
# earlier one, even renamed. The code compared is the body of each graded function's
# reference answer (its solution region) and of its alternates in tests/variants, with
# docstrings dropped and every identifier replaced by a placeholder numbered in order of
# appearance, so that a copy with other names is caught, inside a `def` or pasted inline.

WINDOW = 3  # statements compared at once; a shorter body is compared whole
# A body shorter than a window with fewer syntax nodes than this (``x @ W + b``,
# ``np.maximum(x, 0)``) is the function's formula, which the text states anyway: not compared.
MIN_NODES = 8
_NOT_COUNTED = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _size(statements: list[ast.stmt]) -> int:
    return sum(1 for s in statements for node in ast.walk(s)
               if not isinstance(node, _NOT_COUNTED))
_BUILTINS = set(dir(__import__("builtins")))


def _without_docstrings(body: list[ast.stmt]) -> list[ast.stmt]:
    return [s for s in body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                    and isinstance(s.value.value, str))]


def _normalised(statements: list[ast.stmt], keep_targets: bool) -> str:
    """The statements as one string in which names carry no meaning: identifiers (variables,
    arguments, the module alias) become placeholders numbered by first appearance, and nested
    docstrings are dropped. A ``return E`` becomes an assignment ``r = E`` (a body pasted
    inline assigns what the function returned); without ``keep_targets``, every ``x = E``
    becomes plain ``E``, so that a paste that assigns to new names is caught too."""
    names: dict[str, str] = {}

    class Rename(ast.NodeTransformer):
        def _name(self, name: str) -> str:
            if name in _BUILTINS:
                return name
            return names.setdefault(name, f"_v{len(names)}")

        def visit_Name(self, node):
            return ast.copy_location(ast.Name(id=self._name(node.id), ctx=ast.Load()), node)

        def visit_arg(self, node):
            node.arg = self._name(node.arg)
            node.annotation = None
            return node

        def visit_FunctionDef(self, node):
            node.name = self._name(node.name)
            node.body = _without_docstrings(node.body) or [ast.Pass()]
            node.decorator_list, node.returns = [], None
            self.generic_visit(node)
            return node

    def plain(statement: ast.stmt) -> ast.AST:
        if isinstance(statement, ast.Return) and statement.value is not None:
            statement = ast.Assign(targets=[ast.Name(id="_returned", ctx=ast.Store())],
                                   value=statement.value)
        if isinstance(statement, ast.AnnAssign) and statement.value is not None:
            statement = ast.Assign(targets=[statement.target], value=statement.value)
        if not keep_targets and isinstance(statement, ast.Assign) \
                and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            return ast.Expr(value=statement.value)
        return statement

    module = ast.Module(body=[plain(copy.deepcopy(s)) for s in statements], type_ignores=[])
    return ast.dump(Rename().visit(module), annotate_fields=False)


def _windows(body: list[ast.stmt], size: int) -> set[str]:
    body = _without_docstrings(body)
    return {_normalised(body[i:i + size], keep) for i in range(len(body) - size + 1)
            for keep in (True, False)} if size else set()


def _statement_lists(tree: ast.AST):
    """Every list of statements in a piece of code: the module, and the bodies of its
    functions, loops, branches, ``with`` and ``try`` blocks, at any depth."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                yield value
        for handler in getattr(node, "handlers", []) or []:
            yield handler.body


def _function_body(source: str, fn: str) -> list[ast.stmt] | None:
    """The body of ``def fn`` in ``source`` (None if it does not parse or has no such def)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fn:
            return _without_docstrings(node.body)
    return None


def _reference_codes(lesson: str) -> list[tuple[str, str, str, list[ast.stmt]]]:
    """(lesson, function, which code, body) of every graded function of ``lesson``: the
    solution region of its answer cell, and each alternate in tests/variants."""
    from grading import read_variants, reference_answers

    path = notebook_path(ROOT / "solutions", lesson)
    if not path.exists():
        return []
    codes = []
    for fn, source in reference_answers(read_notebook(path)).items():
        body = _function_body(source, fn)
        if body:
            codes.append((lesson, fn, "its reference answer", body))
    if (ROOT / "tests" / "variants" / f"{lesson}.py").exists():
        for fn, versions in read_variants(lesson).alternate.items():
            for version in versions:
                body = _function_body(version.source, fn)
                if body:
                    codes.append((lesson, fn, f"its alternate '{version.note}'", body))
    return codes


def _given_code_cells(nb) -> list[tuple[int, str]]:
    answers = {id(c) for c in answer_cells(nb).values()}
    tests = {id(c) for c in graded_test_cells(nb).values()}
    return [(i, c.source) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and id(c) not in answers and id(c) not in tests
            and not nbgrader_meta(c).get("solution") and not nbgrader_meta(c).get("grade")]


@functools.cache
def _reference_windows(lesson: str) -> tuple[tuple[str, str, str, int, frozenset[str]], ...]:
    """(lesson, function, which code, window size, normalised windows) of every graded
    function of ``lesson``, computed once per test session."""
    out = []
    for ref_lesson, fn, which, body in _reference_codes(lesson):
        size = min(WINDOW, len(body))
        if size == len(body) and _size(body) < MIN_NODES:
            continue
        out.append((ref_lesson, fn, which, size, frozenset(_windows(body, size))))
    return tuple(out)


def shown_answers(lesson: str, nb) -> list[str]:
    """Where ``lesson``'s given code shows a graded function of it or of an earlier lesson."""
    references = [code for name in LESSONS for code in _reference_windows(name)]
    graded_names = {fn: name for name in LESSONS for fn in GRADED_FUNCTIONS[name]}
    problems = []
    for index, source in _given_code_cells(nb):
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue  # IPython magics: nothing to compare
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                    and node.name.strip("_") in graded_names:
                name = node.name.strip("_")
                problems.append(f"{lesson}: given code cell {index} defines {node.name}, the "
                                f"graded function {name} of {graded_names[name]}")
        lists = list(_statement_lists(tree))
        given = {size: set().union(*(_windows(s, size) for s in lists))
                 for size in range(1, WINDOW + 1)}
        found = set()
        for ref_lesson, fn, which, size, wanted in references:
            if (fn, ref_lesson) not in found and wanted & given.get(size, set()):
                found.add((fn, ref_lesson))
                problems.append(
                    f"{lesson}: given code cell {index} contains the code of the graded "
                    f"function {fn} of {ref_lesson} ({which}, names aside)")
    return problems


def test_given_code_shows_no_graded_answer(lesson, solution):
    """Issue 19, "no answer shown before it is graded": a lesson that needs an earlier graded
    function uses Keras, TensorFlow or a numpy call that is not the graded function's body."""
    problems = shown_answers(lesson, solution)
    assert not problems, "\n".join(problems)


def test_shown_answers_are_caught_renamed_and_inline():
    """The check above catches a renamed copy inside a def and a body pasted inline, and
    leaves a call of the graded function alone."""
    import nbformat

    def lesson_with(source):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source)]
        return shown_answers("04-lstm", nb)

    renamed = ("def squash(a):\n    '''my own'''\n    a = np.asarray(a, dtype=float)\n"
               "    res = np.empty_like(a)\n    pos = a >= 0\n"
               "    res[pos] = 1.0 / (1.0 + np.exp(-a[pos]))\n    return res\n")
    assert any("sigmoid" in p for p in lesson_with(renamed))
    inline = ("z = rng.normal(size=3)\nz = numpy.asarray(z, dtype=float)\n"
              "o = numpy.empty_like(z)\nm = z >= 0\nprint(o)\n")
    assert any("sigmoid" in p for p in lesson_with(inline))
    assert any("sigmoid" in p for p in lesson_with("gate = 0.5 * (1.0 + np.tanh(0.5 * pre))\n"))
    assert not lesson_with("p = sigmoid(z)\nloss = mse_loss(p, y)\n")


# ---------------------------------------------------------------------------------------
# Study time and points (issue 19): the first cell says "**Estimated time:** about N
# minutes", N about (markdown words / 80) + 10 per graded function; the total points are
# about N / 4; both within +-30%.

TOLERANCE = 0.3
WORDS_PER_MINUTE = 80
MINUTES_PER_FUNCTION = 10
MINUTES_PER_POINT = 4


def markdown_words(nb) -> int:
    return sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")


def estimated_minutes(lesson: str, nb) -> float:
    """What the rule gives for a lesson (before rounding to 15 minutes)."""
    return (markdown_words(nb) / WORDS_PER_MINUTE
            + MINUTES_PER_FUNCTION * len(GRADED_FUNCTIONS[lesson]))


def stated_minutes(nb) -> int | None:
    match = re.search(r"\*\*Estimated time:\*\*\s*about (\d+) minutes", nb.cells[0].source)
    return int(match[1]) if match else None


def test_estimated_time_follows_the_text_and_exercises(lesson, solution):
    stated, rule = stated_minutes(solution), estimated_minutes(lesson, solution)
    assert stated is not None, (
        f"{lesson}: the first cell must say '**Estimated time:** about N minutes' "
        f"(the rule gives about {rule:.0f}: {markdown_words(solution)} words of text / "
        f"{WORDS_PER_MINUTE} + {MINUTES_PER_FUNCTION} per graded function)")
    assert abs(stated - rule) <= TOLERANCE * rule, (
        f"{lesson}: the first cell states about {stated} minutes, the rule gives {rule:.0f} "
        f"({markdown_words(solution)} words / {WORDS_PER_MINUTE} + {MINUTES_PER_FUNCTION} x "
        f"{len(GRADED_FUNCTIONS[lesson])} graded functions), +-{TOLERANCE:.0%} allowed")


def test_points_follow_the_study_time(lesson, solution):
    """A lesson's total points are about its stated minutes / 4. 00-welcome is the ungraded
    practice lesson (PRACTICE_LESSONS): its points are not counted."""
    from curriculum import PRACTICE_LESSONS

    if lesson in PRACTICE_LESSONS:
        pytest.skip(f"{lesson} is a practice lesson: its points are not counted")
    stated = stated_minutes(solution) or estimated_minutes(lesson, solution)
    points = sum(nbgrader_meta(c).get("points", 0) for c in graded_test_cells(solution).values())
    target = stated / MINUTES_PER_POINT
    assert abs(points - target) <= TOLERANCE * target, (
        f"{lesson}: {points:g} points for about {stated} minutes; the rule asks about "
        f"{target:.0f} (minutes / {MINUTES_PER_POINT}, +-{TOLERANCE:.0%})")


def test_the_welcome_table_gives_each_lessons_own_study_time():
    """00-welcome lists every lesson with its study time: the time its own first cell states."""
    welcome = read_notebook(notebook_path(ROOT / "solutions", LESSONS[0]))
    table = next(c.source for c in welcome.cells if "| study time |" in c.source)
    listed = dict(re.findall(r"^\| (\d\d) · [^|]+\|[^|]+\| about (\d+) min \|$", table, re.M))
    assert sorted(listed) == [lesson[:2] for lesson in LESSONS], listed
    for lesson in LESSONS:
        own = stated_minutes(read_notebook(notebook_path(ROOT / "solutions", lesson)))
        assert int(listed[lesson[:2]]) == own, (
            f"00-welcome lists {lesson} at about {listed[lesson[:2]]} min; the lesson says {own}")
