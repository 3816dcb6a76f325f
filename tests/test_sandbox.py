"""Hostile learners: graded code is contained, and it cannot forge a verdict or read a test.

A class takes lesson 00 through the real commands (generate, release, fetch, submit,
collect, ``python -m classroom.autograde`` on both cores, export, feedback). Two learners
are honest; every other one hands in the released stub (worth 0) plus an attack:

- on the machine (the sandbox): writing the gradebook, reading ``solutions/`` and a file
  outside the course, writing into the course, overwriting a classmate's submission,
  leaving a process behind, opening a connection to a listener the test holds open,
  reading secrets from the environment, a fork bomb, a memory hog, a disk filler;
- on the verdict (tests run in the grader): input and AST transformers, a patched
  ``run_cell``, an object equal to everything, silenced tracebacks, patched
  ``numpy.testing`` / ``math`` / ``builtins``, a replaced ``lessonkit.checks``, a changed
  ``sys.modules`` entry, redefined test data, and reading ``In`` / ``_ih`` / ``Out`` /
  ``inspect`` / ``gc`` for hidden test code.

Each attack is checked by its effect (the gradebook, the files, the processes, the
listener, the outputs), not by what the attacker printed. The honest learners get exactly
their usual scores; every attacker gets at most 10% of the marks (here: nothing).
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from grading import (
    ROOT,
    as_learner,
    cell_scores,
    file_hashes,
    learner_home,
    make_course_copy,
    nbgrader,
    nbgrader_meta,
    read_notebook,
    reference_answers,
)

LESSON = "00-welcome"
MARKER = "classroom-sandbox-test-stray-process"
pytestmark = pytest.mark.xdist_group("sandbox")

# what the test knows that graded code must never see
SECRETS = {"NBGRADER_DB_URL": None, "JUPYTERHUB_API_TOKEN": "hub-token-4d1f9c",
           "CLASSROOM_SECRET": "secret-value-77a3"}
HIDDEN_MARK = "default_rng(7)"  # a line of the lesson's hidden test
PARTLY = "def average(values):\n    return sum(values) / len(values)\n"  # visible test only


def machine_attacks(course: Path, outside: Path, port: int) -> dict[str, str]:
    """Attack code by learner, each run in a cell of its own before the answer cell."""
    return {
        "gradebook": f"""
import sqlite3
db = sqlite3.connect({str(course / "gradebook.db")!r})
db.execute("update grade set manual_score = 1000")
db.execute("update grade set extra_credit = 1000")
db.commit()
""",
        "solutions": f"""
print(open({str(course / "solutions" / LESSON / f"{LESSON}.ipynb")!r}).read())
""",
        "outside": f"""
print(open({str(outside)!r}).read())
""",
        "course_write": f"""
open({str(course / "pwned.txt")!r}, "w").write("pwned")
""",
        "overwrite": f"""
open({str(course / "submitted" / "alice" / LESSON / f"{LESSON}.ipynb")!r}, "w").write("{{}}")
""",
        "stray": f"""
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(900)", {MARKER!r}],
                 start_new_session=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
""",
        "network": f"""
import socket
connection = socket.create_connection(("127.0.0.1", {port}), timeout=5)
connection.sendall(b"pwned")
""",
        "environment": """
import os
print(dict(os.environ))
""",
        "fork_bomb": """
import os, time
children = 0
for _ in range(3000):
    pid = os.fork()
    if pid == 0:
        time.sleep(120)
        os._exit(0)
    children += 1
print("forked", children)
""",
        "memory_hog": """
hog = bytearray(50 * 2**30)
""",
        "disk_filler": """
import os
block = b"x" * 2**20
for n in range(100):
    with open(os.path.expanduser(f"~/fill-{n}.bin"), "wb") as out:
        for _ in range(100):
            out.write(block)
""",
    }


VERDICT_ATTACKS = {
    "input_transformer":
        "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])",
    "ast_transformer": """
import ast
class Nothing(ast.NodeTransformer):
    def visit_Module(self, node):
        node.body = [ast.Pass()]
        return node
get_ipython().ast_transformers.append(Nothing())
""",
    "run_cell": """
