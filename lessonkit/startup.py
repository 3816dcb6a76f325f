"""Quiet, reproducible start-up for a lesson.

TensorFlow prints log lines to stderr when it is imported. nbgrader scores a test cell
with any stderr output as zero, and a learner reads red text as "something broke", so
the environment variables that silence it are set before TensorFlow is imported.
"""

from __future__ import annotations

import os
import random
import sys
import warnings

import numpy as np

_QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # C++ log lines: errors only... and not even those
    "TF_ENABLE_ONEDNN_OPTS": "0",  # the oneDNN notice, and bit-for-bit repeatable results
    "KERAS_BACKEND": "tensorflow",
}


def quiet_tensorflow() -> None:
    """Set the environment so that TensorFlow starts without log noise.

    Must run before ``import tensorflow``; ``import lessonkit`` does it for you. If
    TensorFlow was already imported, the C++ settings can no longer take effect, so a
    short note says to restart the kernel (on stdout, not stderr).
    """
    for name, value in _QUIET_ENV.items():
        os.environ.setdefault(name, value)
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        if hasattr(tf, "get_logger"):
            tf.get_logger().setLevel("ERROR")
    warnings.filterwarnings("ignore", module=r"(keras|tensorflow|absl)(\..*)?")


def setup(seed: int = 0, deterministic: bool = True, plots: bool = True) -> int:
    """Prepare a lesson: quiet TensorFlow, seed every random generator, style the plots.

    Args:
        seed: seeds Python's ``random``, NumPy's global generator and TensorFlow.
        deterministic: ask TensorFlow for deterministic kernels, so that a rerun of the
            same notebook gives the same numbers (on the CPU this costs almost nothing).
        plots: apply the course's matplotlib style (larger fonts, light grid), and send
            every figure's alt text with it (``lessonkit.alt_text``).

    Returns:
        The seed, so a lesson can print it or pass it on.
    """
    quiet_tensorflow()
    random.seed(seed)
    np.random.seed(seed)
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    import keras

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    if plots:
        from lessonkit.alt_text import show_alt_text_in_outputs
        from lessonkit.plots import use_course_style

        use_course_style()
        show_alt_text_in_outputs()
    return seed
