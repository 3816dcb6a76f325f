"""Shared machinery for the tests that grade notebooks with the real nbgrader commands.

Everything happens in a temporary copy of the course: the repository tree is only read.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
VARIANTS_DIR = ROOT / "tests" / "variants"
SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def notebook_path(base: Path, lesson: str) -> Path:
    return base / lesson / f"{lesson}.ipynb"


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def answer_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """The autograded answer cells of a notebook, by grade_id."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in nb.cells
        if nbgrader_meta(c).get("solution") and not nbgrader_meta(c).get("grade")
        and c.cell_type == "code"
    }


def graded_test_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """The autograded test cells of a notebook, by grade_id."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in nb.cells
        if nbgrader_meta(c).get("grade") and c.cell_type == "code"
    }


def function_of(test_id: str, functions: list[str]) -> str | None:
    """The graded function a test cell belongs to: ``test_<fn>`` or ``test_<fn>_<suffix>``.

    The longest matching name wins, so ``test_relu_grad_hidden`` belongs to ``relu_grad``
    and not to ``relu``. Test cells of trained outcomes belong to no function.
    """
    matches = [
        fn for fn in functions
        if test_id == f"test_{fn}" or test_id.startswith(f"test_{fn}_")
    ]
    return max(matches, key=len) if matches else None


def strip_markers(source: str, begin: str, end: str, keep_inside: bool) -> str:
    """Remove nbgrader's begin/end marker lines, keeping or dropping what lies between."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == begin:
            inside = True
            continue
        if line.strip() == end:
            inside = False
            continue
        if keep_inside or not inside:
            out.append(line)
    return "\n".join(out)


def marked_lines(source: str, begin: str, end: str) -> list[str]:
    """The non-blank lines between nbgrader's begin/end markers."""
    inside_only = strip_markers(source, begin, end, keep_inside=True).splitlines()
    outside = set(strip_markers(source, begin, end, keep_inside=False).splitlines())
    return [line for line in inside_only if line.strip() and line not in outside]


@dataclass
class Variant:
    function: str
    kind: str  # "alternate" or "wrong"
    note: str
    source: str


@dataclass
class Variants:
    alternate: dict[str, list[Variant]] = field(default_factory=dict)
    wrong: dict[str, list[Variant]] = field(default_factory=dict)


_MARKER = re.compile(r"^# %% (?P<fn>\w+) (?P<kind>alternate|wrong)\s*:?\s*(?P<note>.*)$")


def read_variants(lesson: str) -> Variants:
    """Parse ``tests/variants/<lesson>.py`` into alternate and wrong versions per function."""
    text = (VARIANTS_DIR / f"{lesson}.py").read_text()
    variants = Variants()
    current: Variant | None = None
    lines: list[str] = []

    def flush():
        if current is not None:
            current.source = "\n".join(lines).strip() + "\n"
            getattr(variants, current.kind).setdefault(current.function, []).append(current)

    for line in text.splitlines():
        match = _MARKER.match(line)
        if match:
            flush()
            current = Variant(match["fn"], match["kind"], match["note"].strip(), "")
            lines = []
        elif current is not None:
            lines.append(line)
    flush()
    return variants


