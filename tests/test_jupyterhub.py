"""The course on a real JupyterHub, with real Unix accounts, on loopback only.

deploy/jupyterhub/jupyterhub_config.py is started unchanged (its settings come from the
environment, as a deployment's would), with configurable-http-proxy in front, PAM logins
and each person's server running as their own Unix account. Through the hub's proxy and
each person's own API token: the instructor generates and releases lesson 00 in the
formgrader service; two learners fetch it in their own servers (the Assignments tab's
endpoints), answer (one right, one partly wrong) and submit; the instructor collects,
autogrades and reads the scores. Then: a learner cannot open the formgrader, another
learner's server or files, or the instructor's course; a submission made under another
learner's id does not replace that learner's own. The same cycle runs again with the
gradebook on a PostgreSQL server the test starts.

Needs root (it creates Unix accounts, and the hub starts servers as them),
configurable-http-proxy (npm) and, for the second class, PostgreSQL's server programs
(Debian: postgresql). Without them the tests skip, saying what is missing, except in CI
(CI=true), where they fail. Everything the test starts it stops; every account and group
it creates it removes.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import importlib.util
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest
from grading import (
    ROOT,
    make_course_copy,
    nbgrader_meta,
    read_notebook,
    reference_answers,
    with_answers,
)
from services import Machine, Postgres, Redis, free_port, missing, postgres_bin, run

pytestmark = pytest.mark.xdist_group("jupyterhub")

LESSON = "00-welcome"
COURSE = "rnn-course"
LEARNERS_GROUP = f"nbgrader-{COURSE}"
GRADERS_GROUP = f"formgrade-{COURSE}"
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
BIN = Path(sys.prefix) / "bin"
# right numbers, but no ValueError for an empty list: loses test_average_errors (1 of 4)
PARTLY_WRONG = "def average(values):\n    return sum(values) / len(values)\n"
TIMINGS = ROOT / "test-artifacts" / "jupyterhub-timings.txt"
# Ben's extra cell: what graded code can reach on the class server (nothing).
PROBE = """
import json, os, socket
probes = {{}}
for name, port in {ports!r}.items():
    try:
        socket.create_connection(("127.0.0.1", port), timeout=3).close()
        probes[name] = "reached"
    except OSError as error:
        probes[name] = type(error).__name__
for name, path in {files!r}.items():
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(1)
        probes[name] = "read"
    except OSError as error:
        probes[name] = type(error).__name__
probes["secrets"] = sorted(k for k in os.environ
                           if k.startswith(("JUPYTERHUB", "NBGRADER")) or "TOKEN" in k)
print("PROBES", json.dumps(probes))
"""


# ----------------------------------------------------------------------------------------
# what the machine must have


def _require_hub():
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        missing("the JupyterHub test needs root: it creates Unix accounts with useradd, and "
                 "JupyterHub starts each server as its user's account")
    try:
        import jupyterhub  # noqa: F401
        import pamela  # noqa: F401
    except ImportError:
        missing("JupyterHub is not installed: pip install -e '.[hub]'")
    if not shutil.which("configurable-http-proxy"):
        missing("configurable-http-proxy is not on PATH: npm install -g configurable-http-proxy")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "chpasswd", "runuser"):
        if not shutil.which(tool):
            missing(f"{tool} is not on PATH (Debian: passwd, util-linux)")


# ----------------------------------------------------------------------------------------
# small helpers


class Timer:
    def __init__(self, label: str):
        self.label, self.rows, self.start = label, [], time.perf_counter()
        self.last = self.start

    def lap(self, what: str):
        now = time.perf_counter()
        self.rows.append(f"{self.label:10s} {what:48s} {now - self.last:6.1f} s")
        self.last = now

    def save(self):
        self.rows.append(f"{self.label:10s} {'total':48s} "
                         f"{time.perf_counter() - self.start:6.1f} s")
        TIMINGS.parent.mkdir(exist_ok=True)
        with open(TIMINGS, "a") as out:
            out.write("\n".join(self.rows) + "\n")


def _venv_paths() -> list[Path]:
    """What every account must reach: the venv, its interpreter, the standard library, the
    course's installation (lessonkit, classroom and deploy/ are imported from the repo)."""
    return [Path(sys.prefix), Path(os.path.realpath(sys.executable)).parent,
            Path(sys.base_prefix) / "lib", ROOT]


# ----------------------------------------------------------------------------------------
# the hub, and a person talking to it through its proxy with their own token


