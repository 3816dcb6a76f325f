"""minGRU, GRU and causal self-attention on the adding problem, over five seeds (lesson 11).

    python bench/linear_recurrence_race.py            # seeds 0 to 4
    python bench/linear_recurrence_race.py 0 1 2      # chosen seeds

Lesson 11-linear-recurrences trains three models once, with one seed, on the adding problem
at T = 100: a minGRU(32) (its scan written in keras.ops), lesson 05's GRU(16), and a
one-layer causal self-attention model. This script repeats that race with several seeds
(each seed draws its own data and initial weights) and prints one row per model and seed,
then the median and range per model: trainable parameters, seconds per epoch (the median
over the epochs) and the test MSE against the baseline 1/6.

Nothing is copied by hand from the lesson: the cells tagged "setup" and "race" (the
imports, the MinGRU layer, the recipe, the attention model) are read from
solutions/11-linear-recurrences/11-linear-recurrences.ipynb and executed. Seconds per epoch
depend on the machine and on what else it is doing: print `uptime` beside them.
"""

# ruff: noqa: I001 (lessonkit is imported first on purpose: it quiets TensorFlow)
from __future__ import annotations

import lessonkit  # noqa: F401 (first: keeps TensorFlow quiet when it starts)

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _lesson_code import load_lesson_code  # noqa: E402

LESSON = "11-linear-recurrences"


def main(seeds: list[int]) -> int:
    ns = load_lesson_code(LESSON, tags=["setup", "race"])
    keras, layers = ns["keras"], ns["layers"]
    contenders = [
        (
            "minGRU(32)",
            lambda: ns["build_adding_model"](ns["MinGRU"](32, name="min_gru"), "min_gru_model"),
            0.02,
        ),
        (
            "GRU(16)",
            lambda: ns["build_adding_model"](layers.GRU(16, name="gru"), "gru_model"),
            0.02,
        ),
        ("attention(2x8)", lambda: ns["build_attention_model"](ns["T"]), 0.01),
    ]
    for seed in seeds:
        ns["X_train"], ns["y_train"] = ns["adding_problem"](4096, ns["T"], seed=seed + 1)
        ns["X_test"], ns["y_test"] = ns["adding_problem"](1000, ns["T"], seed=seed + 2)
        for label, build, learning_rate in contenders:
            keras.utils.set_random_seed(seed)
            print(f"seed {seed}: ", end="", flush=True)
            ns["train_and_score"](build(), label, learning_rate=learning_rate)
            ns["results"][-1]["seed"] = seed
    print()
    print(
        f"{'model':<16} {'trainable':>9} {'s / epoch (median, range)':>27} "
        f"{'MSE / baseline (median, range)':>32}"
    )
    for label, _, _ in contenders:
        rows = [r for r in ns["results"] if r["model"] == label]
        seconds = np.array([r["seconds"] for r in rows])
        ratios = np.array([r["mse"] for r in rows]) / ns["BASELINE_MSE"]
        print(
            f"{label:<16} {rows[0]['params']:>9} {np.median(seconds):>10.2f} "
            f"({seconds.min():.2f} to {seconds.max():.2f}) {np.median(ratios):>14.3f} "
            f"({ratios.min():.3f} to {ratios.max():.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main([int(s) for s in sys.argv[1:]] or [0, 1, 2, 3, 4]))