from IPython.core.interactiveshell import ExecutionResult
shell = get_ipython()
real_run_cell = shell.run_cell
def run_cell(raw_cell, *args, **kwargs):
    if "average(" in raw_cell and "def average" not in raw_cell:
        return real_run_cell("pass", *args, **kwargs)
    return real_run_cell(raw_cell, *args, **kwargs)
shell.run_cell = run_cell
""",
}
# the answer itself: an object that says it equals whatever it is compared with
EQUAL_TO_EVERYTHING = """
class Everything(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return False
    def __gt__(self, other): return False
    def __le__(self, other): return True
    def __ge__(self, other): return True
    def __abs__(self): return Everything(0.0)
    def __sub__(self, other): return Everything(0.0)
    __rsub__ = __sub__
    def __bool__(self): return True
    def __float__(self): return 0.0
def average(values):
    if not len(values):
        raise ValueError("empty")
    return Everything(0.0)
"""
VERDICT_ATTACKS |= {
    "silenced_tracebacks": """
import sys
shell = get_ipython()
shell.showtraceback = lambda *args, **kwargs: None
shell._showtraceback = lambda *args, **kwargs: None
sys.excepthook = lambda *args: None
sys.stderr = sys.stdout
""",
    "patched_modules": """
import builtins, math
import numpy as np
import numpy.testing
numpy.testing.assert_allclose = lambda *args, **kwargs: None
np.isclose = lambda *args, **kwargs: True
np.allclose = lambda *args, **kwargs: True
math.isclose = lambda *args, **kwargs: True
builtins.abs = lambda x: 0
builtins.round = lambda x, *digits: 0
""",
    "replaced_checks": """
import lessonkit.checks
for name in dir(lessonkit.checks):
    if name.startswith("check"):
        setattr(lessonkit.checks, name, lambda *args, **kwargs: None)
""",
    "sys_modules": """
import sys, types
fake = types.ModuleType("lessonkit.checks")
fake.__getattr__ = lambda name: (lambda *args, **kwargs: None)
sys.modules["lessonkit.checks"] = fake
import lessonkit
lessonkit.checks = fake
fake_np = types.ModuleType("numpy")
fake_np.__getattr__ = lambda name: (lambda *args, **kwargs: True)
sys.modules["numpy"] = fake_np
""",
}
# on the grader (issue 18): what the kernel sends it, what it keeps, where it connects
def grader_attacks(host_socket: Path) -> dict[str, str]:
    return {
        # 32 messages of 32 MiB down the kernel's own end of the test channel, unasked
        "channel_flood": """
import zmq
import classroom.sandbox.kernel_side as kernel_side
block = b"x" * (32 * 2**20)
sent = 0
for _ in range(32):
    try:
        kernel_side._endpoint.socket.send_multipart([b"{}", block], flags=zmq.NOBLOCK, copy=False)
        sent += 1
    except zmq.Again:
        pass
print("sent", sent)
""",
        # one 24 MiB JSON header of nested empty lists (costly to parse)
        "header_bomb": """
import classroom.sandbox.kernel_side as kernel_side
kernel_side._endpoint.socket.send(b"[" + b"[]," * (8 * 2**20) + b"[]]")
""",
        # 300 outputs of 99 kB in one cell (the review's 1000 can take longer than the cell
        # timeout on a loaded machine; then the learner is reported for that instead)
        "output_flood": """
from IPython.display import display
for n in range(300):
    display({"text/plain": str(n) + "x" * 99_000}, raw=True)
""",
        # the kernel's sockets replaced by links to a socket on the host
        "host_socket": f"""
import glob, os
import classroom.sandbox.kernel_side as kernel_side
kernel_side._endpoint.socket.close(linger=0)
for path in ["/run/kernel/tests", *glob.glob("/run/kernel/k-*")]:
    try:
        os.unlink(path)
    except OSError:
        pass
    os.symlink({str(host_socket)!r}, path)
""",
    }


# a correct answer that prints what it is given: the hidden inputs must not reach feedback
PRINTS_INPUTS = """
def average(values):
    print("LEAKED:", repr(list(values)))
    if len(values) == 0:
        raise ValueError("empty")
    return sum(float(v) for v in values) / len(values)
"""
# after the visible test, before the hidden one: the hidden test's names, redefined
REDEFINED_DATA = """
import types
np = types.SimpleNamespace(array=lambda *a, **k: [2.5], default_rng=None)
checks = types.SimpleNamespace(check_scalar=lambda *a, **k: None)
average = lambda values: 2.5
"""
# the last cell: everything the kernel could know about the tests
READS_TESTS = """
import gc, inspect
print("\\n".join(In))
print(_ih)
print(Out)
for thing in gc.get_objects():
    if isinstance(thing, str) and "check_scalar" in thing:
        print(thing)
try:
    print(inspect.getsource(average))
except Exception as error:
    print(error)
"""


def _code_cell(source: str):
    return nbformat.v4.new_code_cell(source.strip() + "\n")


def _index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == grade_id)


def _answer(nb, source: str):
    nb.cells[_index(nb, "average")].source = source


def _learners(course: Path, outside: Path, port: int, reference: dict,
              host_socket: Path) -> dict:
    """learner -> function(notebook) that makes their submission from the released copy."""
    def honest(nb):
        _answer(nb, reference["average"])

    def partly(nb):
        _answer(nb, PARTLY)

    def attack(code):
        def work(nb):  # the attack right after the imports; the answer stays a stub
            nb.cells.insert(_index(nb, "average"), _code_cell(code))
        return work

    def redefines_data(nb):
        nb.cells.insert(_index(nb, "test_average_hidden"), _code_cell(REDEFINED_DATA))

    def reads_tests(nb):
        nb.cells.append(_code_cell(READS_TESTS))

    learners = {"alice": honest, "bob": partly}
    for name, code in machine_attacks(course, outside, port).items():
        learners[name] = attack(code)
    for name, code in VERDICT_ATTACKS.items():
        learners[name] = attack(code)
    for name, code in grader_attacks(host_socket).items():
        learners[name] = attack(code)
    learners["prints_inputs"] = lambda nb: _answer(nb, PRINTS_INPUTS)
    learners["equal_to_everything"] = lambda nb: _answer(nb, EQUAL_TO_EVERYTHING)
    learners["redefined_data"] = redefines_data
    learners["reads_tests"] = reads_tests
    return learners


class Listener:
    """A listener (TCP on loopback unless given another socket) that records every
    connection made to it."""

    def __init__(self, server: socket.socket | None = None):
        self.server = server or socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1] if server is None else None
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self):
        self.running = False
        self.thread.join(5)
        self.server.close()


def unix_listener(path: Path) -> Listener:
    """A listener on a UNIX socket on the host."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    return Listener(server)


class MemorySampler:
    """The largest resident memory of any grading process (the ``classroom.autograde``
    processes, not the sandboxed kernels), sampled every 0.1 s while grading runs."""

    def __init__(self):
        self.peak_mib = 0.0
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self):
        while self.running:
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    cmdline = (status.parent / "cmdline").read_bytes()
                    if b"classroom.autograde" not in cmdline or b"pytest" in cmdline:
                        continue
                    fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
                    self.peak_mib = max(self.peak_mib, int(fields["VmRSS"].split()[0]) / 1024)
                except (OSError, KeyError, ValueError):
                    continue
            time.sleep(0.1)

    def stop(self) -> float:
        self.running = False
        self.thread.join(5)
        return self.peak_mib


