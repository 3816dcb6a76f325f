"""lessonkit: the helpers the lessons call, so learners can spend their time on the ideas.

Importing lessonkit first keeps TensorFlow quiet (its start-up log lines go to stderr,
which nbgrader would score as a failed test). Then::

    from lessonkit import setup
    setup(seed=0)          # quiet TensorFlow, seed Python, NumPy and TensorFlow, nice plots

Modules:

- ``lessonkit.startup``: quiet, reproducible start-up.
- ``lessonkit.data``: small data sets, generated offline.
- ``lessonkit.plots``: pictures a learner would rather look at than read.
- ``lessonkit.diagrams``: diagrams of the networks the lessons build.
- ``lessonkit.checks``: checks that explain in words what is wrong.

lessonkit never contains the answer to a graded exercise.
"""

from lessonkit.startup import quiet_tensorflow

quiet_tensorflow()

from lessonkit.startup import setup  # noqa: E402

__all__ = ["setup", "quiet_tensorflow"]
__version__ = "0.1.0"
