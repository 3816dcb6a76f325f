"""classroom: the few tools an instructor needs where nbgrader alone falls short.

- ``python -m classroom.validate NOTEBOOK...``: like ``nbgrader validate``, but exits
  non-zero when a test fails, so scripts and CI can rely on it.
- ``python -m classroom.autograde ASSIGNMENT --jobs N``: ``nbgrader autograde``, one
  submission per process on all cores, with a time limit per submission and a report
  of every failure.
- ``classroom.export.StatusCsvExporter`` (the course's default for ``nbgrader export``):
  nbgrader's CSV plus ``status`` and ``problems`` columns, so a submission that could not
  be graded is visible instead of a silent 0.
- ``python -m classroom.report LESSON``: one self-contained HTML page (and a CSV) on a graded
  lesson: score distribution, item analysis of every test cell, the tests to check, late work.
- ``python -m classroom.export --to canvas|moodle --roster roster.csv``: grades as the CSV
  the LMS imports, with the learners missing on either side listed.
- ``classroom.deadlines``: due dates, late policy and extensions in ``deadlines.toml``, and
  the late-penalty plugin that applies them (``python -m classroom.deadlines`` checks it).
- ``classroom.preprocessors``: feedback that says which tests failed and why without
  showing hidden test code, and a cap on the size of any cell output.

- ``python -m classroom.service`` and ``celery -A classroom.service.worker worker``: the
  grading service, which grades each submission as it arrives and returns its feedback
  per attempt (``classroom/service/__init__.py``; needs the ``service`` extra).
- ``classroom.exchange.OwnerCheckedCollect``: ``nbgrader collect`` that skips a
  submission made under another learner's id (on a shared server with Unix accounts).
- ``classroom.hub``: the JupyterHub deployment's authenticator, spawner and nbgrader
  auth plugin (deploy/jupyterhub/, docs/jupyterhub.md; needs the ``hub`` extra).

Lessons never import this package. On a JupyterHub, learners' servers use
``classroom.hub`` and ``classroom.exchange`` through the deployment's configuration.
"""
