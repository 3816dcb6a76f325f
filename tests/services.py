"""Servers the tests start for themselves, on loopback only: PostgreSQL, Redis, the
grading service's watcher and Celery workers; the accounts and folders a test changes on
the machine (with how to undo them); and learners who submit and fetch feedback with
nbgrader's own exchange code. Used by tests/test_jupyterhub.py,
tests/test_grading_service.py and bench/grading_service.py.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

BIN = Path(sys.prefix) / "bin"
REPO = Path(__file__).resolve().parents[1]


def missing(message: str):
    """Skip on a developer's machine; in CI the deployment must be tested, so fail."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {message}")
    pytest.skip(message)

def postgres_bin() -> Path:
    """The folder of PostgreSQL's server programs (Debian keeps them off PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.insert(0, found)
    for initdb in candidates:
        folder = Path(initdb).resolve().parent
        if (folder / "pg_ctl").exists():
            return folder
    missing("PostgreSQL's server is not installed (Debian: apt-get install postgresql); "
             "the test starts its own on loopback")
    raise AssertionError  # not reached

def run(*command, check=True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True,
                            timeout=kwargs.pop("timeout", 120), **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

class Machine:
    """Accounts, groups and folder permissions the test changes, and how to undo them."""

    def __init__(self):
        self.users: list[str] = []
        self.groups: list[str] = []
        self.modes: list[tuple[Path, int]] = []
        self.folders: list[Path] = []

    def folder(self, path: Path, mode: int) -> Path:
        """A new folder (removed at the end)."""
        path.mkdir(mode=mode)
        path.chmod(mode)
        self.folders.append(path)
        return path

    def group(self, name: str):
        if run("getent", "group", name, check=False).returncode != 0:
            run("groupadd", name)
            self.groups.append(name)

    def user(self, name: str, groups: list[str]) -> str:
        """A Unix account with a home only it can enter, and a password; returns it."""
        command = ["useradd", "--create-home", "--shell", "/bin/bash"]
        if groups:
            command += ["--groups", ",".join(groups)]
        run(*command, name)
        self.users.append(name)
        home = Path(pwd.getpwnam(name).pw_dir)
        home.chmod(0o700)  # useradd makes homes world-readable here (HOME_MODE is unset)
        password = secrets.token_urlsafe(18)
        run("chpasswd", input=f"{name}:{password}\n")
        return password

    def let_everyone_traverse(self, path: Path):
        """o+x on every folder above ``path`` that lacks it (undone at the end).

        The course environment must be usable by every account: the single-user servers
        and kernels run its Python, its packages and the course's lessonkit. A venv made
        by root may sit under /root (mode 700), and its python links to an interpreter
        there (pyenv). Traversal only (x, not r): nobody can list /root, they can reach
        the named paths under it, which are world-readable already (umask 022).
        """
        for folder in [path, *path.parents]:
            if not folder.is_dir():
                continue
            mode = stat.S_IMODE(folder.stat().st_mode)
            if not mode & stat.S_IXOTH:
                self.modes.append((folder, mode))
                folder.chmod(mode | stat.S_IXOTH)

    def uids(self) -> set[int]:
        uids = set()
        for name in self.users:
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        return uids

    def stop_processes(self):
        """Kill, by pid, whatever still runs as one of the accounts this test created."""
        uids = self.uids()
        for status in glob.glob("/proc/[0-9]*/status"):
            try:
                text = Path(status).read_text()
            except OSError:
                continue
            uid_line = next((line for line in text.splitlines() if line.startswith("Uid:")), "")
            if uid_line and int(uid_line.split()[1]) in uids:
                try:
                    os.kill(int(status.split("/")[2]), signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def undo(self):
        self.stop_processes()
        time.sleep(0.5)
        for name in reversed(self.users):
            run("userdel", "--force", "--remove", name, check=False)
        for name in reversed(self.groups):
            run("groupdel", name, check=False)
        for folder, mode in reversed(self.modes):
            folder.chmod(mode)
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)

# ----------------------------------------------------------------------------------------
# PostgreSQL, started by the test on a loopback port, as an account of its own

class Postgres:
    def __init__(self, machine: Machine, base: Path, prefix: str):
        self.bin = postgres_bin()
        self.account = f"{prefix}-pg"
        machine.user(self.account, [])
        self.data = base / "pg"
        self.data.mkdir(mode=0o700)
        shutil.chown(self.data, self.account, self.account)
        self.port = free_port()
        self.password = secrets.token_urlsafe(18)
        pwfile = self.data / "pw"
        pwfile.write_text(self.password + "\n")
        shutil.chown(pwfile, self.account, self.account)
        self._as_pg(self.bin / "initdb", "--pgdata", self.data / "cluster",
                    "--username", "gradebook", "--pwfile", pwfile, "--auth", "scram-sha-256",
                    "--no-sync", "--encoding", "UTF8", "--locale", "C")
        pwfile.unlink()
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} "
                   f"-c unix_socket_directories={self.data}")
        self._as_pg(self.bin / "pg_ctl", "--pgdata", self.data / "cluster", "--wait",
                    "--log", self.data / "server.log", "-o", options, "start", timeout=120)
        self.running = True
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="gradebook",
                                      password=self.password, dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("CREATE DATABASE rnn_course")
        connection.close()
        self.url = (f"postgresql+psycopg2://gradebook:{self.password}"
                    f"@127.0.0.1:{self.port}/rnn_course")

    def _as_pg(self, *command, timeout=120):
        return run("runuser", "-u", self.account, "--", *command, cwd=self.data, timeout=timeout)

    def stop(self):
        if getattr(self, "running", False):
            self._as_pg(self.bin / "pg_ctl", "--pgdata", self.data / "cluster", "--wait",
                        "--mode", "fast", "stop", timeout=60)
            self.running = False

# ----------------------------------------------------------------------------------------
# the grading service: Redis, the watcher, Celery workers


def redis_server() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None)
    if not found:
        missing("Redis is not installed (Debian: apt-get install redis-server); the test "
                "starts its own on loopback")
    return found


def service_env(course: Path) -> dict[str, str]:
    """The environment of a service process: this Python first on PATH, this checkout
    importable (also when the tests run from a worktree over another install)."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["CLASSROOM_COURSE_DIR"] = str(course)
    env.pop("NBGRADER_DB_URL", None)
    env.pop("NBGRADER_EXCHANGE", None)
    return env