class Person:
    def __init__(self, hub: Hub, name: str, password: str):
        import requests

        self.hub, self.name, self.password = hub, name, password
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only, never a proxy from the environment
        self.token = None

    def login(self):
        """Log in with the Unix password (PAM); True if the hub let them in."""
        self.http.get(self.hub.url + "/hub/login", timeout=60)
        response = self.http.post(
            self.hub.url + "/hub/login",
            data={"username": self.name, "password": self.password,
                  "_xsrf": self.http.cookies.get("_xsrf", "")},
            allow_redirects=False, timeout=60)
        return response.status_code == 302

    def make_token(self):
        """An API token of their own, made with their login session."""
        response = self.http.post(
            f"{self.hub.url}/hub/api/users/{self.name}/tokens",
            json={"note": "rnn-course test", "expires_in": 3600},
            headers={"X-XSRFToken": self.http.cookies.get("_xsrf", "")}, timeout=60)
        assert response.status_code == 201, self.hub.explain(response)
        self.token = response.json()["token"]
        self.http.cookies.clear()  # from here on, only the token speaks for them

    def call(self, method: str, path: str, **kwargs):
        kwargs.setdefault("timeout", 300)
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        kwargs.setdefault("allow_redirects", False)
        return self.http.request(method, self.hub.url + path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code < 300, self.hub.explain(response)
        return response

    # their own server
    def start_server(self):
        response = self.call("POST", f"/hub/api/users/{self.name}/server")
        assert response.status_code in (201, 202), self.hub.explain(response)

    def wait_for_server(self, timeout=240):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.ok("GET", f"/hub/api/users/{self.name}").json()["servers"].get("", {})
            if server.get("ready"):
                return
            self.hub.check_alive()
            time.sleep(1)
        raise AssertionError(f"{self.name}'s server did not start\n{self.hub.log_tail()}")

    # the Assignments tab (nbgrader's assignment_list server extension)
    def assignments(self, action: str | None = None) -> dict:
        body = {"course_id": COURSE, "assignment_id": LESSON}
        if action:
            response = self.ok("POST", f"/user/{self.name}/assignments/{action}", json=body)
        else:
            response = self.ok("GET", f"/user/{self.name}/assignments",
                               params={"course_id": COURSE})
        return response.json()

    def notebook(self) -> nbformat.NotebookNode:
        path = f"/user/{self.name}/api/contents/{LESSON}/{LESSON}.ipynb"
        return nbformat.from_dict(self.ok("GET", path).json()["content"])

    def save(self, relative: str, model: dict):
        self.ok("PUT", f"/user/{self.name}/api/contents/{relative}", json=model)

    # the formgrader service (instructor, graders)
    def formgrader(self, method: str, path: str) -> dict | list:
        response = self.ok(method, f"/services/{COURSE}/formgrader/api/{path}")
        result = response.json()
        if isinstance(result, dict) and "success" in result:
            assert result["success"], (f"{path}: {result.get('error')}\n{result.get('log')}\n"
                                       f"--- hub log ---\n{self.hub.log_tail()}")
        return result


def status_of(listing: dict) -> set[str]:
    """The statuses of the lesson in an Assignments-tab listing (released, fetched, ...)."""
    assert listing["success"], listing
    return {entry["status"] for entry in listing["value"] if entry["assignment_id"] == LESSON}


class Hub:
    """deploy/jupyterhub/jupyterhub_config.py, started as a deployment would start it."""

    def __init__(self, base: Path, instructor: str, course_dir: Path, exchange: Path,
                 db_url: str):
        self.state = base / "hub"
        self.state.mkdir(mode=0o700)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.env = dict(os.environ)
        self.env.pop("NBGRADER_DB_URL", None)
        self.env.update({
            "PATH": f"{BIN}{os.pathsep}{self.env.get('PATH', '')}",
            "RNN_HUB_INSTRUCTOR": instructor,
            "RNN_COURSE_DIR": str(course_dir),
            "NBGRADER_EXCHANGE": str(exchange),
            "NBGRADER_DB_URL": db_url,
            "RNN_HUB_BIND_URL": self.url,
            "RNN_HUB_API_URL": f"http://127.0.0.1:{free_port()}",
            "RNN_HUB_PROXY_API_URL": f"http://127.0.0.1:{free_port()}",
            "RNN_HUB_FORMGRADER_URL": f"http://127.0.0.1:{free_port()}",
            "RNN_HUB_DUE_DATES_URL": f"http://127.0.0.1:{free_port()}",
            "RNN_HUB_STATE_DIR": str(self.state),
        })
        self.log = self.state / "jupyterhub.log"
        self.process = None

    def start(self, timeout=180):
        with open(self.log, "w") as log:
            # its own process group (job control): the hub and its proxy stop together
            self.process = subprocess.Popen(
                [BIN / "jupyterhub", "-f", CONFIG], cwd=self.state, env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if requests.get(self.url + "/hub/api/", timeout=5,
                                proxies={"http": "", "https": ""}).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise AssertionError(f"the hub did not answer in {timeout} s\n{self.log_tail()}")

    def check_alive(self):
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"the hub exited ({self.process.returncode})\n"
                                 f"{self.log_tail()}")

    def log_tail(self, lines=80) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no hub log)"

    def explain(self, response) -> str:
        return (f"{response.request.method} {response.url} -> {response.status_code}\n"
                f"{response.text[:2000]}\n--- hub log ---\n{self.log_tail()}")

    def stop(self):
        """SIGTERM: the hub stops the servers, the service and the proxy, then exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the proxy, if still there
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)


# ----------------------------------------------------------------------------------------
# one class: accounts, hub, the whole cycle


class Class:
    """A class on the hub: one instructor, two learners, one account outside the course."""

    def __init__(self, label: str, machine: Machine, postgres: bool,
                 grading_service: bool = False):
        self.label, self.machine, self.timer = label, machine, Timer(label)
        prefix = f"rnnt-{secrets.token_hex(3)}"
        # learners pass through to the exchange; the hub's state and PostgreSQL's data
        # are in private folders inside
        self.base = machine.folder(Path(f"/tmp/{prefix}"), 0o711)
        machine.group(LEARNERS_GROUP)
        machine.group(GRADERS_GROUP)
        self.names = {"instructor": f"{prefix}-teach", "ann": f"{prefix}-ann",
                      "ben": f"{prefix}-ben", "outsider": f"{prefix}-out"}
        groups = {"instructor": [GRADERS_GROUP], "ann": [LEARNERS_GROUP],
                  "ben": [LEARNERS_GROUP], "outsider": []}
        self.passwords = {role: machine.user(name, groups[role])
                          for role, name in self.names.items()}
        for path in _venv_paths():
            machine.let_everyone_traverse(path)
        self.timer.lap("accounts")

        # the instructor's own copy of the course, private to them
        home = Path(pwd.getpwnam(self.names["instructor"]).pw_dir)
        self.course_dir = make_course_copy(home / COURSE, [LESSON])
        run("chown", "-R", f"{self.names['instructor']}:", self.course_dir)
        self.exchange = self.base / "exchange"  # the hub's config creates it

        self.postgres = Postgres(machine, self.base, prefix) if postgres else None
        if self.postgres:
            self.timer.lap("PostgreSQL: initdb, start, create database")
        self.hub = Hub(self.base, self.names["instructor"], self.course_dir, self.exchange,
                       self.postgres.url if self.postgres else "")
        self.redis = None
        if grading_service:
            # the grading service grades LESSON as learners submit and releases the feedback;
            # its broker is a Redis of the test's own, on loopback
            self.redis = Redis(self.base / "redis")
            self.redis.start()
            config = self.course_dir / "nbgrader_config.py"
            config.write_text(config.read_text() + (
                f"\nc.GradingService.lessons = {{{LESSON!r}: "
                "{'attempts': 3, 'counts': 'last', 'release': True}}\n"
                "c.GradingService.poll_interval = 1\n"))
            self.hub.env.update({"RNN_GRADING_BROKER_URL": self.redis.url,
                                 "RNN_GRADING_WORKERS": "1"})
            self.timer.lap("Redis, and the grading service switched on")

    def stop(self):
        try:
            if self.hub.process is not None:
                self.hub.stop()
        finally:
            if self.hub.log.exists():  # kept for whoever reads a failure (git-ignored)
                TIMINGS.parent.mkdir(exist_ok=True)
                shutil.copy(self.hub.log, TIMINGS.parent / f"jupyterhub-{self.label}.log")
            try:
                if self.postgres:
                    self.postgres.stop()
                if self.redis:
                    self.redis.stop()
            finally:
                self.machine.stop_processes()
                shutil.rmtree(self.base, ignore_errors=True)

    def check_everyone_can_run_the_environment(self):
        """The learners' servers run the course's Python: fail early, in words, if they can't."""
        result = run("runuser", "-u", self.names["ann"], "--", BIN / "python", "-c",
                     "import jupyterhub, lessonkit, classroom", check=False,
                     cwd="/")
        assert result.returncode == 0, (
            "a learner's account cannot run the course environment "
            f"({sys.prefix}): every folder above it needs o+x and its files o+r\n"
            + result.stderr[-2000:])

    def run_cycle(self, security_checks: bool):
        self.check_everyone_can_run_the_environment()
        self.hub.start()
        self.timer.lap("hub and proxy up")

        people = {role: Person(self.hub, name, self.passwords[role])
                  for role, name in self.names.items()}
        self.people = people
        self.outsider_could_log_in = people["outsider"].login()
        for role in ("instructor", "ann", "ben"):
            assert people[role].login(), f"{role} could not log in\n{self.hub.log_tail()}"
            people[role].make_token()
        teacher, ann, ben = people["instructor"], people["ann"], people["ben"]
        self.timer.lap("PAM logins, tokens")

        # the learners' servers start while the instructor releases (a start request
        # returns only after JupyterHub's slow_spawn_timeout, 10 s: ask in parallel)
        servers = (ann, ben, teacher) if security_checks else (ann, ben)
        with ThreadPoolExecutor(max_workers=len(servers)) as pool:
            starting = [pool.submit(person.start_server) for person in servers]
            teacher.formgrader("POST", f"assignment/{LESSON}/assign")
            teacher.formgrader("POST", f"assignment/{LESSON}/release")
            self.timer.lap("formgrader: generate and release")
            for future in starting:
                future.result()
        for person in servers:
            person.wait_for_server()
        self.timer.lap("servers ready")

        self.learners_submit(ann, ben)
        self.timer.lap("fetch, answer, submit (two learners)")

        if self.redis:  # no instructor from here on: the service grades and returns feedback
            self.feedback = {learner.name: self.wait_for_feedback(learner)
                             for learner in (ann, ben)}
            self.timer.lap("graded by the service, feedback fetched (two learners)")
            return

        if security_checks:
            self.forge_submissions(ann, ben)
            self.timer.lap("forged submissions")

        collected = teacher.formgrader("POST", f"assignment/{LESSON}/collect")
        self.collect_log = collected.get("log", "")
        for learner in (ann, ben):
            teacher.formgrader("POST", f"submission/{LESSON}/{learner.name}/autograde")
        self.timer.lap("formgrader: collect, autograde (two)")
        self.submissions = teacher.formgrader("GET", f"submissions/{LESSON}")
        self.students = sorted(s["id"] for s in teacher.formgrader("GET", "students"))

        if security_checks:
            teacher.formgrader("POST", f"assignment/{LESSON}/generate_feedback")
            teacher.formgrader("POST", f"assignment/{LESSON}/release_feedback")
            self.feedback_status = status_of(ben.assignments("fetch_feedback"))
            feedback = ben.ok("GET", f"/user/{ben.name}/api/contents/{LESSON}/feedback").json()
            self.feedback_pages = [
                page["name"] for stamp in feedback["content"]
                for page in ben.ok("GET", f"/user/{ben.name}/api/contents/{stamp['path']}")
                .json()["content"]
            ]
            self.timer.lap("feedback: generate, release, fetch")
            # nbgrader's Course List in the instructor's own JupyterLab
            self.course_list = teacher.ok("GET", f"/user/{teacher.name}/formgraders").json()

    def learners_submit(self, ann: Person, ben: Person):
        """ann answers right, ben partly wrong and looks around when graded; each fetches,
        answers and submits in the Assignments tab."""
        solution = read_notebook(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb")
        answers = {ann: reference_answers(solution)["average"], ben: PARTLY_WRONG}
        self.statuses = {}
        for learner, answer in answers.items():
            before = status_of(learner.assignments())
            # nbgrader's fetch answers "success" even when the fetch failed: read the status
            after = status_of(learner.assignments("fetch"))
            nb = with_answers(learner.notebook(), {"average": answer})
            if learner is ben:  # ben's notebook also looks around when it is graded
                nb.cells.append(nbformat.v4.new_code_cell(self.probe_source()))
            learner.save(f"{LESSON}/{LESSON}.ipynb",
                         {"type": "notebook", "format": "json", "content": nb})
            submitted = learner.assignments("submit")
            self.statuses[learner.name] = (before, after, status_of(submitted))

    def wait_for_feedback(self, learner: Person, timeout=600) -> str:
        """Fetch Feedback in the Assignments tab until the feedback page arrives; its text."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.hub.check_alive()
            learner.assignments("fetch_feedback")
            folder = learner.call("GET", f"/user/{learner.name}/api/contents/{LESSON}/feedback")
            if folder.status_code == 200:
                pages = [page for stamp in folder.json()["content"]
                         for page in learner.ok("GET", f"/user/{learner.name}/api/contents/"
                                                       f"{stamp['path']}").json()["content"]]
                if pages:
                    return learner.ok("GET", f"/user/{learner.name}/api/contents/"
                                             f"{pages[0]['path']}").json()["content"]
            time.sleep(3)
        service_log = "\n".join(self.hub.log_tail(200).splitlines()[-80:])
        raise AssertionError(f"no feedback for {learner.name} in {timeout} s\n{service_log}")

    def probe_source(self) -> str:
        """A cell that tries to reach the hub, the gradebook and other people's files."""
        ports = {"hub": self.hub.url, "hub api": self.hub.env["RNN_HUB_API_URL"],
                 "proxy api": self.hub.env["RNN_HUB_PROXY_API_URL"],
                 "formgrader": self.hub.env["RNN_HUB_FORMGRADER_URL"],
                 "due dates": self.hub.env["RNN_HUB_DUE_DATES_URL"]}
        ports = {name: int(url.rsplit(":", 1)[1]) for name, url in ports.items()}
        if self.postgres:
            ports["postgresql"] = self.postgres.port
        ann_home = pwd.getpwnam(self.names["ann"]).pw_dir
        files = {"ann's work": f"{ann_home}/{LESSON}/{LESSON}.ipynb",
                 "the course's solutions": str(self.course_dir / "solutions" / LESSON
                                               / f"{LESSON}.ipynb"),
                 "the course's config": str(self.course_dir / "nbgrader_config.py"),
                 "the exchange": str(self.exchange / COURSE / "inbound")}
        return PROBE.format(ports=ports, files=files)

    def probes(self) -> dict:
        """What ben's probe cell found when the instructor autograded it."""
        graded = (self.course_dir / "autograded" / self.names["ben"] / LESSON
                  / f"{LESSON}.ipynb")
        printed = "".join(o.get("text", "") for c in read_notebook(graded).cells
                          for o in c.get("outputs", []) if o.get("output_type") == "stream")
        lines = [line for line in printed.splitlines() if line.startswith("PROBES ")]
        assert lines, f"the probe cell printed nothing:\n{printed[-3000:]}"
        return json.loads(lines[-1].removeprefix("PROBES "))

    def forge_submissions(self, ann: Person, ben: Person):
        """ben tries to submit his partly wrong work as ann's, after ann submitted."""
        # 1. in the Assignments tab, with his nbgrader config claiming to be ann
        config = f"c = get_config()\nc.CourseDirectory.student_id = {ann.name!r}\n"
        ben.save("nbgrader_config.py", {"type": "file", "format": "text", "content": config})
        self.tab_forgery = ben.call("POST", f"/user/{ben.name}/assignments/submit",
                                    json={"course_id": COURSE, "assignment_id": LESSON}).json()
        ben.ok("DELETE", f"/user/{ben.name}/api/contents/nbgrader_config.py")
        # 2. in a terminal of his server (same account, same environment), telling nbgrader
        #    to skip the hub's membership check and to use ann's id
        home = pwd.getpwnam(ben.name).pw_dir
        config_path = os.pathsep.join([str(ROOT / "deploy" / "jupyterhub" / "learner"),
                                       str(ROOT / "deploy" / "jupyterhub" / "jupyter")])
        self.terminal_forgery = run(
            "runuser", "-u", ben.name, "--", "env", "-i", f"HOME={home}", f"USER={ben.name}",
            f"PATH={BIN}:/usr/bin:/bin", f"NBGRADER_EXCHANGE={self.exchange}",
            f"JUPYTER_CONFIG_PATH={config_path}", BIN / "nbgrader", "submit", LESSON,
            "--course", COURSE, "--student", ann.name,
            "--Authenticator.plugin_class=nbgrader.auth.NoAuthPlugin",
            cwd=home, check=False, timeout=180)
        inbound = self.exchange / COURSE / "inbound"
        self.forged = [p for p in inbound.iterdir() if p.name.startswith(ann.name + "+")
                       and p.stat().st_uid == pwd.getpwnam(ben.name).pw_uid]

    def scores(self) -> dict[str, tuple[float, float]]:
        return {s["student"]: (float(s["score"]), float(s["max_score"]))
                for s in self.submissions}


@pytest.fixture(scope="module")
def machine():
    _require_hub()
    TIMINGS.unlink(missing_ok=True)
    changes = Machine()
    yield changes
    changes.undo()


def _class(machine, label: str, postgres: bool, security_checks: bool,
           grading_service: bool = False):
    if postgres:
        postgres_bin()
    room = None
    try:
        room = Class(label, machine, postgres, grading_service)
        room.run_cycle(security_checks)
        room.timer.lap("cycle done")
    except BaseException:
        if room is not None:
            room.stop()
        raise
    return room


def _class_for_the_tests(machine, label: str, postgres: bool, security_checks: bool,
                         grading_service: bool = False):
    """A class fixture's body: the class for its tests, then everything stopped and timed."""
    room = _class(machine, label, postgres, security_checks, grading_service)
    yield room
    room.stop()
    room.timer.lap("checks, then everything stopped")
    room.timer.save()


@pytest.fixture(scope="class")
def sqlite_class(machine):
    yield from _class_for_the_tests(machine, "sqlite", postgres=False, security_checks=True)


@pytest.fixture(scope="class")
def postgres_class(machine):
    yield from _class_for_the_tests(machine, "postgres", postgres=True, security_checks=False)


@pytest.fixture(scope="class")
def service_class(machine):
    yield from _class_for_the_tests(machine, "grading-service", postgres=True,
                                    security_checks=False, grading_service=True)


def _check_graded_code_is_contained(room: Class):
    probes = room.probes()
    assert probes.pop("secrets") == [], probes
    reached = {name: result for name, result in probes.items() if result in ("reached", "read")}
    assert not reached, probes
    assert {"hub", "hub api", "formgrader", "ann's work", "the course's solutions"} <= set(probes)


def _check_cycle(room: Class):
    ann, ben = room.names["ann"], room.names["ben"]
    # each learner saw the lesson released, fetched it (the status, not fetch's "success"),
    # and submitted it
    for learner in (ann, ben):
        before, after, submitted = room.statuses[learner]
        assert before == {"released"}, (learner, before)
        assert after == {"fetched"}, (learner, after)
        assert "submitted" in submitted, (learner, submitted)
    # the instructor's gradebook: exactly the two learners, under their own ids, scored
    # exactly (the partly wrong answer passes the visible test and fails the hidden one)
    assert room.scores() == {ann: (4.0, 4.0), ben: (3.0, 4.0)}, room.submissions
    assert room.students == sorted([ann, ben])


class TestClassOnJupyterHub:
    """The whole cycle with the default gradebook (SQLite in the course directory)."""

    def test_release_fetch_submit_collect_autograde_scores_exactly(self, sqlite_class):
        _check_cycle(sqlite_class)
        gradebook = sqlite_class.course_dir / "gradebook.db"
        assert gradebook.exists()
        assert gradebook.stat().st_uid == pwd.getpwnam(sqlite_class.names["instructor"]).pw_uid

    def test_only_course_members_log_in(self, sqlite_class):
        assert not sqlite_class.outsider_could_log_in

    def test_hub_groups_follow_unix_groups(self, sqlite_class):
        teacher = sqlite_class.people["instructor"]
        ann = sqlite_class.people["ann"]
        assert ann.ok("GET", f"/hub/api/users/{ann.name}").json()["groups"] == [LEARNERS_GROUP]
        groups = teacher.ok("GET", f"/hub/api/users/{teacher.name}").json()["groups"]
        assert groups == [GRADERS_GROUP]

    def test_learners_cannot_reach_the_formgrader(self, sqlite_class):
        ann, teacher = sqlite_class.people["ann"], sqlite_class.people["instructor"]
        for path in (f"/services/{COURSE}/formgrader",
                     f"/services/{COURSE}/formgrader/api/submissions/{LESSON}"):
            assert ann.call("GET", path).status_code == 403, path
        # nor their own server's formgrader (it is switched off for learners, and so are
        # its menu, the course list and the assignment-creation toolbar)
        assert ann.call("GET", f"/user/{ann.name}/formgrader").status_code == 404
        page = ann.ok("GET", f"/user/{ann.name}/lab").text
        config = re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)
        disabled = json.loads(config.group(1)).get("disabledExtensions", [])
        for plugin in ("formgrader", "course-list", "create-assignment"):
            assert f"@jupyter/nbgrader:{plugin}" in disabled, (plugin, disabled)
        # graders' servers find the formgrader in the hub's list of services (nbgrader's
        # course list); a learner may not list them
        assert COURSE in teacher.ok("GET", "/hub/api/services").json()
        assert ann.call("GET", "/hub/api/services").status_code == 403
        # the instructor can open it, and it may be framed by the hub's own pages only
        page = teacher.ok("GET", f"/services/{COURSE}/formgrader", allow_redirects=True)
        assert "formgrader" in page.url and "Assignments" in page.text
        assert "frame-ancestors 'self'" in page.headers.get("Content-Security-Policy", "")

    def test_graders_find_the_formgrader_in_their_course_list(self, sqlite_class):
        courses = sqlite_class.course_list
        assert courses["success"], courses
        assert [(c["course_id"], c["kind"]) for c in courses["value"]] == [
            (COURSE, "jupyterhub")], courses
        assert courses["value"][0]["url"].endswith(f"/services/{COURSE}/lab?formgrader=true")
        # the formgrader is the service, not one in the grader's own server
        teacher = sqlite_class.people["instructor"]
        assert teacher.call("GET", f"/user/{teacher.name}/formgrader").status_code == 404

    def test_learners_cannot_reach_each_others_servers_or_files(self, sqlite_class):
        ann, ben = sqlite_class.people["ann"], sqlite_class.people["ben"]
        response = ann.call("GET", f"/user/{ben.name}/api/contents/{LESSON}")
        assert response.status_code == 403, sqlite_class.hub.explain(response)
        # and on the machine: their servers run as their own accounts, whose homes are
        # private, and the instructor's course (answers, gradebook) is private too
        ben_home = pwd.getpwnam(ben.name).pw_dir
        course = sqlite_class.course_dir
        for target in (f"{ben_home}/{LESSON}/{LESSON}.ipynb", f"{course}/gradebook.db",
                       f"{course}/solutions/{LESSON}/{LESSON}.ipynb"):
            result = run("runuser", "-u", ann.name, "--", "cat", target, check=False)
            assert result.returncode != 0 and "Permission denied" in result.stderr, target

    def test_a_submission_under_another_learners_id_does_not_replace_theirs(
            self, sqlite_class):
        ann = sqlite_class.names["ann"]
        # the Assignments tab refuses it: the hub does not tell ben's server ann's groups
        assert not sqlite_class.tab_forgery["success"], sqlite_class.tab_forgery
        # a terminal can get a folder named after ann into the exchange, but it is ben's...
        assert sqlite_class.terminal_forgery.returncode == 0, (
            sqlite_class.terminal_forgery.stderr[-2000:])
        assert len(sqlite_class.forged) == 1
        # ...and collect leaves it out: ann's grade is her own work's (see the cycle's 4/4)
        assert "claims to be from" in sqlite_class.collect_log
        assert sqlite_class.scores()[ann] == (4.0, 4.0)
        submitted = (sqlite_class.course_dir / "submitted" / ann / LESSON / f"{LESSON}.ipynb")
        nb = nbformat.read(submitted, as_version=4)
        answer = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "average")
        assert "ValueError" in answer.source  # the reference answer, not ben's

    def test_graded_code_reaches_neither_the_hub_nor_other_files(self, sqlite_class):
        _check_graded_code_is_contained(sqlite_class)

    def test_each_learner_sees_their_own_due_date(self, sqlite_class):
        """Issue 21: the Assignments tab's dates come from the hub's due-dates service,
        which each learner's server asks with its own token: ann, who has an extension,
        gets her own date, ben the lesson's; neither can ask for the other's."""
        room = sqlite_class
        ann, ben = room.people["ann"], room.people["ben"]
        deadlines = room.course_dir / "deadlines.toml"
        deadlines.write_text(f'[due]\n"{LESSON}" = 2027-01-11T23:59:00\n\n'
                             f'[extensions."{LESSON}"]\n"{ann.name}" = "2 days"\n')
        run("chown", f"{room.names['instructor']}:", deadlines)
        deadlines.chmod(0o600)  # it names learners: the instructor's alone
        for learner, due in ((ann, "2027-01-13T23:59:00+00:00"),
                             (ben, "2027-01-11T23:59:00+00:00")):
            answer = learner.ok("GET", f"/user/{learner.name}/rnn-course/due-dates").json()
            assert answer == {"courses": {COURSE: {LESSON: due}}, "own": True}, learner.name
        # the service itself answers a token with that token's user's dates only
        service = f"/services/{COURSE}-due-dates/due-dates"
        assert ann.ok("GET", service).json() == {
            "courses": {COURSE: {LESSON: "2027-01-13T23:59:00+00:00"}}}
        assert ann.call("GET", service, params={"user": ben.name}).json() == {
            "courses": {COURSE: {LESSON: "2027-01-13T23:59:00+00:00"}}}
        anonymous = ann.http.get(room.hub.url + service, allow_redirects=False, timeout=60)
        assert anonymous.status_code == 403, room.hub.explain(anonymous)

    def test_feedback_reaches_the_learner(self, sqlite_class):
        assert "submitted" in sqlite_class.feedback_status
        assert sqlite_class.feedback_pages == [f"{LESSON}.html"]

    def test_the_websites_hub_link_opens_the_lesson(self, sqlite_class, tmp_path):
        """The website's "Run on JupyterHub" link, made by site/conf.py for this hub and a
        Git server on loopback that holds the course: nbgitpuller clones it into the
        learner's home and the link lands on the lesson."""
        ann = sqlite_class.people["ann"]
        # as in a browser: a login session (cookies), and every redirect followed, through
        # the hub's OAuth to ann's own server
        browser = Person(sqlite_class.hub, ann.name, sqlite_class.passwords["ann"])
        assert browser.login()
        hub = sqlite_class.hub.url
        with git_server(tmp_path, "rnn-course") as repository:
            link = site_launch_links(LESSON, repository, hub)["JupyterHub"]
            page = browser.http.get(link, timeout=120)  # the progress page
            assert page.status_code == 200, sqlite_class.hub.explain(page)
            pull = urlparse(page.url)
            assert pull.path == f"/user/{ann.name}/git-pull", page.url
            assert "nbgitpuller" in page.text.lower()
            query = parse_qs(pull.query)
            # what the page's script does next: the pull, streamed as server-sent events
            events = []
            arguments = {k: v[0] for k, v in query.items() if k != "urlpath"}
            with browser.http.get(f"{hub}{pull.path}/api", params=arguments, stream=True,
                                  timeout=240) as api:
                assert api.status_code == 200, sqlite_class.hub.explain(api)
                for line in api.iter_lines(decode_unicode=True):
                    if line and line.startswith("data: "):
                        events.append(json.loads(line.removeprefix("data: ")))
                        if events[-1].get("phase") in ("finished", "error"):
                            break
            assert events and events[-1]["phase"] == "finished", events[-5:]
        # the link's urlpath names the lesson, and it is there, as the course publishes it
        urlpath = query["urlpath"][0]
        assert urlpath == f"lab/tree/rnn-course/course/{LESSON}/{LESSON}.ipynb"
        content = ann.ok("GET", f"/user/{ann.name}/api/contents/"
                                f"{urlpath.removeprefix('lab/tree/')}").json()["content"]
        published = nbformat.read(ROOT / "course" / LESSON / f"{LESSON}.ipynb", as_version=4)
        assert [c["source"] for c in content["cells"]] == [c.source for c in published.cells]
        home = Path(pwd.getpwnam(ann.name).pw_dir)
        assert (home / "rnn-course" / ".git").is_dir()
        assert (home / "rnn-course").stat().st_uid == pwd.getpwnam(ann.name).pw_uid


