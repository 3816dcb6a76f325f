"""JupyterHub for a class of the course: one Unix account per person, nbgrader's exchange.

Run as root from the course's environment (the hub starts each server as its user's
account), in a folder of its own:

    cd /srv/jupyterhub && /opt/rnn-course/.venv/bin/jupyterhub \
        -f /opt/rnn-course/deploy/jupyterhub/jupyterhub_config.py

docs/jupyterhub.md is the instructor's guide. Every setting below can be changed here or
with the environment variable named beside it; the defaults are those of the guide.

Who is who, all from the server's Unix accounts and groups:
- learners: accounts in the Unix group nbgrader-<course>; they log in with their Unix
  password (PAM) and get their own JupyterLab, running as their own account;
- graders: accounts in the Unix group formgrade-<course>; they may open the formgrader
  (the hub service named after the course) and their servers know the gradebook;
- the instructor: the account that runs the formgrader service, in the course directory
  (the instructor's copy of the course: sources with answers, submissions, gradebook).
"""

import os
import pwd
import sys
from pathlib import Path

from classroom.config import load_course_config

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]  # the course's installation: public to every account
BIN = Path(sys.prefix) / "bin"  # the hub runs from the course's environment


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


# ----------------------------------------------------------------------------------------
# settings

# the course id, from the course's own nbgrader_config.py (rnn-course)
COURSE = load_course_config(REPO).CourseDirectory.course_id
LEARNERS = f"nbgrader-{COURSE}"  # Unix group and hub group of the learners
GRADERS = f"formgrade-{COURSE}"  # Unix group and hub group of the graders

# the account that runs the formgrader, and its copy of the course
INSTRUCTOR = setting("RNN_HUB_INSTRUCTOR", "instructor")
try:
    _instructor_home = pwd.getpwnam(INSTRUCTOR).pw_dir
except KeyError:
    _instructor_home = f"/home/{INSTRUCTOR}"
COURSE_DIR = setting("RNN_COURSE_DIR", f"{_instructor_home}/{COURSE}")

# nbgrader's exchange, shared by all (created below if missing)
EXCHANGE = setting("NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")
# the grading service (docs/jupyterhub.md, "Feedback minutes after submitting"): off unless
# a broker is given, e.g. redis://127.0.0.1:6379/0; then the hub runs the watcher and
# GRADING_WORKERS workers on this machine (0: workers run on other machines only)
GRADING_BROKER = setting("RNN_GRADING_BROKER_URL", "")
GRADING_WORKERS = int(setting("RNN_GRADING_WORKERS", "1"))
# the gradebook: empty means SQLite in the course directory (one grader at a time);
# several graders: postgresql+psycopg2://USER:PASSWORD@127.0.0.1:5432/DATABASE
DB_URL = setting("NBGRADER_DB_URL", "")

# where the hub listens for browsers. Loopback by default: put a TLS reverse proxy in front
# (or set c.JupyterHub.ssl_cert/ssl_key and bind to the public address).
BIND_URL = setting("RNN_HUB_BIND_URL", "http://127.0.0.1:8000")
# addresses used only inside the server (loopback)
HUB_API_URL = setting("RNN_HUB_API_URL", "http://127.0.0.1:8081")
PROXY_API_URL = setting("RNN_HUB_PROXY_API_URL", "http://127.0.0.1:8001")
FORMGRADER_URL = setting("RNN_HUB_FORMGRADER_URL", "http://127.0.0.1:9999")
DUE_DATES_URL = setting("RNN_HUB_DUE_DATES_URL", "http://127.0.0.1:9998")
DUE_DATES = f"{COURSE}-due-dates"  # the service that tells each learner their own due dates
# the hub's own state: user database, cookie secret, proxy pid (private to root)
STATE_DIR = Path(setting("RNN_HUB_STATE_DIR", os.getcwd()))

# ----------------------------------------------------------------------------------------
# the hub

STATE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
c.JupyterHub.bind_url = BIND_URL
c.JupyterHub.hub_bind_url = HUB_API_URL
c.ConfigurableHTTPProxy.api_url = PROXY_API_URL
c.ConfigurableHTTPProxy.pid_file = str(STATE_DIR / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE_DIR / "jupyterhub.pid")

# The exchange: everyone may create files in it, nobody may remove another's (sticky bit),
# as nbgrader's guide asks for; nbgrader sets the modes of what it makes inside.
if not os.path.isdir(EXCHANGE):
    os.makedirs(EXCHANGE)
    os.chmod(EXCHANGE, 0o1777)

# ----------------------------------------------------------------------------------------
# who may log in: PAM (Unix passwords), members of the course's Unix groups only

c.JupyterHub.authenticator_class = "classroom.hub.CourseAuthenticator"
c.CourseAuthenticator.course_groups = {LEARNERS, GRADERS}
# Nobody is a hub admin by default (admins can open every learner's server); add the
# accounts that run the hub here if you want its admin page.
c.Authenticator.admin_users = set(filter(None, setting("RNN_HUB_ADMINS", "").split(",")))

# ----------------------------------------------------------------------------------------
# every person's own server: JupyterLab from the course's environment, as their account

_path = f"{BIN}:/usr/local/bin:/usr/bin:/bin"
_config_path = str(HERE / "jupyter")

