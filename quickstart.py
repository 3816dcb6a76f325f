"""Set up the course and open it, run its tests, or build its website: one command each.

    python3.11 quickstart.py lab     # make .venv, install, open the course in JupyterLab
    python3.11 quickstart.py test    # make .venv, install with the test extras, run the tests
    python3.11 quickstart.py site    # make .venv, install with the site extra, build the website

Options after the command go to JupyterLab or to pytest, for example
``python3.11 quickstart.py lab --no-browser --ip 0.0.0.0 --port 8888`` on a server, or
``python3.11 quickstart.py test -k 02-recurrent-networks``. Options after ``site`` go to
site/build.py: ``--serve`` serves the built site on http://127.0.0.1:8000,
``--lessons 00-welcome,01-neural-networks`` builds only those lessons.

Only the standard library is used here, so it runs on a fresh Python 3.11.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
WORK = Path(os.environ.get("COURSE_WORK", ROOT / "my-work"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"[quickstart] {message}", flush=True)


def ensure_python() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(
            f"This course needs Python 3.11 (TensorFlow and nbgrader are pinned for it); "
            f"this is Python {sys.version.split()[0]}. Run it as `python3.11 quickstart.py ...` "
            "or create the conda environment in environment.yml."
        )


def ensure_environment(extras: str) -> None:
    """Create .venv and install the course into it, unless it is already up to date."""
    if not PYTHON.exists():
        say(f"creating the virtual environment {VENV}")
        venv.create(VENV, with_pip=True)
    stamp = VENV / f".installed{extras or '-base'}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == wanted):
        say("installing the course and its dependencies (the first time takes a few minutes)")
        subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                       check=True)
        target = f"{ROOT}[{extras}]" if extras else str(ROOT)
        subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "-e", target], check=True)
        stamp.write_text(wanted)
    # Due dates in the Assignments tab: the prebuilt JupyterLab extension (no Node.js) and
    # its server extension, copied into .venv every time (an editable install does not
    # install data files, and a pull may bring a new build).
    subprocess.run([PYTHON, "-m", "classroom.duedates", "--install", "--quiet"], check=True)


LEARNER_CONFIG = """\
# Written by quickstart.py: the course and the exchange of this machine, so that
# Nbgrader > Assignment List works (an instructor on this machine releases into it).
c = get_config()
c.CourseDirectory.course_id = "rnn-course"
c.Exchange.root = {exchange!r}
"""


def copy_lessons() -> None:
    """Give the learner a working copy of every lesson; never overwrite their work."""
    WORK.mkdir(parents=True, exist_ok=True)
    config = WORK / "nbgrader_config.py"
    if not config.exists():
        exchange = os.environ.get("NBGRADER_EXCHANGE", str(ROOT / "exchange"))
        Path(exchange).mkdir(parents=True, exist_ok=True)
        config.write_text(LEARNER_CONFIG.format(exchange=exchange))
    for lesson in sorted((ROOT / "course").iterdir()):
        if lesson.is_dir() and not (WORK / lesson.name).exists():
            shutil.copytree(lesson, WORK / lesson.name)
            say(f"copied {lesson.name} into {WORK}")


def lab(args: list[str]) -> int:
    if "--no-install" in args:
        args.remove("--no-install")
    else:
        ensure_environment("")
    copy_lessons()
    say(f"opening JupyterLab in {WORK} (stop it with Ctrl+C)")
    command = [BIN / "jupyter", "lab", f"--ServerApp.root_dir={WORK}", *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        say("running as root (a container or a CI machine?): adding --allow-root")
        command.append("--allow-root")
    return subprocess.call(command, cwd=WORK)


def test(args: list[str]) -> int:
    ensure_environment("test")
    # the 25 slowest steps are listed at the end: where the run's time goes
    command = [PYTHON, "-m", "pytest", "-n", "auto", "--dist", "loadgroup", "--durations=25",
               *args]
    say("running: " + " ".join(str(c) for c in command))
    return subprocess.call(command, cwd=ROOT)


def site(args: list[str]) -> int:
    """Build the website into site/_build/html (site/build.py says how to open it)."""
    if "--no-install" in args:
        args.remove("--no-install")
    else:
        ensure_environment("site")
    say("building the website: the first build runs every lesson once (several minutes)")
    return subprocess.call([PYTHON, ROOT / "site" / "build.py", *args], cwd=ROOT)


def main(argv: list[str]) -> int:
    ensure_python()
    commands = {"lab": lab, "test": test, "site": site}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](list(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
