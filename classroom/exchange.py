"""nbgrader's collect, minus submissions made under someone else's name.

On a shared server every learner is a Unix account and nbgrader's exchange is a folder
they all write into. A submission is a folder ``<student id>+<assignment>+<time>+<random>``
in ``inbound/``, and the student id in that name is whatever the learner's nbgrader said
(``nbgrader submit --student alice`` works for anyone). nbgrader's own collect takes the
newest folder per claimed id and only *warns* when the folder's owner is someone else, so
a later submission made by bob under alice's id replaces alice's work.

``OwnerCheckedCollect`` keeps only the folders owned by the account they claim to come
from: bob's forgery is skipped (with a warning naming both) and alice's own newest
submission is collected. Files in the exchange are created by the learner's own process,
so a learner cannot make a folder that is owned by another account.

The JupyterHub deployment turns it on (``deploy/jupyterhub/jupyter/nbgrader_config.py``):

    c.ExchangeFactory.collect = "classroom.exchange.OwnerCheckedCollect"

On one machine where all "learners" are one account (tests, a single-user demo) it must
stay off, as it is by default.
"""

from __future__ import annotations

import glob
import os
import pwd

from nbgrader.exchange.default.collect import ExchangeCollect, groupby


def owner_of(path: str) -> str:
    """The name of the account that owns ``path`` (its uid if the account is gone)."""
    uid = os.stat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


class OwnerCheckedCollect(ExchangeCollect):
    """``nbgrader collect`` that ignores submissions not owned by the learner they name."""

    def _genuine(self, record: dict) -> bool:
        path = os.path.join(self.inbound_path, record["filename"])
        owner = owner_of(path)
        if owner == record["username"]:
            return True
        self.log.warning(
            "Ignoring %s: it claims to be from %s but was submitted by the account %s",
            record["filename"], record["username"], owner,
        )
        return False

    def init_src(self):
        # nbgrader's checks (course and inbound exist, readable) and the due date
        super().init_src()
        # then the same choice as nbgrader's (newest, or newest before the due date),
        # among the submissions each learner really made
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path,
                               f"{student_id}+{self.coursedir.assignment_id}+*")
        records = [r for r in map(self._path_to_record, glob.glob(pattern)) if self._genuine(r)]
        self.src_records = []
        for group in groupby(records, lambda r: r["username"]).values():
            newest_first = self._sort_by_timestamp(group)
            if self.duedate is not None and self.before_duedate:
                on_time = [r for r in newest_first if r["timestamp"] <= self.duedate]
                newest_first = on_time or newest_first
            self.src_records.append(newest_first[0])
