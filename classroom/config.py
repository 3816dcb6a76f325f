"""The course's nbgrader configuration, loaded the way nbgrader loads it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader


def load_course_config(root: Path | str = ".") -> Config:
    """``nbgrader_config.py`` of the course in ``root`` (an empty config if there is none)."""
    root = Path(root).resolve()
    if not (root / "nbgrader_config.py").exists():
        return Config()
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def use_this_environment() -> None:
    """Put this Python's bin/ first on PATH: nbgrader's gradebook runs ``alembic`` from PATH,
    which must be this environment's even when it is not activated."""
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
