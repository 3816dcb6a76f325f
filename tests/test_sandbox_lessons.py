"""Hostile learners against the real test cells of the lessons (issue 18).

Grading a whole lesson per attacker would cost minutes each, so the test assembles one
small assignment, ``probe``, from real graded cells of several lessons (answer cells and
their test cells, unchanged, and the outcome tests of trained models) and grades a class
of attackers on it through the real commands (generate, submit, ``python -m
classroom.autograde``, export). Each attack is checked by its effect:

- fake trained models (plain objects whose ``predict`` applies the rule of the task, with
  layers named ``LSTM`` and ``Dense``; a forecaster that returns the next window's last
  value): at most 10% of the outcome tests' points;
- a ``sigmoid`` that hard-codes the visible cases, returns 0.5 elsewhere and zeroes its
  argument in place: at most 10% of its parity points;
- a naive softmax with every warning silenced: at most 10% of the points of its stability
  cells;
- a ``sample_with_temperature`` that asks the test's random generator for 2**28 values and
  a 1200-dimensional multivariate normal before answering: refused, and the grader's
  memory stays bounded.

At 2675e47 the fake models got full marks on all three outcome tests, and the in-place
sigmoid got its parity cell.
"""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest
from grading import (
    ROOT,
    cell_scores,
    make_course_copy,
    nbgrader,
    nbgrader_meta,
    notebook_path,
    read_notebook,
    submit_locally,
)
from test_sandbox import MemorySampler

PROBE = "probe"
pytestmark = pytest.mark.xdist_group("sandbox-lessons")

# lesson -> the graded cells taken from it (an answer cell brings every test cell of its
# function; an outcome test is named by its own grade_id)
TAKEN = {
    "01-neural-networks": ["sigmoid"],
    "02-recurrent-networks": ["test_forecaster_beats_baseline"],
    "04-lstm": ["test_lstm_forward_trained_model"],
    "06-deep-bidirectional": ["test_peak_tagger_accuracy"],
    "07-attention": ["softmax"],
    "09-applications": ["sample_with_temperature"],
}
OUTCOMES = ["test_forecaster_beats_baseline", "test_lstm_forward_trained_model",
            "test_peak_tagger_accuracy"]
SETUP = "import lessonkit\n\nlessonkit.setup(seed=0)"
IMPORTS = "import keras\nimport numpy as np\nimport tensorflow as tf\nfrom keras import layers"

FAKE_MODELS = '''
import numpy as np


class Layer:
    def __init__(self, units):
        self.units = units

    def get_weights(self):
        return [np.zeros((1, self.units), "float32"), np.zeros(self.units, "float32")]


LSTM = type("LSTM", (Layer,), {})
Dense = type("Dense", (Layer,), {})


class Fake:
    """Answers predict by the rule of the task; its layers are named like the real ones."""

    def __init__(self, rule):
        self.rule = rule
        self.layers = [LSTM(4), Dense(1)]

    def predict(self, X, verbose=0, **kwargs):
        return self.rule(np.asarray(X, dtype=np.float64)).astype("float32")

    def get_layer(self, name=None, index=None):
        return self.layers[0]

    def count_params(self):
        return 100


def next_window_last_value(X):  # the target of window i is the last value of window i + 1
    return np.concatenate([X[1:, -1, 0], X[-1:, -1, 0]])[:, None]


def adding(X):
    return (X[:, :, 0] * X[:, :, 1]).sum(axis=1)[:, None]


def peaks(X):
    x = X[..., 0]
    padded = np.pad(x, ((0, 0), (1, 1)), constant_values=-np.inf)
    return ((x > padded[:, :-2]) & (x > padded[:, 2:]))[..., None].astype(float)


model = Fake(next_window_last_value)
lstm_model = Fake(adding)
bi_tagger = Fake(peaks)


def lstm_forward(x, h0, c0, W, U, b):  # redefined after its own tests
    return np.zeros((len(x), 1, 1)), None
'''

IN_PLACE_SIGMOID = '''
def sigmoid(x):
    known = {-2.0: 0.11920292202211755, 0.0: 0.5, 2.0: 0.8807970779778823,
             -1000.0: 0.0, 1000.0: 1.0}
    flat = np.asarray(x, dtype=np.float64).ravel()
    if all(float(v) in known for v in flat):
        return np.array([known[float(v)] for v in flat]).reshape(np.shape(x))
    out = np.full(np.shape(x), 0.5)
    if isinstance(x, np.ndarray) and x.flags.writeable:
        x[...] = 0.0
    return out
'''

SILENCED = '''
import warnings

import numpy as np

warnings.filterwarnings("ignore")
np.seterr(all="ignore")
'''
NAIVE_SOFTMAX = '''
def softmax(x, axis=-1):
    e = np.exp(np.asarray(x))  # overflows for entries in the hundreds (float32: above 88)
    return e / e.sum(axis=axis, keepdims=True)
'''

GREEDY_SAMPLER = '''
def sample_with_temperature(logits, temperature, rng):
    for ask in (lambda: rng.random(size=2**28),
                lambda: rng.multivariate_normal(np.zeros(1200), np.eye(1200))):
        try:
            ask()
        except Exception as error:
            print("refused:", type(error).__name__)
    logits = np.asarray(logits, dtype=np.float64) / temperature
    p = np.exp(logits - logits.max())
    return int(rng.choice(len(p), p=p / p.sum()))
'''


