"""Each lesson's due date in the learner's Assignments tab: the learner's side.

nbgrader 0.9's Assignments tab shows no due date: it lists what is in the exchange, and the
due date stays in the instructor's gradebook. The instructor's
``python -m classroom.deadlines --sync`` publishes the due dates (and nothing about any
learner) in the exchange, ``<exchange>/<course>/deadlines.json``. Two small pieces show
them to the learner:

- this server extension: ``GET <base_url>/rnn-course/due-dates`` (logged-in users only)
  reads that file from the exchange the learner's nbgrader configuration names (the
  configuration the Assignments tab itself uses) and answers
  ``{"courses": {"rnn-course": {"00-welcome": "2027-01-11T23:59:00+00:00", ...}}}``;
- a JupyterLab extension (``classroom/labextension/``: ``src/index.js`` and its build,
  ``prebuilt/``) that adds "Due <date>" in the learner's own time zone under each lesson
  of nbgrader's Assignments panel, in red once it has passed.

On JupyterHub a learner sees their *own* due date, their extension's where the instructor
granted one (``deadlines.toml``): the hub service ``<course>-due-dates``
(``python -m classroom.duedates --hub-service``, run as the instructor in the course
directory, deploy/jupyterhub) answers each learner's server, which asks with its own hub
token, with that learner's dates and nobody else's. The learner's server finds the service
through ``$RNN_DUE_DATES_URL`` (set by the hub's configuration); without it (a course
without a hub), or if the service does not answer, the published dates are shown.

A learner's machine needs no Node.js: ``python -m classroom.duedates --install`` copies
the prebuilt extension into ``<environment>/share/jupyter/labextensions/`` and enables
this server extension in ``<environment>/etc/jupyter/jupyter_server_config.d/``.
``quickstart.py`` runs it whenever it sets up the environment; on JupyterHub the
administrator runs it once after ``pip install`` (docs/jupyterhub.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

PUBLISHED = "deadlines.json"  # in the exchange's course folder (classroom.deadlines.publish)
LABEXTENSION = Path(__file__).resolve().parent / "labextension" / "prebuilt"
LABEXTENSION_NAME = "@rnn-course/due-dates"
CONFIG_NAME = "rnn-course-due-dates.json"
ROUTE = "rnn-course/due-dates"
SERVICE_ROUTE = "due-dates"  # below the hub service's prefix, /services/<name>/
SERVICE_URL_ENV = "RNN_DUE_DATES_URL"  # where a learner's server on the hub asks


def read_published(exchange_root: Path | str, course_id: str = "") -> dict[str, dict[str, str]]:
    """Every course's published due dates, ``{course: {lesson: ISO 8601 date}}``.

    Only ``course_id``'s if it is set (as nbgrader's Assignments tab lists only its
    course's lessons then); otherwise every course in the exchange. A missing file means
    no due dates; an unreadable or malformed one is skipped.
    """
    root = Path(exchange_root)
    files = [root / course_id / PUBLISHED] if course_id else sorted(root.glob(f"*/{PUBLISHED}"))
    courses = {}
    for path in files:
        try:
            due = json.loads(path.read_text()).get("due", {})
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(due, dict):
            courses[path.parent.name] = {str(lesson): str(date) for lesson, date in due.items()}
    return courses


def learner_exchange(root_dir: str) -> tuple[str, str]:
    """(Exchange.root, CourseDirectory.course_id) of the nbgrader configuration that
    nbgrader's own Assignments tab reads for a server whose root is ``root_dir``."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.exchange import Exchange
    from nbgrader.server_extensions.assignment_list.handlers import AssignmentList, chdir

    with chdir(root_dir):
        config = AssignmentList().load_config()
    return Exchange(config=config).root, CourseDirectory(config=config).course_id


class DueDatesHandler(APIHandler):
    """The learner's due dates, as JSON: their own from the hub's due-dates service where
    there is one (``"own": true``), else the published ones of their course(s)."""

    @web.authenticated
    async def get(self) -> None:
        own = await self._own_due_dates()
        if own is not None:
            self.finish(json.dumps({"courses": own, "own": True}))
            return
        try:
            root, course_id = learner_exchange(self.settings["server_root_dir"])
            courses = read_published(root, course_id)
        except Exception:  # a broken nbgrader config: the tab still works, without dates
            self.log.warning("rnn-course due dates: cannot read them", exc_info=True)
            courses = {}
        self.finish(json.dumps({"courses": courses, "own": False}))

    async def _own_due_dates(self) -> dict | None:
        """The hub service's answer for this server's user, or None (no hub, no answer)."""
        url, token = os.environ.get(SERVICE_URL_ENV), os.environ.get("JUPYTERHUB_API_TOKEN")
        if not url or not token:
            return None
        from tornado.httpclient import AsyncHTTPClient

        try:
            response = await AsyncHTTPClient().fetch(
                url, headers={"Authorization": f"token {token}"}, request_timeout=10)
            courses = json.loads(response.body)["courses"]
            return courses if isinstance(courses, dict) else None
        except Exception:
            self.log.warning("rnn-course due dates: the hub service did not answer; "
                             "showing the published dates", exc_info=True)
            return None


