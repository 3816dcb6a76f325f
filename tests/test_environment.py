"""The conda environment and the pip package ask for the same things."""

import tomllib

import yaml
from grading import ROOT


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    editable = [p for p in pip if p.startswith("-e .")]
    assert sorted(p for p in pip if p not in editable) == sorted(project["dependencies"])
    # the package itself, with extras that pyproject.toml declares
    assert editable == ["-e .[service]"] and "service" in project["optional-dependencies"]
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python == "python=3.11" and ">=3.11" in project["requires-python"]


def test_ruff_is_clean():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "lessonkit", "classroom", "tests", "bench",
         "deploy", "site", "quickstart.py", "nbgrader_config.py"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
