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
c.CourseDirectory.db_url = os.environ.get("NBGRADER_DB_URL", f"sqlite:///{HERE / 'gradebook.db'}")
# One machine out of the box: the exchange lives beside the course and needs no root.
# A shared deployment sets NBGRADER_EXCHANGE (e.g. /srv/nbgrader/exchange).
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", str(HERE / "exchange"))

# Every cell runs in well under 30 s in the reference notebooks (see bench/notebook_times.py);
# 60 s leaves room for a loaded grading machine while an endless loop costs a minute at most.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# A test cell the learner deleted is put back and graded (otherwise it is silently skipped).
c.OverwriteCells.add_missing_cells = True

# TensorFlow's own log lines on stderr must not zero a test cell (autograde only;
# lessonkit already silences them at import, this is the second line of defence).
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(?m)^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] |[IWE]\d{4} \d\d:\d\d:\d\d"
    r"|WARNING: All log messages before absl::InitializeLog)"
)