class Redis:
    """A Redis server of the test's own, on a loopback port, its queue kept on disk
    (append-only file, fsync on every write), so a restart loses nothing."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_server(), "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--protected-mode", "yes",
             "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                import redis

                if redis.Redis.from_url(self.url).ping():
                    return
            except Exception:
                time.sleep(0.1)
        raise AssertionError(f"Redis did not start\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None

    def log_tail(self) -> str:
        try:
            return (self.folder / "redis.log").read_text()[-2000:]
        except OSError:
            return "(no log)"


class ServiceProcess:
    """``python -m classroom.service`` or a ``celery worker``, in the course directory, in
    a process group of its own; its log kept in the course's grading-service/ folder."""

    def __init__(self, course: Path, name: str, command: list[str]):
        self.course, self.name, self.command = course, name, command
        self.log = course / "grading-service" / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(self.command, cwd=self.course,
                                            env=service_env(self.course), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        self.process = None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


def watcher(course: Path) -> ServiceProcess:
    return ServiceProcess(course, "watcher", [sys.executable, "-m", "classroom.service"])


def worker(course: Path, name: str) -> ServiceProcess:
    return ServiceProcess(course, name, [
        sys.executable, "-m", "celery", "-A", "classroom.service.worker", "worker",
        "--concurrency", "1", "--hostname", f"{name}@%h", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat"])


# ----------------------------------------------------------------------------------------
# learners: nbgrader's own exchange code, each learner with a folder and cache of their own


def _exchange_app(kind, home: Path, exchange: Path, lesson: str, student: str):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.course_id = "rnn-course"
    config.CourseDirectory.assignment_id = lesson
    config.CourseDirectory.student_id = student
    config.Exchange.root = str(exchange)
    config.Exchange.cache = str(home / ".nbgrader-cache")
    config.Exchange.assignment_dir = str(home)
    return kind(coursedir=CourseDirectory(config=config),
                authenticator=Authenticator(config=config), config=config)


def submit(home: Path, exchange: Path, lesson: str, student: str, notebook) -> None:
    """``nbgrader submit`` of ``notebook`` (a notebook, or text that is not one)."""
    from nbgrader.exchange.default.submit import ExchangeSubmit

    path = home / lesson / f"{lesson}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(notebook, str):
        path.write_text(notebook)
    else:
        nbformat.write(notebook, path)
    _exchange_app(ExchangeSubmit, home, exchange, lesson, student).start()


def fetch_feedback(home: Path, exchange: Path, lesson: str, student: str) -> dict[str, str]:
    """``nbgrader fetch_feedback``: ``{submission time stamp: feedback page}``."""
    from nbgrader.exchange.default.fetch_feedback import ExchangeFetchFeedback

    _exchange_app(ExchangeFetchFeedback, home, exchange, lesson, student).start()
    folder = home / lesson / "feedback"
    return {p.parent.name: p.read_text() for p in sorted(folder.glob(f"*/{lesson}.html"))}
