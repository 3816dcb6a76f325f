"""The pieces of the JupyterHub deployment (deploy/jupyterhub/) that are code, not settings.

- ``CourseAuthenticator``: PAM login (the server's own Unix accounts and passwords) for
  the members of the course's Unix groups, and the hub's groups of the same names follow
  the Unix groups, at every login and every ``auth_refresh_age`` seconds. The Unix groups
  are the one list of who is in the class: ``usermod -aG nbgrader-rnn-course alice``.
- ``CourseSpawner``: JupyterHub's LocalProcessSpawner (each server runs as its user's
  Unix account) that gives graders' and learners' servers their own extra environment,
  e.g. the gradebook's database URL only to graders.
- ``CourseAuthPlugin``: nbgrader's JupyterHub auth plugin (course membership from the
  hub's groups ``nbgrader-<course>`` and ``formgrade-<course>``), except that adding or
  removing a learner in the formgrader does not try to change the hub's groups, which
  follow the Unix groups.

Only the hub (and, for ``CourseAuthPlugin``, nbgrader in the single-user servers) imports
this module; it needs the ``hub`` extra (``pip install -e .[hub]``).
"""

from __future__ import annotations

import grp
import os
import pwd

from jupyterhub.auth import PAMAuthenticator
from jupyterhub.spawner import LocalProcessSpawner
from nbgrader.auth.jupyterhub import JupyterHubAuthPlugin
from traitlets import Dict, Set, Unicode, default


def unix_groups(username: str) -> set[str]:
    """Names of every Unix group ``username`` belongs to (primary and supplementary)."""
    try:
        account = pwd.getpwnam(username)
    except KeyError:
        return set()
    names = set()
    for gid in os.getgrouplist(username, account.pw_gid):
        try:
            names.add(grp.getgrgid(gid).gr_name)
        except KeyError:
            pass
    return names


class CourseAuthenticator(PAMAuthenticator):
    """PAM login for the course's Unix groups; hub groups mirror those Unix groups."""

    course_groups = Set(
        Unicode(),
        help="""Unix groups of the course (learners, graders).

        Their members may log in (they are the default `allowed_groups`), and each
        becomes a hub group of the same name with the same members, so that JupyterHub's
        roles and nbgrader see who is a learner and who is a grader.
        """,
    ).tag(config=True)

    @default("manage_groups")
    def _manage_groups_default(self):
        return True

    @default("allowed_groups")
    def _allowed_groups_default(self):
        return set(self.course_groups)

    def groups_of(self, username: str) -> list[str]:
        return sorted(unix_groups(username) & set(self.course_groups))

    async def authenticate(self, handler, data):
        username = await super().authenticate(handler, data)
        if not username:
            return None
        if isinstance(username, dict):
            username = username["name"]
        return {"name": username, "groups": self.groups_of(username)}

    async def refresh_user(self, user, handler=None):
        """Follow the Unix groups (someone taken out of a group leaves the hub's group too,
        and then fails the next login); an account that is gone must log in again."""
        if not unix_groups(user.name):
            return False
        return {"name": user.name, "groups": self.groups_of(user.name)}


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with an extra environment for graders and one for learners."""

    grader_group = Unicode(
        help="Hub group of the graders (formgrade-<course>).").tag(config=True)
    grader_environment = Dict(
        help="Extra environment of graders' servers (e.g. NBGRADER_DB_URL).").tag(config=True)
    learner_environment = Dict(
        help="Extra environment of everyone else's servers.").tag(config=True)

    def is_grader(self) -> bool:
        return self.grader_group in {group.name for group in self.user.groups}

    def get_env(self):
        env = super().get_env()
        env.update(self.grader_environment if self.is_grader() else self.learner_environment)
        return env


class CourseAuthPlugin(JupyterHubAuthPlugin):
    """nbgrader's JupyterHub plugin; membership itself is managed with the Unix groups."""

    def add_student_to_course(self, student_id: str, course_id: str) -> None:
        self.log.info(
            "%s is in the gradebook; to let them fetch and submit, their Unix account must "
            "be in the group nbgrader-%s (usermod -aG nbgrader-%s %s)",
            student_id, course_id, course_id, student_id)

    def remove_student_from_course(self, student_id: str, course_id: str) -> None:
        self.log.info(
            "%s is out of the gradebook; remove their account from the Unix group "
            "nbgrader-%s too (gpasswd -d %s nbgrader-%s)",
            student_id, course_id, student_id, course_id)
