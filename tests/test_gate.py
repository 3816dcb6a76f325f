"""The grading gate: every lesson, through the real nbgrader commands.

For each lesson, in a temporary copy of the course, ``nbgrader generate_assignment``
makes the learner copy, and one ``nbgrader autograde`` run grades a handful of
submissions at once:

- ``reference``: the released notebook with the reference answers typed in;
- ``untouched``: the released notebook as a learner receives it;
- ``wrong-1`` and ``wrong-2``: functions number 0, 2, 4, ... (in ``GRADED_FUNCTIONS``
  order) carry a wrong version in ``wrong-1`` and an alternate (a correct answer written
  differently) in ``wrong-2``; the odd-numbered ones the other way round. Each wrong
  function must lose points in its own cells, and no function at an alternate, and no
  outcome cell, may lose any ("one mistake loses points once", issue 19), unless
  ``curriculum.OUTCOME_DEPENDS`` declares the outcome the product of a wrong one (or
  ``curriculum.BUILDS_ON`` the function built on one).

Every other version in ``tests/variants/<lesson>.py`` (each known wrong version, each
alternate) and each "does nothing" version (``grading.NOTHING_KINDS``: returns None,
returns zeros of the right shape, returns its first argument; issue 23) is tried against
its own function's test cells in one run of the reference notebook
(``grading.run_versions``): wrong ones must lose points, does-nothing ones must earn none,
alternates must earn all. That keeps the gate at five notebook runs a lesson, whatever the
number of versions (the CI budget), while every version is still scored by nbgrader's
own rule in a real kernel.
"""

from __future__ import annotations

import filecmp
from dataclasses import dataclass
from pathlib import Path

import pytest
from curriculum import BUILDS_ON, GRADED_FUNCTIONS, LESSONS, OBJECT_RESULTS, OUTCOME_DEPENDS
from grading import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    NOTHING_KINDS,
    ROOT,
    SOLUTION_BEGIN,
    SOLUTION_END,
    Variants,
    VersionRun,
    answer_cells,
    cell_scores,
    describe_failure,
    does_nothing_answer,
    failures,
    function_of,
    graded_test_cells,
    make_course_copy,
    marked_lines,
    nbgrader,
    notebook_path,
    read_notebook,
    read_variants,
    reference_answers,
    run_versions,
    submit_locally,
    with_answers,
)

pytestmark = pytest.mark.gate


@dataclass
class GateRun:
    lesson: str
    course: Path
    functions: list[str]
    solution: object
    release: object
    variants: Variants
    wrong_in: dict[str, str]  # function -> the wrong-* submission where it is wrong
    scores: dict[str, dict[str, tuple[float, float]]]  # student -> grade_id -> (score, max)
    versions: VersionRun  # every version of every function against its own test cells
    log: str

    def autograded(self, student: str):
        return read_notebook(notebook_path(self.course / "autograded" / student, self.lesson))

    def function_score(self, student: str, fn: str) -> tuple[float, float]:
        cells = [v for k, v in self.scores[student].items() if function_of(k, self.functions) == fn]
        return sum(s for s, _ in cells), sum(m for _, m in cells)

    def version_score(self, label: str) -> tuple[float, float]:
        """What one version (``version_label``) earned in its function's test cells."""
        cells = self.versions.scores.get(label, {}).values()
        return sum(s for s, _ in cells), sum(m for _, m in cells)

    def earning_cells(self, label: str) -> list[str]:
        """The test cells in which a version earned points, with their score."""
        return [f"{k} {s:g}/{m:g}" for k, (s, m) in self.versions.scores[label].items() if s > 0]

    def why(self, student: str, fn: str) -> str:
        """What the test cells of ``fn`` printed as errors in ``student``'s graded notebook."""
        graded = graded_test_cells(self.autograded(student))
        reasons = [f"{grade_id}: {describe_failure(output)}"
                   for grade_id, cell in graded.items()
                   if function_of(grade_id, self.functions) == fn
                   for output in failures(cell)]
        return "; ".join(reasons) or "no error output (see the autograde log)"

    def total(self, student: str) -> tuple[float, float]:
        return (sum(s for s, _ in self.scores[student].values()),
                sum(m for _, m in self.scores[student].values()))


