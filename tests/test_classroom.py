"""The instructor's tools that close nbgrader's gaps (classroom/)."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from grading import (
    ROOT,
    cell_scores,
    make_course_copy,
    nbgrader,
    read_notebook,
    reference_answers,
    submit_locally,
    with_answers,
)
from nbformat.v4 import new_code_cell, new_notebook, new_output

from classroom.preprocessors import HideHiddenTests, LimitOutputSize
from classroom.status import explain_failure, submission_status


def _test_cell(source, outputs):
    cell = new_code_cell(source, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_f_hidden", "points": 2,
                                 "locked": True, "solution": False, "schema_version": 3}
    return cell


def test_hidden_test_code_is_hidden_but_the_reason_is_kept():
    error = new_output("error", ename="AssertionError", evalue="f(x) is off in 3 of 4 entries",
                       traceback=["Traceback", "check_close(f(secret_input), 42)", "Assert..."])
    source = ("# visible part\n### BEGIN HIDDEN TESTS\nsecret_input = 7\n"
              "check_close(f(secret_input), 42)\n### END HIDDEN TESTS\nprint('after')")
    nb = new_notebook(cells=[_test_cell(source, [error]), new_code_cell("secret_input = 1")])
    nb, _ = HideHiddenTests().preprocess(nb, {})
    hidden = nb.cells[0]
    assert "secret_input" not in hidden.source and "check_close" not in hidden.source
    assert "# visible part" in hidden.source and "print('after')" in hidden.source
    assert hidden.outputs[0].traceback == ["AssertionError: f(x) is off in 3 of 4 entries"]
    assert nb.cells[1].source == "secret_input = 1"  # not a test cell: untouched


def test_outputs_are_capped_in_size():
    big = "y" * 500_000
    cell = new_code_cell("print(...)", outputs=[
        new_output("stream", name="stdout", text=big),
        new_output("execute_result", data={"text/plain": big, "image/png": big}),
        new_output("error", ename="E", evalue=big, traceback=[big] * 200),
    ])
    nb, _ = LimitOutputSize(max_chars=1000).preprocess(new_notebook(cells=[cell]), {})
    stream, result, error = nb.cells[0].outputs
    assert len(stream.text) < 1200 and "499,000 more characters" in stream.text
    assert len(result.data["text/plain"]) < 1200 and "image/png" not in result.data
    assert len(error.evalue) < 1200 and len(error.traceback) == 50


@pytest.mark.parametrize("log, reason", [
    ("DeadKernelError: Kernel died", "kernel died"),
    ("nbformat.reader.NotJSONError: Notebook does not appear to be JSON", "not JSON"),
    ("[AutogradeApp | ERROR] No notebooks were matched by 'x'", "no notebook"),
    ("[AutogradeApp | ERROR] Something odd", "Something odd"),
])
def test_failures_are_explained(log, reason):
    assert reason in explain_failure(log)


def test_status_of_a_learner_who_never_submitted(tmp_path):
    assert submission_status(tmp_path, "00-welcome", "zoe", ["00-welcome"]) == (
        "not submitted", [])


def _validate(folder, *paths):
    return subprocess.run([sys.executable, "-m", "classroom.validate", *map(str, paths)],
                          cwd=folder, capture_output=True, text=True, timeout=300)


def test_validate_exits_non_zero_when_a_test_fails(tmp_path):
    lesson = "00-welcome"
    course = make_course_copy(tmp_path / "course", [lesson])
    nbgrader(course, "generate_assignment", lesson, "--force")
    release = read_notebook(course / "course" / lesson / f"{lesson}.ipynb")
    solution = read_notebook(ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    untouched = tmp_path / "untouched.ipynb"
    done = tmp_path / "done.ipynb"
    garbage = tmp_path / "garbage.ipynb"
    nbformat.write(release, untouched)
    nbformat.write(with_answers(release, reference_answers(solution)), done)
    garbage.write_text("not a notebook")

    result = _validate(tmp_path, done)
    assert result.returncode == 0 and "PASS" in result.stdout, result.stdout + result.stderr
    result = _validate(tmp_path, untouched)
    assert result.returncode == 1 and "FAIL" in result.stdout
    assert "NotImplementedError" in result.stdout
    result = _validate(tmp_path, garbage, done)
    assert result.returncode == 2 and "PASS" in result.stdout  # the others are still checked


def test_where_the_sandbox_cannot_start_autograde_refuses_unless_told_it_is_unsafe(tmp_path):
    """No sandbox, no grading; --unsafe-no-sandbox grades, and every report says how."""
    lesson = "00-welcome"
    course = make_course_copy(tmp_path / "course", [lesson])
    with open(course / "nbgrader_config.py", "a") as config:  # a bwrap that cannot start
        config.write("\nc.Sandbox.bwrap = '/bin/false'\n")
    nbgrader(course, "generate_assignment", lesson, "--force")
    release = read_notebook(course / "course" / lesson / f"{lesson}.ipynb")
    solution = read_notebook(ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    submitted = course / "submitted" / "amy" / lesson / f"{lesson}.ipynb"
    submitted.parent.mkdir(parents=True)
    nbformat.write(with_answers(release, reference_answers(solution)), submitted)

    def autograde(*flags):
        return subprocess.run([sys.executable, "-m", "classroom.autograde", lesson, *flags],
                              cwd=course, capture_output=True, text=True, timeout=600)

    refused = autograde()
    assert refused.returncode != 0
    assert "Not grading: the sandbox could not start" in refused.stderr
    assert "--unsafe-no-sandbox" in refused.stderr
    assert not (course / "autograded").exists()

    unsafe = autograde("--unsafe-no-sandbox")
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    assert "WITHOUT the sandbox" in unsafe.stdout
    status, problems = submission_status(course, lesson, "amy", [lesson])
    assert status == "graded" and any("WITHOUT the sandbox" in p for p in problems), problems
    graded = read_notebook(course / "autograded" / "amy" / lesson / f"{lesson}.ipynb")
    assert graded.metadata["classroom"] == {"sandbox": "off", "tests": "run by the grader"}


def test_a_submission_over_time_is_stopped_and_the_next_learner_is_still_graded(tmp_path):
    """One grading process grades learners in turn; one that runs over --timeout is stopped
    with its process, reported, and a fresh process grades whoever comes after."""
    lesson = "00-welcome"
    course = make_course_copy(tmp_path / "course", [lesson])
    with open(course / "nbgrader_config.py", "a") as config:  # the whole-run limit acts first
        config.write("\nc.Execute.timeout = 900\n")
    nbgrader(course, "generate_assignment", lesson, "--force")
    release = read_notebook(course / "course" / lesson / f"{lesson}.ipynb")
    answers = reference_answers(read_notebook(ROOT / "solutions" / lesson / f"{lesson}.ipynb"))
    stuck = {**answers, "average": "while True:\n    pass\n"}
    for student, work in [("amy", answers), ("ben", stuck), ("cat", answers)]:
        submit_locally(course, lesson, student, with_answers(release, work))

    grading = subprocess.run(
        [sys.executable, "-m", "classroom.autograde", lesson, "--jobs", "1", "--timeout", "60"],
        cwd=course, capture_output=True, text=True, timeout=900)

    assert grading.returncode == 1 and "2 graded, 1 failed" in grading.stdout, grading.stdout
    report = json.loads((course / "grading-reports" / lesson / "ben.json").read_text())
    assert not report["ok"] and "took longer than 60 s" in report["reason"], report
    assert not (course / "autograded" / "ben" / lesson).exists()
    for student in ("amy", "cat"):
        scores = cell_scores(course, lesson, student)
        assert all(score == maximum for score, maximum in scores.values()), (student, scores)


def test_a_grading_process_that_ends_is_reported_as_ended_not_as_over_time(tmp_path):
    """A grading process that exits before it answers (here: a course configuration that
    cannot load) is reported with the end of its log, at once."""
    import queue

    from classroom.autograde import _grading_job

    (tmp_path / "nbgrader_config.py").write_text(
        "raise SystemExit('this course configuration is broken on purpose')\n")
    todo = queue.Queue()
    todo.put("amy")
    reports = _grading_job(tmp_path, "00-welcome", todo, timeout=600, force=True,
                           sandbox=False, per_process=20, memory=0)
    assert [r.student for r in reports] == ["amy"]
    for report in reports:
        assert not report.ok
        assert "longer than" not in report.reason, report.reason
        assert "the grading process ended" in report.reason, report.reason
        assert report.seconds < 300  # not the timeout
        assert any("broken on purpose" in line for line in report.log_tail), report.log_tail
