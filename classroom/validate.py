"""Validate notebooks like ``nbgrader validate``, but exit non-zero when a test fails.

    python -m classroom.validate my-work/02-recurrent-networks/02-recurrent-networks.ipynb

Prints, per notebook, PASS or the tests that failed with their messages. Exit status:
0 all passed, 1 a test failed (or a locked cell was changed), 2 a notebook could not be
read. Uses nbgrader's own Validator with the course's configuration (nbgrader_config.py
in the current folder, if any).
"""

from __future__ import annotations

import sys
from pathlib import Path


def validate(paths: list[str]) -> int:
    from nbgrader.validator import Validator

    from classroom.config import load_course_config

    validator = Validator(config=load_course_config("."))
    status = 0
    for path in paths:
        try:
            results = validator.validate(str(Path(path).resolve()))
        except Exception as error:  # unreadable or not a notebook
            print(f"ERROR {path}: {type(error).__name__}: {str(error)[:300]}")
            status = max(status, 2)
            continue
        failed = results.get("failed", [])
        changed = results.get("changed", []) + results.get("type_changed", [])
        if not failed and not changed:
            print(f"PASS  {path}")
            continue
        status = max(status, 1)
        print(f"FAIL  {path}: {len(failed)} test(s) failed, {len(changed)} locked cell(s) changed")
        for item in failed:
            lines = item.get("raw_error", "").strip().splitlines()
            print("      - " + (lines[-1] if lines else "failed"))
        for item in changed:
            print("      - changed: " + item["source"].splitlines()[0][:80])
    return status


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__)
        return 2
    return validate(argv)


if __name__ == "__main__":
    sys.exit(main())
