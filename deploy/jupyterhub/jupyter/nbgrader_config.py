"""nbgrader settings of the class on JupyterHub, for every server the hub starts.

jupyterhub_config.py puts this folder on JUPYTER_CONFIG_PATH of every learner's and
grader's server and of the formgrader service, so nbgrader finds it wherever it runs
there (the Assignments tab, Validate, the formgrader, `nbgrader` in a terminal).

The course's settings come from the course itself: the repository's nbgrader_config.py
(course id, grading timeouts, preprocessors, ...) is loaded first, unchanged. Only what
differs on a shared server is set here. In the instructor's course directory its own
nbgrader_config.py is read after this file and wins where both set something, which is
why the hub passes the exchange (NBGRADER_EXCHANGE) and, to graders only, the gradebook
(NBGRADER_DB_URL) as environment variables that the course's file reads.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

COURSE_CONFIG = Path(__file__).resolve().parents[3] / "nbgrader_config.py"
if not os.access(COURSE_CONFIG, os.R_OK):
    raise RuntimeError(f"the course's {COURSE_CONFIG} is not readable by this account: "
                       "every learner needs read access to the course's installation")
load_subconfig(str(COURSE_CONFIG))  # noqa: F821 (provided by traitlets)

# One exchange for the class, shared by every account (created by the hub's config).
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")

# Course membership from the hub's groups nbgrader-<course> (learners) and
# formgrade-<course> (graders), which follow the Unix groups of the same names.
c.Authenticator.plugin_class = "classroom.hub.CourseAuthPlugin"

# Collect only what each learner submitted from their own account: a submission made
# under another learner's id is skipped (nbgrader's own collect only warns).
c.ExchangeFactory.collect = "classroom.exchange.OwnerCheckedCollect"