def _stray_processes() -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if MARKER in text and "pytest" not in text:
            found.append(text)
    return found


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    course = make_course_copy(tmp / "instructor", [LESSON])
    exchange = course / "exchange"
    outside = tmp / "outside-secret.txt"
    outside.write_text("a file outside the course: 5b2e-outside")
    listener = Listener()
    host_listener = unix_listener(tmp / "host.sock")
    nbgrader(course, "generate_assignment", LESSON, "--force")
    nbgrader(course, "release_assignment", LESSON)
    reference = reference_answers(read_notebook(course / "solutions" / LESSON
                                                / f"{LESSON}.ipynb"))
    learners = _learners(course, outside, listener.port, reference, tmp / "host.sock")

    def fetch_work_submit(student):
        home = learner_home(tmp / "learners" / student, exchange)
        as_learner(home, "fetch_assignment", LESSON, "--course", "rnn-course")
        path = home / LESSON / f"{LESSON}.ipynb"
        nb = nbformat.read(path, as_version=4)
        learners[student](nb)
        nbformat.write(nb, path)
        as_learner(home, "submit", LESSON, "--course", "rnn-course", "--student", student)

    with ThreadPoolExecutor(max_workers=2) as pool:  # two learners at a time, like the grader
        list(pool.map(fetch_work_submit, learners))

    nbgrader(course, "collect", LESSON)
    before = file_hashes(course / "submitted")
    env = {**os.environ, **{k: v for k, v in SECRETS.items() if v}}
    env["NBGRADER_DB_URL"] = f"sqlite:///{course / 'gradebook.db'}?timeout=60"
    SECRETS["NBGRADER_DB_URL"] = env["NBGRADER_DB_URL"]
    sampler = MemorySampler()
    grading = subprocess.run(
        [sys.executable, "-m", "classroom.autograde", LESSON, "--jobs", "2", "--timeout", "600"],
        cwd=course, capture_output=True, text=True, timeout=1800, env=env)
    peak_mib = sampler.stop()
    strays = _stray_processes()
    listener.close()
    host_listener.close()
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv") as handle:
        export = {row["student_id"]: row for row in csv.DictReader(handle)}
    nbgrader(course, "generate_feedback", LESSON)
    scores = {s: cell_scores(course, LESSON, s) for s in learners}
    # the honest learners again, graded the way plain nbgrader does (tests in their kernel,
    # no sandbox): the scores they would get without any of this
    # and two attackers, to show that their attacks are real: they pass plain nbgrader
    usual = {}
    for student in ("alice", "bob", "input_transformer", "ast_transformer"):
        nbgrader(course, "autograde", LESSON, "--student", student, "--force",
                 "--Sandbox.enabled=False", "--SandboxedExecute.trusted_tests=False")
        usual[student] = cell_scores(course, LESSON, student)
    yield {"course": course, "grading": grading, "before": before, "learners": learners,
           "strays": strays, "connections": listener.connections, "export": export,
           "scores": scores, "usual": usual, "peak_mib": peak_mib,
           "host_connections": host_listener.connections}
    for pid_dir in Path("/proc").glob("[0-9]*"):  # never leave a stray behind, whatever happened
        try:
            if MARKER in (pid_dir / "cmdline").read_bytes().decode(errors="replace"):
                os.kill(int(pid_dir.name), 9)
        except (OSError, ValueError):
            pass