# --- the hub service: each learner's own due dates ---------------------------------------

def own_due_dates(course_dir: Path | str, course_id: str, student: str) -> dict:
    """``{course_id: {lesson: ISO 8601 date}}``: the learner's own due date for each lesson
    of ``deadlines.toml`` (their extension's where they have one)."""
    from classroom.deadlines import load

    deadlines = load(course_dir)
    if deadlines is None:
        return {}
    return {course_id: {
        lesson: deadlines.due_for(lesson, student).replace(tzinfo=dt.UTC).isoformat()
        for lesson in sorted(deadlines.due)}}


class OwnDueDatesHandler(web.RequestHandler):
    """``GET /services/<name>/due-dates`` with a hub token: that token's user's dates."""

    def initialize(self, auth, course_dir: Path, course_id: str) -> None:
        self.auth, self.course_dir, self.course_id = auth, course_dir, course_id

    async def get(self) -> None:
        from jupyterhub.services.auth import check_scopes

        match = self.auth.auth_header_pat.match(self.request.headers.get("Authorization", ""))
        user = await self.auth.user_for_token(match.group(1), sync=False) if match else None
        if not user or not check_scopes(self.auth.access_scopes, user.get("scopes", [])):
            raise web.HTTPError(403)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"courses": own_due_dates(self.course_dir, self.course_id,
                                                         user["name"])}))


def serve_hub_service(course_dir: Path, course_id: str) -> None:
    """Run the due-dates service where the hub says (``$JUPYTERHUB_SERVICE_URL``)."""
    import asyncio
    from urllib.parse import urlparse

    from jupyterhub.services.auth import HubAuth

    where = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    app = web.Application([(url_path_join(prefix, SERVICE_ROUTE), OwnDueDatesHandler,
                            {"auth": HubAuth(), "course_dir": course_dir,
                             "course_id": course_id})])

    async def run() -> None:
        app.listen(where.port, where.hostname)
        await asyncio.Event().wait()

    asyncio.run(run())


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "classroom.duedates"}]


def _load_jupyter_server_extension(serverapp) -> None:
    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], ROUTE)
    web_app.add_handlers(".*$", [(route, DueDatesHandler)])


def install(prefix: Path | str = sys.prefix) -> list[Path]:
    """Install the prebuilt JupyterLab extension and enable the server extension in the
    environment at ``prefix``; returns what was written. Needs no Node.js."""
    prefix = Path(prefix)
    target = prefix / "share" / "jupyter" / "labextensions" / LABEXTENSION_NAME
    if not (LABEXTENSION / "package.json").is_file():
        raise FileNotFoundError(f"{LABEXTENSION} has no package.json: build the extension "
                                "(docs/classroom.md, 'Due dates, late work and extensions')")
    shutil.rmtree(target, ignore_errors=True)  # the old build's files have other names
    shutil.copytree(LABEXTENSION, target)
    config = prefix / "etc" / "jupyter" / "jupyter_server_config.d" / CONFIG_NAME
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {"classroom.duedates": True}}}, indent=2) + "\n")
    return [target, config]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--install", action="store_true",
                        help="install the Assignments tab's due dates into this environment")
    parser.add_argument("--prefix", default=sys.prefix,
                        help="the environment to install into (default: this Python's)")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--hub-service", action="store_true",
                        help="serve each learner's own due dates to their server, as a "
                             "JupyterHub service run in the course directory")
    args = parser.parse_args(argv)
    if args.hub_service:
        from nbgrader.coursedir import CourseDirectory

        from classroom.config import load_course_config

        course_id = CourseDirectory(config=load_course_config(Path.cwd())).course_id
        serve_hub_service(Path.cwd(), course_id)
        return 0
    if not args.install:
        parser.print_help()
        return 2
    for path in install(args.prefix):
        if not args.quiet:
            print(f"installed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
