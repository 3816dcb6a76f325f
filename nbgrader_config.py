"""nbgrader configuration for the course.

solutions/<lesson>/  the instructor's source notebooks (answers and hidden tests)
course/<lesson>/     what learners open, made by `nbgrader generate_assignment`
submitted/, autograded/, feedback/, gradebook.db, exchange/   run-time data, git-ignored
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

HERE = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "rnn-course"
c.CourseDirectory.root = str(HERE)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
# SQLite waits up to 60 s for a lock, so that several graders (python -m classroom.autograde)
# can write at once; a class with several instructors sets NBGRADER_DB_URL (PostgreSQL).
c.CourseDirectory.db_url = os.environ.get(
    "NBGRADER_DB_URL", f"sqlite:///{HERE / 'gradebook.db'}?timeout=60"
)
# Nothing importable from a submission reaches the grading kernel's folder: a learner's own
# `lessonkit.py` (or `numpy.py`) cannot stand in for the real package during grading.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
    "*.py", "*.pth", "*.so", "*.pyd", "*.egg-link",
]
# One machine out of the box: the exchange lives beside the course and needs no root.
# A shared deployment sets NBGRADER_EXCHANGE (e.g. /srv/nbgrader/exchange).
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", str(HERE / "exchange"))

# What the released notebook has in place of each solution: a learner who runs a test
# before writing the function is told what to do, not shown an empty error.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\n"
              'raise NotImplementedError("write your code in place of this line")',
}

# Every cell runs in well under 30 s in the reference notebooks (see bench/notebook_times.py);
# 60 s leaves room for a loaded grading machine while an endless loop costs a minute at most.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# After a cell's reply, how long to wait for its last output. nbclient's 4 s default fails
# whole submissions on a busy grading machine (a TensorFlow import under load).
c.Execute.iopub_timeout = 30

# A test cell the learner deleted is put back and graded (otherwise it is silently skipped).
c.OverwriteCells.add_missing_cells = True

# Autograde as nbgrader does, except that the learner's kernel runs in a sandbox and every
# test cell runs in the grader (classroom/sandbox/__init__.py: the threat model), plus a cap
# on the size of any output (a submission that prints a gigabyte on one line must not be
# stored, nor shown back as feedback).
c.Autograde.autograde_preprocessors = [
    "classroom.sandbox.executor.SandboxedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "classroom.preprocessors.LimitOutputSize",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# The sandbox's limits (defaults fit every lesson with room to spare; see bench/ and
# docs/classroom.md). Per process: address space and file size; per sandbox: processes,
# and the size of its in-memory home and /tmp.
c.Sandbox.memory_limit = 6 * 2**30
c.Sandbox.process_limit = 512
c.Sandbox.file_size_limit = 256 * 2**20
c.Sandbox.disk_limit = 512 * 2**20
# Keep the grader's note of how a notebook was graded (sandbox, tests) in the autograded copy.
c.ClearMetadataPreprocessor.preserve_nb_metadata_mask = {("language_info", "name"), ("classroom",)}

# Late work: due dates, the late policy and per-learner extensions are in deadlines.toml
# (classroom/deadlines.py; deadlines.example.toml). nbgrader finds late submissions from the
# gradebook's due date; the course's plugin applies the policy and the learner's extension.
c.AssignLatePenalties.plugin_class = "classroom.deadlines.LatePolicy"

# Feedback says which tests failed and why, without showing hidden test code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "classroom.preprocessors.HideHiddenTests",
]

# `nbgrader export` adds status and problems columns: a submission that could not be
# graded shows as "grading failed", not as a silent 0.
c.ExportApp.plugin_class = "classroom.export.StatusCsvExporter"

# TensorFlow's own log lines on stderr must not zero a test cell (autograde only;
# lessonkit already silences them at import, this is the second line of defence).
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(?m)^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] |[IWE]\d{4} \d\d:\d\d:\d\d"
    r"|WARNING: All log messages before absl::InitializeLog)"
)

# The grading service (python -m classroom.service and its Celery workers; docs/classroom.md):
# which lessons it grades as learners submit, per lesson: on, attempts allowed (None: no
# limit), which graded attempt counts ("last" or "best"), and whether each attempt's
# feedback is released at once. A lesson not listed is left to the instructor's batch
# grading. For example:
#   {"00-welcome": {"attempts": 5, "counts": "last", "release": True},
#    "01-neural-networks": {"attempts": 3, "counts": "best", "release": False}}
c.GradingService.lessons = {}
# seconds one attempt may take to grade before it is stopped and reported to the learner
c.GradingService.time_limit = 900