def with_answers(release_nb, answers: dict[str, str]):
    """A copy of the released notebook with the given answer cells' sources replaced."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answers and cell.cell_type == "code":
            cell.source = answers[grade_id]
    return nb


def reference_answers(solution_nb) -> dict[str, str]:
    """The reference answers, as a learner would type them (marker lines removed)."""
    return {
        grade_id: strip_markers(cell.source, SOLUTION_BEGIN, SOLUTION_END, keep_inside=True)
        for grade_id, cell in answer_cells(solution_nb).items()
    }


def make_course_copy(dest: Path, lessons: list[str]) -> Path:
    """A throw-away copy of the course (config and the lessons' sources) in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for lesson in lessons:
        shutil.copytree(ROOT / "solutions" / lesson, dest / "solutions" / lesson,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return dest


def nbgrader(course: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run a real nbgrader command in ``course``; fail loudly with its log if it fails."""
    env = dict(os.environ)
    env.pop("NBGRADER_DB_URL", None)
    env.pop("NBGRADER_EXCHANGE", None)
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course, env=env, capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
        )
    return result


def submit_locally(course: Path, lesson: str, student: str, nb) -> Path:
    """Put a notebook where ``nbgrader collect`` would: submitted/<student>/<lesson>/."""
    path = notebook_path(course / "submitted" / student, lesson)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def cell_scores(course: Path, lesson: str, student: str) -> dict[str, tuple[float, float]]:
    """``{grade_id: (score, max_score)}`` of every autograded test cell, from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(lesson, lesson, student)
        return {g.name: (float(g.score), float(g.max_score)) for g in submission.grades}


def learner_home(home: Path, exchange: Path) -> Path:
    """A simulated learner's folder, with their own nbgrader_config.py: the course, the
    exchange, and a cache of their own (each learner is a different person)."""
    home.mkdir(parents=True)
    (home / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = 'rnn-course'\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(home / '.nbgrader-cache')!r}\n"
    )
    return home


def as_learner(home: Path, *args: str) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in a learner's folder (fetch_assignment, submit, fetch_feedback)."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=home,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result


def file_hashes(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file below ``folder``, by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------
# "Does nothing" versions of a graded function (issue 23): a function that computes nothing
# must earn none of its points, however well it keeps its side promises.

NOTHING_KINDS = ("returns None", "returns zeros", "returns its first argument")

_NOTHING_HELPERS = '''
import numpy as _np_nothing


def _copied(value):
    """A copy of an argument: numpy arrays and the containers holding them are copied."""
    if isinstance(value, _np_nothing.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copied(v) for v in value)
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    return value


def _zeroed(value):
    """Every numpy array and number in value, through tuples, lists and dicts, made zero
    (same shape and dtype); anything else (a Keras model, a string) is left as it is."""
    if isinstance(value, _np_nothing.ndarray):
        return _np_nothing.zeros_like(value)
    if isinstance(value, (bool, _np_nothing.bool_)):
        return type(value)(False)
    if isinstance(value, (int, float, complex, _np_nothing.number)):
        return type(value)(0)
    if isinstance(value, (list, tuple)):
        return type(value)(_zeroed(v) for v in value)
    if isinstance(value, dict):
        return {k: _zeroed(v) for k, v in value.items()}
    return value
'''


def reference_name(fn: str) -> str:
    return f"_reference_{fn}"


def renamed_reference(source: str, functions: list[str]) -> str:
    """A reference answer with every graded function it defines or calls renamed
    ``_reference_<fn>``, so that it keeps working when the graded names do nothing."""
    names = "|".join(sorted(map(re.escape, functions), key=len, reverse=True))
    return re.sub(rf"(?<![\w.])({names})(?=\s*\()", r"_reference_\1", source)


def does_nothing_answer(fn: str, kind: str, reference_source: str, functions: list[str]) -> str:
    """The answer cell of ``fn`` replaced by a version that computes nothing.

    - "returns None";
    - "returns zeros": the reference answer (renamed ``_reference_<fn>``) is called on copies
      of the arguments, and every numpy array and number in its result (through tuples,
      lists and dicts) is replaced by zeros of the same shape and dtype; an object result
      (a Keras model) is left as the reference returns it (see ``OBJECT_RESULTS``);
    - "returns its first argument" (the first positional one, else the first keyword one).
    """
    reference = renamed_reference(reference_source, functions)
    if kind == "returns None":
        body = "    return None"
    elif kind == "returns zeros":
        body = f"    return _zeroed({reference_name(fn)}(*_copied(args), **_copied(kwargs)))"
    elif kind == "returns its first argument":
        body = "    return args[0] if args else next(iter(kwargs.values()), None)"
    else:
        raise ValueError(f"unknown kind of does-nothing version: {kind!r}")
    return (f"{reference.strip()}\n\n{_NOTHING_HELPERS.strip()}\n\n\n"
            f"def {fn}(*args, **kwargs):\n    \"\"\"{kind} (a does-nothing version).\"\"\"\n"
            f"{body}\n")


# --- the test cells against many versions, in one run of the reference notebook -------------
#
# The gate grades a handful of whole submissions with the real nbgrader commands. Whether each
# function's test cells catch each of its wrong and does-nothing versions, and accept each of
# its alternates, is asked in one run of the reference notebook instead (one kernel, cell by
# cell): at each test cell of a function, the cell is first run once per version, with that
# version in place of the reference answer (the function's name removed first, so a version
# that fails to define it fails as it would in a fresh kernel), and scored by nbgrader's own
# rule (``nbgrader.utils.determine_grade`` after the course's ``IgnorePattern``); then the
# reference answer is put back and the notebook goes on. A test cell may take from the
# notebook only its own function (tests/test_notebook_format.py checks that), so what a
# version earns there is what it would earn in a submission of its own.

@dataclass
class VersionRun:
    """What each version earned in each test cell of its function: ``scores[label][grade_id]
    = (score, max)``, with the errors it raised there in ``why[label]``; ``errors`` lists the
    reference notebook's own cells that failed."""
    scores: dict[str, dict[str, tuple[float, float]]]
    why: dict[str, list[str]]
    errors: list[str]


def run_versions(course: Path, lesson: str, solution_nb, functions: list[str],
                 versions: dict[str, list[tuple[str, str]]], timeout: int = 60) -> VersionRun:
    """Run the reference notebook of ``lesson`` once, trying ``versions[fn]`` (label,
    answer source) at every test cell of ``fn``; see the note above."""
    from nbclient import NotebookClient
    from nbgrader.preprocessors import IgnorePattern
    from nbgrader.utils import determine_grade

    from classroom.config import load_course_config

    nb = copy.deepcopy(solution_nb)
    reference = reference_answers(solution_nb)
    ignore = IgnorePattern(config=load_course_config(course))  # as autograde drops stderr
    folder = course / "solutions" / lesson
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True,
                            resources={"metadata": {"path": str(folder)}})
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update({"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"})
    scores: dict[str, dict[str, tuple[float, float]]] = {}
    why: dict[str, list[str]] = {}
    errors: list[str] = []

    def run(source: str, index: int) -> None:
        client.execute_cell(nbformat.v4.new_code_cell(source), index)

    with client.setup_kernel(env=env, cwd=str(folder), stderr=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            meta = nbgrader_meta(cell)
            fn = function_of(meta["grade_id"], functions) if meta.get("grade") else None
            for label, source in versions.get(fn, []) if fn else []:
                run(f"globals().pop({fn!r}, None)", index)
                run(source, index)
                trial = copy.deepcopy(cell)
                trial.outputs = []
                client.execute_cell(trial, index)
                ignore.preprocess_cell(trial, {}, index)
                scores.setdefault(label, {})[meta["grade_id"]] = determine_grade(trial)
                why.setdefault(label, []).extend(
                    f"{meta['grade_id']}: {describe_failure(o)}" for o in failures(trial))
            if fn:
                run(f"globals().pop({fn!r}, None)", index)
                run(reference[fn], index)
            client.execute_cell(cell, index)
            ignore.preprocess_cell(cell, {}, index)
            errors.extend(f"cell {index} ({meta.get('grade_id', 'given')}): "
                          f"{describe_failure(o)}" for o in failures(cell))
    return VersionRun(scores, why, errors)


def failures(cell) -> list:
    """The outputs by which nbgrader scores a test cell 0: an error, or anything on stderr."""
    return [o for o in cell.outputs if o.output_type == "error"
            or (o.output_type == "stream" and o.name == "stderr")]


def describe_failure(output) -> str:
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue[:300]}"
    return f"stderr: {output.text[:300]}"