def site_launch_links(lesson: str, repository: str, hub_url: str) -> dict[str, str]:
    """The website's launch links (site/conf.py) for another repository and hub."""
    spec = importlib.util.spec_from_file_location("site_conf", ROOT / "site" / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf.launch_links(lesson, {**conf.SETTINGS, "repository": repository,
                                      "jupyterhub": hub_url})


@contextlib.contextmanager
def git_server(folder: Path, name: str):
    """A Git server on loopback (git daemon) with one repository, ``name``: the course's
    learner copies (course/) committed on the branch main. Yields its URL."""
    work, served = folder / "work", folder / "served"
    shutil.copytree(ROOT / "course", work / "course")
    git = ["git", "-c", "user.name=course", "-c", "user.email=course@localhost"]
    run(*git, "init", "--quiet", "--initial-branch", "main", str(work))
    run(*git, "-C", str(work), "add", "course")
    run(*git, "-C", str(work), "commit", "--quiet", "-m", "the course")
    run("git", "clone", "--quiet", "--bare", str(work), str(served / name))
    port = free_port()
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
         f"--port={port}", f"--base-path={served}", str(served)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while run("git", "ls-remote", f"git://127.0.0.1:{port}/{name}", check=False).returncode:
            assert daemon.poll() is None and time.monotonic() < deadline, daemon.stderr.read()
            time.sleep(0.2)
        yield f"git://127.0.0.1:{port}/{name}"
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)