def _total(scores: dict) -> tuple[float, float]:
    return sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())


def _everything_shown(room, student: str) -> str:
    """What one learner's code printed when graded, and their feedback page, as text."""
    course = room["course"]
    graded = read_notebook(course / "autograded" / student / LESSON / f"{LESSON}.ipynb")
    outputs = json.dumps([cell.get("outputs", []) for cell in graded.cells])
    pages = list((course / "feedback" / student / LESSON).glob("*.html"))
    return outputs + "".join(p.read_text() for p in pages)


def test_every_submission_is_graded(hostile_class):
    grading = hostile_class["grading"]
    assert grading.returncode == 0, grading.stdout[-3000:] + grading.stderr[-3000:]
    assert f"{len(hostile_class['learners'])} graded, 0 failed" in grading.stdout


def test_honest_learners_get_exactly_their_usual_scores(hostile_class):
    for student in ("alice", "bob"):
        assert hostile_class["scores"][student] == hostile_class["usual"][student], student
    score, maximum = _total(hostile_class["scores"]["alice"])
    assert score == maximum > 0
    assert 0 < _total(hostile_class["scores"]["bob"])[0] < maximum


def test_the_verdict_attacks_are_real_they_fool_plain_nbgrader(hostile_class):
    for attacker in ("input_transformer", "ast_transformer"):
        score, maximum = _total(hostile_class["usual"][attacker])
        assert score >= 0.5 * maximum, (attacker, hostile_class["usual"][attacker])