c.JupyterHub.spawner_class = "classroom.hub.CourseSpawner"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {
    "PATH": _path,
    "NBGRADER_EXCHANGE": EXCHANGE,
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # the Assignments tab's due dates: the server asks the due-dates service with its token
    "RNN_DUE_DATES_URL": f"{DUE_DATES_URL}/services/{DUE_DATES}/due-dates",
}
c.CourseSpawner.grader_group = GRADERS
# graders: the class's formgrader is the service (their Course List links to it), not a
# formgrader of their own server
c.CourseSpawner.grader_environment = {
    "JUPYTER_CONFIG_PATH": os.pathsep.join([str(HERE / "grader"), _config_path]),
    **({"NBGRADER_DB_URL": DB_URL} if DB_URL else {}),
}
# learners: no formgrader, no "create assignment" toolbar, no course list
c.CourseSpawner.learner_environment = {
    "JUPYTER_CONFIG_PATH": os.pathsep.join([str(HERE / "learner"), _config_path]),
}
# What a server's own token may do: report activity, let its user in, read its user's
# groups (nbgrader's course membership) and ask the due-dates service for its user's own
# dates. Graders' servers may also find the formgrader (nbgrader's course list). Each
# server gets only what its user holds.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users:groups!user",
    f"access:services!service={DUE_DATES}",
    f"list:services!service={COURSE}",
    f"read:services!service={COURSE}",
]
c.Spawner.http_timeout = 120  # a loaded class server starts servers slowly
c.Spawner.start_timeout = 120

# ----------------------------------------------------------------------------------------
# the formgrader: a service named after the course, run as the instructor's account in
# the course directory (nbgrader's "one class, several graders" set-up)

_service_environment = {
    "PATH": _path,
    "JUPYTERHUB_DEFAULT_URL": "/lab",
    "NBGRADER_EXCHANGE": EXCHANGE,
    "JUPYTER_CONFIG_PATH": os.pathsep.join([str(HERE / "formgrader"), _config_path]),
    "TF_CPP_MIN_LOG_LEVEL": "3",
}
if DB_URL:
    _service_environment["NBGRADER_DB_URL"] = DB_URL

# The formgrader's autograde button grades in the formgrader's own process: it runs under
# its own memory limit (address space, soft limit, like `classroom.autograde --memory`), so
# a kernel that floods the grader fails that learner's grading, not the class server.
FORMGRADER_MEMORY = int(os.environ.get("RNN_FORMGRADER_MEMORY", 12 * 2**30))

c.JupyterHub.services = [
    {
        "name": COURSE,  # nbgrader looks for the formgrader at /services/<course id>/
        "url": FORMGRADER_URL,
        "command": ["prlimit", f"--as={FORMGRADER_MEMORY}:", "--",
                    str(BIN / "jupyterhub-singleuser"), f"--ServerApp.root_dir={COURSE_DIR}"],
        "user": INSTRUCTOR,
        "cwd": COURSE_DIR,
        "environment": _service_environment,
        "oauth_no_confirm": True,
        "display": True,
    },
    {
        # each learner's own due dates (their extension's where granted) for the Assignments
        # tab, read from deadlines.toml in the course directory (classroom/duedates.py): it
        # answers a token with that token's user's dates, and nobody else's
        "name": DUE_DATES,
        "url": DUE_DATES_URL,
        "command": [str(BIN / "python"), "-m", "classroom.duedates", "--hub-service"],
        "user": INSTRUCTOR,
        "cwd": COURSE_DIR,
        "environment": _service_environment,
    },
]

# ----------------------------------------------------------------------------------------
# the grading service (classroom/service): the watcher and this machine's workers, as the
# instructor's account in the course directory, like the formgrader. Learners' feedback
# arrives minutes after they submit, for the lessons the course's c.GradingService lists.

if GRADING_BROKER:
    _grading_environment = {
        **_service_environment,
        "CLASSROOM_BROKER_URL": GRADING_BROKER,
        "CLASSROOM_COURSE_DIR": COURSE_DIR,
        "CLASSROOM_CHECK_OWNER": "1",  # a submission made under another's name is ignored
    }
    c.JupyterHub.services.append({
        "name": f"{COURSE}-grading",
        "command": [str(BIN / "python"), "-m", "classroom.service"],
        "user": INSTRUCTOR,
        "cwd": COURSE_DIR,
        "environment": _grading_environment,
    })
    for number in range(1, GRADING_WORKERS + 1):
        c.JupyterHub.services.append({
            "name": f"{COURSE}-grader-{number}",
            "command": [str(BIN / "celery"), "-A", "classroom.service.worker", "worker",
                        "--concurrency", "1", "--hostname", f"hub{number}@%h",
                        "--loglevel", "INFO"],
            "user": INSTRUCTOR,
            "cwd": COURSE_DIR,
            "environment": _grading_environment,
        })

# ----------------------------------------------------------------------------------------
# roles (JupyterHub RBAC): exactly what each needs, on top of JupyterHub's defaults
# (everyone may use their own server; servers' tokens as above)

c.JupyterHub.load_roles = [
    {
        # JupyterHub's default role of every user, plus asking the due-dates service (which
        # tells each only their own dates)
        "name": "user",
        "scopes": ["self", f"access:services!service={DUE_DATES}"],
    },
    {
        # graders open the formgrader and see it in their course list; nobody else can
        "name": f"grader-{COURSE}",
        "description": f"grade {COURSE}: use its formgrader",
        "groups": [GRADERS],
        "scopes": [
            f"access:services!service={COURSE}",
            f"list:services!service={COURSE}",
            f"read:services!service={COURSE}",
        ],
    },
    {
        # the formgrader service, and the grading service's watcher and workers when they
        # run: nbgrader asks the hub which courses the instructor's account belongs to (its
        # groups) before it grades, and nothing else
        "name": f"formgrader-{COURSE}",
        "description": f"the formgrader and grading services of {COURSE}",
        "services": [service["name"] for service in c.JupyterHub.services
                     if service["name"] != DUE_DATES],  # it needs no scope of its own
        "scopes": [f"read:users:groups!user={INSTRUCTOR}"],
    },
]