class TestClassWithPostgreSQLGradebook:
    """The same cycle, the gradebook on a PostgreSQL server (as for several graders)."""

    def test_release_fetch_submit_collect_autograde_scores_exactly(self, postgres_class):
        _check_cycle(postgres_class)

    def test_graded_code_reaches_neither_postgresql_nor_the_hub(self, postgres_class):
        _check_graded_code_is_contained(postgres_class)
        assert "postgresql" in postgres_class.probes()

    def test_the_gradebook_is_in_postgresql(self, postgres_class):
        from nbgrader.api import Gradebook

        assert not (postgres_class.course_dir / "gradebook.db").exists()
        with Gradebook(postgres_class.postgres.url, COURSE) as gradebook:
            scores = {s.student.id: s.score
                      for s in gradebook.find_assignment(LESSON).submissions}
        assert scores == {postgres_class.names["ann"]: 4.0, postgres_class.names["ben"]: 3.0}

    def test_the_report_reads_the_postgresql_gradebook(self, postgres_class, tmp_path):
        """classroom.report on this class: its numbers are the PostgreSQL gradebook's."""
        env = dict(os.environ, NBGRADER_DB_URL=postgres_class.postgres.url)
        result = subprocess.run([sys.executable, "-m", "classroom.report", LESSON, "--out",
                                 str(tmp_path)], cwd=postgres_class.course_dir, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
        assert result.stdout.startswith("2 learners, 2 graded,"), result.stdout
        with open(tmp_path / f"{LESSON}.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        # ann 4/4 and ben 3/4: the cells' mean scores add up to the class mean, 3.5
        assert {row["graded"] for row in rows} == {"2"}, rows
        assert sum(float(row["mean_score"]) for row in rows) == pytest.approx(3.5), rows
        assert (tmp_path / f"{LESSON}.html").stat().st_size > 1000

    def test_learners_do_not_get_the_gradebook_url(self, postgres_class):
        ann = postgres_class.names["ann"]
        # the servers' environment: the grader's has the URL, a learner's does not
        found = {}
        uids = {pwd.getpwnam(n).pw_uid: n for n in postgres_class.names.values()}
        for environ in glob.glob("/proc/[0-9]*/environ"):
            try:
                owner = uids.get(os.stat(environ).st_uid)
                text = Path(environ).read_bytes()
            except OSError:
                continue
            if owner and b"JUPYTERHUB_" in text:
                found.setdefault(owner, set()).add(b"NBGRADER_DB_URL=" in text)
        assert found.get(ann) == {False}, found
        assert True in found.get(postgres_class.names["instructor"], set()), found


class TestGradingServiceOnJupyterHub:
    """The hub with its grading service on (a broker given): learners submit and fetch their
    feedback in the Assignments tab, and no instructor collects, grades or releases."""

    def test_learners_get_feedback_without_the_instructor(self, service_class):
        ann, ben = service_class.names["ann"], service_class.names["ben"]
        assert ("Attempt 1 of 3. graded automatically: 4 / 4 points. 2 attempts remain."
                in service_class.feedback[ann])
        assert ("Attempt 1 of 3. graded automatically: 3 / 4 points. 2 attempts remain."
                in service_class.feedback[ben])
        solution = (ROOT / "solutions" / LESSON / f"{LESSON}.ipynb").read_text()
        hidden = solution.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        for page in service_class.feedback.values():
            assert "BEGIN HIDDEN TESTS" not in page
            assert not [line for line in hidden.splitlines()
                        if len(line.strip()) > 20 and line.strip() in page]

    def test_the_services_scores_are_in_the_gradebook(self, service_class):
        from nbgrader.api import Gradebook

        with Gradebook(service_class.postgres.url, COURSE) as gradebook:
            scores = {s.student.id: s.score
                      for s in gradebook.find_assignment(LESSON).submissions}
        assert scores == {service_class.names["ann"]: 4.0, service_class.names["ben"]: 3.0}
