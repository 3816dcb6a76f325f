"""Grading on a task queue: feedback minutes after a learner submits.

    python -m classroom.service                 # the watcher (in the course directory)
    celery -A classroom.service.worker worker --concurrency 1     # a worker, here or elsewhere
    python -m classroom.service status          # every attempt: waiting, graded, refused...

How it fits together:

- ``policy.py``: what the instructor sets per lesson, in one place (``c.GradingService``
  in ``nbgrader_config.py``): on or off, attempts allowed, which attempt counts (last or
  best), whether feedback is released at once; and where the broker is.
- ``attempts.py``: one submission in the exchange (``inbound/<student>+<lesson>+<time>+
  <random>/``) and its record in the course directory (``grading-service/attempts/``):
  the result a worker writes once, the feedback page of that attempt, and how that page
  is released so that nbgrader's ``fetch_feedback`` finds it for that submission.
- ``ledger.py``: the watcher's durable list of every submission it has seen (SQLite in
  ``grading-service/ledger.sqlite``): nothing is queued twice, and a watcher that was
  down catches up.
- ``watcher.py``: scans the exchange, numbers each learner's attempts, refuses those over
  the limit (with a feedback page that says so), and queues at most one attempt per
  learner at a time, learners in turn: one learner who submits 50 times delays nobody.
- ``worker.py``: the Celery application. A task grades one attempt with the course's own
  grading (``classroom.autograde.GradingProcess``: the sandbox and the trusted tests,
  TensorFlow imported once per worker process and lesson), with a hard time limit,
  generates its feedback and, where the lesson says so, releases it.

Lost work: tasks are acknowledged only when done (``acks_late``); a worker process
killed mid-grading gives its task back (``task_reject_on_worker_lost``) and another
grades it; a worker whose whole machine died gives it back after the broker's visibility
timeout. Redis keeps its queue on disk (append-only file), and the watcher sends again
any attempt that stays unanswered for longer than a grade can take; a worker never
grades an attempt that already has a result.
"""