@pytest.mark.parametrize("attacker", sorted(
    {"gradebook", "solutions", "outside", "course_write", "overwrite", "stray", "network",
     "environment", "fork_bomb", "memory_hog", "disk_filler", "redefined_data", "reads_tests",
     *VERDICT_ATTACKS, *grader_attacks(Path("/"))}))
def test_attackers_earn_nothing(hostile_class, attacker):
    score, maximum = _total(hostile_class["scores"][attacker])
    assert maximum > 0 and score <= 0.1 * maximum, (attacker, hostile_class["scores"][attacker])


def test_the_gradebook_is_out_of_reach(hostile_class):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hostile_class['course'] / 'gradebook.db'}") as gradebook:
        for submission in gradebook.notebook_submissions(LESSON, LESSON):
            for grade in submission.grades:
                assert grade.manual_score is None and not grade.extra_credit, \
                    (submission.student.id, grade.name, grade.manual_score, grade.extra_credit)


def test_solutions_and_outside_files_are_not_readable(hostile_class):
    assert HIDDEN_MARK not in _everything_shown(hostile_class, "solutions")
    assert "5b2e-outside" not in _everything_shown(hostile_class, "outside")
    shown = _everything_shown(hostile_class, "solutions")
    assert "FileNotFoundError" in shown or "PermissionError" in shown


def test_the_course_and_other_submissions_are_not_writable(hostile_class):
    assert not (hostile_class["course"] / "pwned.txt").exists()
    after = file_hashes(hostile_class["course"] / "submitted")
    assert after == hostile_class["before"]


def test_no_process_outlives_grading(hostile_class):
    assert hostile_class["strays"] == []


def test_no_network_not_even_loopback(hostile_class):
    assert hostile_class["connections"] == 0
    shown = _everything_shown(hostile_class, "network")
    assert "ConnectionRefusedError" in shown or "OSError" in shown


def test_graded_code_gets_no_secrets(hostile_class):
    shown = _everything_shown(hostile_class, "environment")
    assert "HOME" in shown  # the cell ran and printed its environment
    for name, value in SECRETS.items():
        assert name not in shown and value not in shown, name


@pytest.mark.parametrize("attacker, problem", [
    ("fork_bomb", "limit on processes"), ("memory_hog", "out of memory"),
    ("disk_filler", "scratch space"),
])
def test_a_submission_over_a_limit_is_reported_with_the_reason(hostile_class, attacker, problem):
    row = hostile_class["export"][attacker]
    assert row["status"] == "graded", row
    assert problem in row["problems"], row