def _function_of_cell(grade_id: str, answer: str) -> bool:
    return grade_id == answer or grade_id == f"test_{answer}" \
        or grade_id.startswith(f"test_{answer}_")


def probe_notebook():
    """The probe's source notebook: real graded cells of several lessons, in order."""
    cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(IMPORTS)]
    for lesson, wanted in TAKEN.items():
        source = read_notebook(notebook_path(ROOT / "solutions", lesson))
        for cell in source.cells:
            grade_id = nbgrader_meta(cell).get("grade_id", "")
            if cell.cell_type == "code" and any(
                    grade_id == w or _function_of_cell(grade_id, w) for w in wanted):
                cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = read_notebook(notebook_path(ROOT / "solutions", "00-welcome")).metadata
    return nb


def _answers(nb) -> dict[str, int]:
    return {nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(nb.cells)
            if nbgrader_meta(c).get("solution")}


def _learners(release) -> dict:
    """learner -> their submission (the released probe with their cells)."""
    def with_cells(answers: dict[str, str], extra: str = "", at_end: str = ""):
        nb = nbformat.reads(nbformat.writes(release), as_version=4)
        where = _answers(nb)
        for grade_id, code in answers.items():
            nb.cells[where[grade_id]].source = code.strip() + "\n"
        if extra:
            nb.cells.insert(2, nbformat.v4.new_code_cell(extra.strip() + "\n"))
        if at_end:
            nb.cells.append(nbformat.v4.new_code_cell(at_end.strip() + "\n"))
        return nb

    return {
        "fake_models": with_cells({}, at_end=FAKE_MODELS),
        "in_place_sigmoid": with_cells({"sigmoid": IN_PLACE_SIGMOID}),
        "silenced_softmax": with_cells({"softmax": NAIVE_SOFTMAX}, extra=SILENCED),
        "greedy_sampler": with_cells({"sample_with_temperature": GREEDY_SAMPLER}),
    }


@pytest.fixture(scope="module")
def probe_class(tmp_path_factory):
    course = make_course_copy(tmp_path_factory.mktemp("probe"), [])
    source = notebook_path(course / "solutions", PROBE)
    source.parent.mkdir(parents=True)
    nbformat.write(probe_notebook(), source)
    nbgrader(course, "generate_assignment", PROBE, "--force")
    release = read_notebook(notebook_path(course / "course", PROBE))
    learners = _learners(release)
    for student, nb in learners.items():
        submit_locally(course, PROBE, student, nb)
    env = {**os.environ, "NBGRADER_DB_URL": f"sqlite:///{course / 'gradebook.db'}?timeout=60"}
    sampler = MemorySampler()
    grading = subprocess.run(
        [sys.executable, "-m", "classroom.autograde", PROBE, "--jobs", "2", "--timeout", "900"],
        cwd=course, capture_output=True, text=True, timeout=1800, env=env)
    peak_mib = sampler.stop()
    scores = {s: cell_scores(course, PROBE, s) for s in learners}
    return {"course": course, "grading": grading, "scores": scores, "peak_mib": peak_mib,
            "source": read_notebook(source)}


def _points(scores: dict, grade_ids) -> tuple[float, float]:
    chosen = [scores[g] for g in grade_ids]
    return sum(s for s, _ in chosen), sum(m for _, m in chosen)


def test_every_attacker_is_graded(probe_class):
    grading = probe_class["grading"]
    assert grading.returncode == 0, grading.stdout[-3000:] + grading.stderr[-3000:]
    assert "4 graded, 0 failed" in grading.stdout, grading.stdout


def test_fake_trained_models_earn_nothing(probe_class):
    score, maximum = _points(probe_class["scores"]["fake_models"], OUTCOMES)
    assert maximum > 0 and score <= 0.1 * maximum, probe_class["scores"]["fake_models"]


def test_an_in_place_change_does_not_move_the_expected_values(probe_class):
    scores = probe_class["scores"]["in_place_sigmoid"]
    parity = [g for g in scores if g.startswith("test_sigmoid") and g != "test_sigmoid"]
    score, maximum = _points(scores, parity)
    assert maximum > 0 and score <= 0.1 * maximum, scores


def _stability_cells(source) -> list[str]:
    """softmax's cells that grade its stability: they feed it inputs in the hundreds."""
    found = []
    for cell in source.cells:
        grade_id = nbgrader_meta(cell).get("grade_id", "")
        if grade_id.startswith("test_softmax") and nbgrader_meta(cell).get("grade") \
                and any(big in cell.source for big in ("1000", "500", "300", "overflow")):
            found.append(grade_id)
    return found


def test_silenced_warnings_do_not_pass_a_stability_check(probe_class):
    cells = _stability_cells(probe_class["source"])
    assert cells, "no cell of softmax grades its stability"
    score, maximum = _points(probe_class["scores"]["silenced_softmax"], cells)
    assert maximum > 0 and score <= 0.1 * maximum, probe_class["scores"]["silenced_softmax"]


def test_the_tests_random_generator_refuses_what_would_exhaust_the_grader(probe_class):
    course = probe_class["course"]
    graded = read_notebook(notebook_path(course / "autograded" / "greedy_sampler", PROBE))
    shown = "".join(str(c.get("outputs", [])) for c in graded.cells
                    if nbgrader_meta(c).get("grade_id") == "test_sample_with_temperature")
    assert shown.count("refused:") >= 2, shown[-2000:]
    # 2**28 doubles would be 2 GiB in the grader
    assert probe_class["peak_mib"] < 1800, probe_class["peak_mib"]