def version_label(fn: str, kind: str, k: int) -> str:
    """``relu wrong 2``: the second wrong version of ``relu`` (k from 1)."""
    return f"{fn} {kind} {k}"


def _versions(lesson: str, variants: Variants, reference: dict[str, str],
              functions: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Every version to try at each function's test cells: its wrong versions, its
    alternates and its does-nothing versions (not "returns zeros" for a function whose
    result is an object: that returns the reference's model, a right answer)."""
    kept = OBJECT_RESULTS.get(lesson, [])
    versions: dict[str, list[tuple[str, str]]] = {}
    for fn in functions:
        for kind in ("wrong", "alternate"):
            for k, version in enumerate(getattr(variants, kind).get(fn, []), 1):
                versions.setdefault(fn, []).append((version_label(fn, kind, k), version.source))
        for k, kind in enumerate(NOTHING_KINDS, 1):
            if not (kind == "returns zeros" and fn in kept):
                versions.setdefault(fn, []).append((version_label(fn, "nothing", k),
                                                    does_nothing_answer(fn, kind, reference[fn],
                                                                        functions)))
    return versions


@pytest.fixture(
    scope="module",
    params=LESSONS,  # conftest.py keeps each lesson's tests in one xdist worker
)
def gate(request, tmp_path_factory) -> GateRun:
    lesson = request.param
    functions = GRADED_FUNCTIONS[lesson]
    course = make_course_copy(tmp_path_factory.mktemp(f"gate-{lesson}"), [lesson])
    nbgrader(course, "generate_assignment", lesson, "--force")

    solution = read_notebook(notebook_path(course / "solutions", lesson))
    release = read_notebook(notebook_path(course / "course", lesson))
    variants = read_variants(lesson)

    reference = reference_answers(solution)
    submissions = {"reference": with_answers(release, reference), "untouched": release}
    wrong_in, mixed = {}, {"wrong-1": {}, "wrong-2": {}}
    for i, fn in enumerate(functions):
        wrong, right = ("wrong-1", "wrong-2") if i % 2 == 0 else ("wrong-2", "wrong-1")
        if variants.wrong.get(fn):
            wrong_in[fn] = wrong
            mixed[wrong][fn] = variants.wrong[fn][0].source
        if variants.alternate.get(fn):
            mixed[right][fn] = variants.alternate[fn][0].source
    for student, answers in mixed.items():
        submissions[student] = with_answers(release, {**reference, **answers})
    for student, nb in submissions.items():
        submit_locally(course, lesson, student, nb)

    result = nbgrader(course, "autograde", lesson, "--force")
    scores = {student: cell_scores(course, lesson, student) for student in submissions}
    versions = run_versions(course, lesson, solution, functions,
                            _versions(lesson, variants, reference, functions))
    return GateRun(lesson, course, functions, solution, release, variants, wrong_in, scores,
                   versions, result.stdout + result.stderr)


def test_release_is_what_nbgrader_generates(gate: GateRun):
    """course/<lesson> is exactly what generate_assignment makes from solutions/<lesson>."""
    committed = ROOT / "course" / gate.lesson
    generated = gate.course / "course" / gate.lesson
    assert committed.is_dir(), f"{committed} is missing: run nbgrader generate_assignment"
    compare = filecmp.dircmp(committed, generated, ignore=[".ipynb_checkpoints", "__pycache__"])
    stale = compare.left_only + compare.right_only
    differ = [name for name in compare.common_files
              if (committed / name).read_bytes() != (generated / name).read_bytes()]
    assert not stale and not differ, (
        f"course/{gate.lesson} has drifted from solutions/{gate.lesson} "
        f"(only on one side: {stale}, different: {differ}); regenerate it with "
        f"`nbgrader generate_assignment {gate.lesson} --force`"
    )


def test_release_hides_solutions_and_hidden_tests(gate: GateRun):
    released_answers = answer_cells(gate.release)
    released_tests = graded_test_cells(gate.release)
    text = "\n".join(c.source for c in gate.release.cells)
    for marker in (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END):
        assert marker not in text
    assert sorted(released_answers) == sorted(gate.functions), "one answer cell per function"
    for grade_id, cell in answer_cells(gate.solution).items():
        stub = released_answers[grade_id].source
        assert "raise NotImplementedError(" in stub, f"{grade_id}: the stub should raise"
        leaked = [line for line in marked_lines(cell.source, SOLUTION_BEGIN, SOLUTION_END)
                  if len(line.strip()) > 12 and line in stub.splitlines()]
        assert not leaked, f"{grade_id}: solution lines in the release: {leaked}"
    for grade_id, cell in graded_test_cells(gate.solution).items():
        hidden = marked_lines(cell.source, HIDDEN_BEGIN, HIDDEN_END)
        shown = released_tests[grade_id].source.splitlines()
        leaked = [line for line in hidden if len(line.strip()) > 12 and line in shown]
        assert not leaked, f"{grade_id}: hidden test lines in the release: {leaked}"


def test_reference_answers_get_full_marks_and_run_cleanly(gate: GateRun, record_property):
    score, maximum = gate.total("reference")
    record_property("gate", (gate.lesson, "reference", f"{score:g}/{maximum:g}"))
    assert maximum > 0
    lost = {k: v for k, v in gate.scores["reference"].items() if v[0] < v[1]}
    assert not lost, f"the reference answers lose points in {lost}\n{gate.log[-3000:]}"
    for i, cell in enumerate(gate.autograded("reference").cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", (
                f"cell {i} raised {output.ename}: {output.evalue}\n{cell.source[:500]}"
            )
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"cell {i} wrote to stderr:\n{output.text[:1000]}"
            )


def test_untouched_release_scores_zero(gate: GateRun, record_property):
    score, maximum = gate.total("untouched")
    record_property("gate", (gate.lesson, "untouched", f"{score:g}/{maximum:g}"))
    earned = {k: v for k, v in gate.scores["untouched"].items() if v[0] > 0}
    assert not earned, f"the untouched release earns points in {earned}"


def test_wrong_versions_are_caught(gate: GateRun, record_property):
    """Every known wrong version loses points in its own function's test cells, tried in
    the reference run; and the one placed in a whole submission loses them there too, under
    the real autograde."""
    problems, caught, total = [], 0, 0
    problems += [f"the reference run, with the versions tried, failed at {e}"
                 for e in gate.versions.errors]
    for fn in gate.functions:
        versions = gate.variants.wrong.get(fn, [])
        if len(versions) < 2:
            problems.append(f"{fn}: {len(versions)} wrong versions in tests/variants (need 2)")
        for k, version in enumerate(versions, 1):
            total += 1
            score, maximum = gate.version_score(version_label(fn, "wrong", k))
            if maximum == 0:
                problems.append(f"{fn}: no test cells named test_{fn}...")
            elif score < maximum:
                caught += 1
            else:
                problems.append(f"{fn}: wrong version '{version.note}' gets full marks")
        if fn in gate.wrong_in:
            score, maximum = gate.function_score(gate.wrong_in[fn], fn)
            if score >= maximum:
                problems.append(f"{fn}: wrong version '{versions[0].note}' gets full marks "
                                f"in the submission {gate.wrong_in[fn]}")
    record_property("gate", (gate.lesson, "wrong caught", f"{caught}/{total}"))
    problems += _in_place_problems(gate)
    assert not problems, "\n".join(problems)


def _in_place_problems(gate: GateRun) -> list[str]:
    """Issue 18 (B): a wrong version that edits its input in place (its note says "in place")
    and returns wrong values must earn none of its function's parity points (the
    ``test_<fn>_hidden`` cells), which would happen if a hidden test computed its expected
    values after the call, from the input the function has changed. At least one per lesson."""
    found = []
    for fn in gate.functions:
        for k, version in enumerate(gate.variants.wrong.get(fn, []), 1):
            if "in place" not in version.note:
                continue
            hidden = [s for grade_id, s in
                      gate.versions.scores.get(version_label(fn, "wrong", k), {}).items()
                      if grade_id.startswith(f"test_{fn}_hidden")]
            found.append((fn, version.note, sum(s for s, _ in hidden),
                          sum(m for _, m in hidden)))
    if any(maximum > 0 and score == 0 for _, _, score, maximum in found):
        return []
    seen = "; ".join(f"{fn} '{note}' gets {score:g}/{maximum:g} of test_{fn}_hidden"
                     for fn, note, score, maximum in found) or "none"
    return [f"no wrong version that edits its input in place (note saying 'in place') and "
            f"returns wrong values earns 0 of its function's _hidden points (found: {seen})"]


def test_one_mistake_loses_points_once(gate: GateRun, record_property):
    """Issue 19: in a submission where some functions are wrong, every function not wrong
    there (at an alternate answer) keeps all its points (unless ``BUILDS_ON`` says that it
    calls one of the wrong ones), and so does every outcome cell (a grade id of no
    function), unless ``OUTCOME_DEPENDS`` declares that outcome the product of a function
    that is wrong there (a learner's model built by their ``build_*`` function). A test
    cell that used another graded function, or an outcome that ran the learner's functions,
    would lose points for a mistake made elsewhere."""
    depends = OUTCOME_DEPENDS.get(gate.lesson, {})
    builds_on = BUILDS_ON.get(gate.lesson, {})
    problems, kept, total = [], 0, 0
    for student in ("wrong-1", "wrong-2"):
        wrong = {fn: gate.variants.wrong[fn][0].note
                 for fn, s in gate.wrong_in.items() if s == student}
        blame = "; ".join(f"{fn}: {note}" for fn, note in wrong.items()) or "none"
        for fn in gate.functions:
            if fn in wrong or set(builds_on.get(fn, [])) & set(wrong):
                continue
            total += 1
            score, maximum = gate.function_score(student, fn)
            if score == maximum:
                kept += 1
            else:
                problems.append(f"{student}: {fn} is an alternate answer but gets "
                                f"{score:g}/{maximum:g} ({gate.why(student, fn)}) while "
                                f"these are wrong: {blame}")
        for grade_id, (score, maximum) in gate.scores[student].items():
            if function_of(grade_id, gate.functions) is not None:
                continue
            if set(depends.get(grade_id, [])) & set(wrong):
                continue
            total += 1
            if score == maximum:
                kept += 1
            else:
                problems.append(f"{student}: the outcome cell {grade_id} gets "
                                f"{score:g}/{maximum:g} while these are wrong: {blame} "
                                f"(tests/curriculum.py OUTCOME_DEPENDS declares none of them)")
    record_property("gate", (gate.lesson, "lost once", f"{kept}/{total}"))
    assert not problems, "\n".join(problems)


def test_alternates_get_full_marks(gate: GateRun, record_property):
    """Every alternate earns all its function's points, tried in the reference run; the
    first alternates, all in whole submissions beside wrong functions, are checked by
    test_one_mistake_loses_points_once."""
    problems, accepted, total = [], 0, 0
    for fn in gate.functions:
        versions = gate.variants.alternate.get(fn, [])
        if not versions:
            problems.append(f"{fn}: no alternate version in tests/variants")
        for k, version in enumerate(versions, 1):
            total += 1
            label = version_label(fn, "alternate", k)
            score, maximum = gate.version_score(label)
            if maximum > 0 and score == maximum:
                accepted += 1
            else:
                problems.append(f"{fn}: alternate '{version.note}' gets {score:g}/{maximum:g} "
                                f"({'; '.join(gate.versions.why.get(label, [])) or 'no error'})")
    record_property("gate", (gate.lesson, "alternates accepted", f"{accepted}/{total}"))
    assert not problems, "\n".join(problems)


def test_functions_that_compute_nothing_earn_nothing(gate: GateRun, record_property):
    """Issue 23: a function that returns None, zeros of the right shape, or its first
    argument earns none of its function's points, side-promise cells (_unchanged, _dtype,
    _errors, ...) included. A function whose result is an object (``OBJECT_RESULTS``, a
    Keras model) is not counted for "returns zeros": that version returns the reference's
    model."""
    problems, caught, total = [], 0, 0
    kept = OBJECT_RESULTS.get(gate.lesson, [])
    for k, kind in enumerate(NOTHING_KINDS, 1):
        for fn in gate.functions:
            if kind == "returns zeros" and fn in kept:
                continue
            total += 1
            label = version_label(fn, "nothing", k)
            score, maximum = gate.version_score(label)
            if maximum == 0:
                problems.append(f"{fn}: no test cells named test_{fn}...")
            elif score == 0:
                caught += 1
            else:
                problems.append(f"{fn} that {kind} earns {score:g}/{maximum:g}: "
                                f"{', '.join(gate.earning_cells(label))}")
    record_property("gate", (gate.lesson, "does nothing", f"{caught}/{total}"))
    assert not problems, "\n".join(problems)