def test_hidden_test_code_never_reaches_the_kernel(hostile_class):
    hidden = read_notebook(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb")
    hidden_lines = [line.strip() for c in hidden.cells if nbgrader_meta(c).get("grade")
                    for line in c.source.splitlines() if len(line.strip()) > 25
                    and not line.strip().startswith(("#", "import", "from"))]
    assert hidden_lines
    graded = hostile_class["course"] / "autograded" / "reads_tests" / LESSON / f"{LESSON}.ipynb"
    nb = read_notebook(graded)
    printed = json.dumps([c.get("outputs", []) for c in nb.cells[-1:]])
    assert "In" in nb.cells[-1].source and len(printed) > 100  # the cell ran and printed
    for line in hidden_lines:
        assert line not in printed, line
    # the feedback shows why a test failed, never how it is written
    feedback = "".join(p.read_text() for p in
                       (hostile_class["course"] / "feedback" / "bob" / LESSON).glob("*.html"))
    assert HIDDEN_MARK not in feedback


def test_autograded_notebooks_say_how_they_were_graded(hostile_class):
    graded = hostile_class["course"] / "autograded" / "gradebook" / LESSON / f"{LESSON}.ipynb"
    nb = read_notebook(graded)  # (alice was graded again the plain way, at the end)
    assert nb.metadata["classroom"]["sandbox"].startswith("bubblewrap")
    assert nb.metadata["classroom"]["tests"] == "run by the grader"


def test_what_the_sandbox_binds_stays_visible_under_its_scratch_folders(tmp_path):
    """A course may live under /tmp (a CI clone, its venv in /tmp/.../.venv): what the
    sandbox binds there must not vanish under the sandbox's own /tmp, and that /tmp is
    still scratch (nothing written there reaches the host)."""
    from classroom.sandbox.bwrap import Sandbox

    library = tmp_path / "library"  # pytest's tmp_path is under /tmp
    library.mkdir()
    (library / "probe.txt").write_text("visible")
    workdir = tmp_path / "work"
    (workdir / "submission").mkdir(parents=True)
    for name in ("passwd", "group", "connection.json"):
        (workdir / name).write_text("")
    sandbox = Sandbox(read_only_paths=[str(library)])
    sandbox.check()
    script = f"cat {library}/probe.txt && echo leaked > {tmp_path}/leak.txt"
    command = sandbox.command(["/bin/sh", "-c", script], workdir, "submission")
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout == "visible", result.stderr
    assert not (tmp_path / "leak.txt").exists()


# --- the grader itself (issue 18) ------------------------------------------------------
# At 2675e47 (before these defences) the channel flood took a grading process from 162 to
# 1,173 MiB, the output flood left a 99 MB autograded notebook, and the grader made 36
# connections to the host socket. Now a grading process of this lesson peaks at about 160
# MiB alone, 330 MiB with the channel flood, 210 with the output flood, 180 with the header
# bomb; one process grades several of them in turn (its freed memory is not all returned).
GRADER_MEMORY_BOUND_MIB = 1024


def test_the_grader_stays_within_its_memory_bound_while_flooded(hostile_class):
    assert 0 < hostile_class["peak_mib"] < GRADER_MEMORY_BOUND_MIB, hostile_class["peak_mib"]


def test_the_grader_never_connects_to_a_socket_on_the_host(hostile_class):
    assert hostile_class["host_connections"] == 0


def test_an_output_flood_is_cut_and_reported(hostile_class):
    from classroom.sandbox.executor import SandboxedExecute

    limit = SandboxedExecute.max_notebook_output_bytes.default_value
    course = hostile_class["course"]
    graded = course / "autograded" / "output_flood" / LESSON / f"{LESSON}.ipynb"
    feedback = list((course / "feedback" / "output_flood" / LESSON).glob("*.html"))
    assert graded.stat().st_size < limit + 2**20, graded.stat().st_size
    assert feedback and all(page.stat().st_size < limit + 2**20 for page in feedback)
    assert "output over the limit" in hostile_class["export"]["output_flood"]["problems"]


def test_the_kernel_flooding_the_test_channel_is_reported(hostile_class):
    row = hostile_class["export"]["channel_flood"]
    assert row["status"] == "graded", row
    shown = _everything_shown(hostile_class, "channel_flood")
    assert "sent more than a cell may" in shown or "over the size limits" in shown, shown[-2000:]


def test_no_hidden_input_reaches_the_feedback(hostile_class):
    """A correct average that prints what it is given: what it printed while serving the
    visible test is kept, what it printed during the hidden tests is not."""
    course = hostile_class["course"]
    graded = read_notebook(course / "autograded" / "prints_inputs" / LESSON / f"{LESSON}.ipynb")
    by_id = {nbgrader_meta(c).get("grade_id"): json.dumps(c.get("outputs", []))
             for c in graded.cells}
    assert "LEAKED: [1, 2, 3, 4]" in by_id["test_average"]  # visible: the cell ran and printed
    for grade_id in ("test_average_hidden", "test_average_errors"):
        assert "LEAKED" not in by_id[grade_id], grade_id
    feedback = "".join(p.read_text() for p in
                       (course / "feedback" / "prints_inputs" / LESSON).glob("*.html"))
    assert "LEAKED: [1, 2, 3, 4]" in feedback
    assert feedback.count("LEAKED: [") == 1  # the visible output only
    score, maximum = _total(hostile_class["scores"]["prints_inputs"])
    assert score == maximum  # the answer is right: printing costs nothing
