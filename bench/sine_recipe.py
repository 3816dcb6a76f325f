"""The classic sine-wave recipe against the course's, side by side (lesson 02).

    python bench/sine_recipe.py

Lesson 02-recurrent-networks starts from a popular recipe: a SimpleRNN(50) and a Dense(1)
trained with Adam on the mean squared error for 50 epochs at batch size 1. The lesson
teaches a faster recipe (batches of 32, 20 epochs, a larger learning rate with cosine
decay). This script runs both in one process, on the lesson's exact data, split and
scaling, with the same seed, and prints their test MSEs (scaled units, beside the naive
"repeat the last value" baseline) and their training times. The last line is
``speedup <classic time / course time>x``.

Nothing is copied by hand from the lesson: the reference answers of make_windows,
chronological_split, scale_train_test and build_rnn_model, and the cells tagged "setup"
and "recipe" (imports, seed and the recipe's constants), are read from
solutions/02-recurrent-networks/02-recurrent-networks.ipynb and executed.

The course specification asks for a test MSE at least as good as the classic recipe's,
at least 10x faster. The exit status is 1 when this run misses either. Expect the classic
run to take a minute or two.
"""

# ruff: noqa: I001 (lessonkit is imported first on purpose: it quiets TensorFlow)
from __future__ import annotations

import lessonkit  # first: keeps TensorFlow quiet when it starts

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _lesson_code import load_lesson_code  # noqa: E402

LESSON = "02-recurrent-networks"
REQUIRED_SPEEDUP = 10.0
CLASSIC = {"units": 50, "epochs": 50, "batch_size": 1, "learning_rate": 0.001}  # Adam's default


def mse(prediction, truth) -> float:
    return float(np.mean((np.ravel(prediction) - np.ravel(truth)) ** 2))


def main() -> int:
    lesson = load_lesson_code(
        LESSON,
        grade_ids=["make_windows", "chronological_split", "scale_train_test", "build_rnn_model"],
        tags=["setup", "recipe"],
    )
    keras, seed = lesson["keras"], lesson["SEED"]
    window = lesson["WINDOW"]

    # the lesson's data, split and scaling
    series = lessonkit.data.sine_wave(lesson["N_POINTS"], noise=lesson["NOISE"], seed=seed)
    X, y = lesson["make_windows"](series, window)
    X_train, X_test, y_train, y_test = lesson["chronological_split"](X, y, lesson["TRAIN_FRACTION"])
    X_train_s, X_test_s, (lo, hi) = lesson["scale_train_test"](X_train, X_test)
    y_train_s, y_test_s = (y_train - lo) / (hi - lo), (y_test - lo) / (hi - lo)
    baseline = mse(X_test_s[:, -1, 0], y_test_s)

    # TensorFlow's one-off start-up in this process (thread pools, the first graph) should
    # count against neither recipe: pay it on a throwaway model first.
    keras.utils.set_random_seed(seed)
    warm_up = lesson["build_rnn_model"](window, 1)
    warm_up.fit(X_train_s[:8], y_train_s[:8], epochs=1, batch_size=8, verbose=0)

    def run(units, epochs, batch_size, learning_rate, callbacks=()):
        keras.utils.set_random_seed(seed)
        model = lesson["build_rnn_model"](window, units)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
        start = time.perf_counter()
        model.fit(
            X_train_s,
            y_train_s,
            epochs=epochs,
            batch_size=batch_size,
            callbacks=list(callbacks),
            verbose=0,
        )
        seconds = time.perf_counter() - start
        return mse(model.predict(X_test_s, verbose=0), y_test_s), seconds

    course = {
        "units": lesson["UNITS"],
        "epochs": lesson["EPOCHS"],
        "batch_size": lesson["BATCH_SIZE"],
        "learning_rate": lesson["LEARNING_RATE"],
    }
    schedule = keras.callbacks.LearningRateScheduler(lesson["learning_rate_at"])
    print(
        f"{LESSON}: {len(X_train_s)} training and {len(X_test_s)} test windows of "
        f"{window} steps, noise {lesson['NOISE']}, seed {seed}",
        flush=True,
    )
    print("training the course's recipe ...", flush=True)
    course_mse, course_time = run(**course, callbacks=[schedule])
    print("training the classic recipe (a minute or two) ...", flush=True)
    classic_mse, classic_time = run(**CLASSIC)

    rows = [
        ("classic", CLASSIC, "constant", classic_mse, classic_time),
        ("course", course, "cosine decay", course_mse, course_time),
    ]
    print()
    print(
        f"{'recipe':8s} {'epochs':>6s} {'batch':>5s} {'Adam step':>10s} {'schedule':>13s} "
        f"{'test MSE':>9s} {'vs naive':>8s} {'train time':>10s}"
    )
    for name, recipe, decay, test_mse, seconds in rows:
        print(
            f"{name:8s} {recipe['epochs']:6d} {recipe['batch_size']:5d} "
            f"{recipe['learning_rate']:10g} {decay:>13s} {test_mse:9.5f} "
            f"{test_mse / baseline:7.2f}x {seconds:9.1f}s"
        )
    print(f"{'naive (repeat the last value)':47s} {baseline:9.5f} {1.0:7.2f}x")
    speedup = classic_time / course_time
    as_good = course_mse <= classic_mse
    fast = speedup >= REQUIRED_SPEEDUP
    print(
        f"course test MSE at least as good as the classic's: {'yes' if as_good else 'NO'}; "
        f"at least {REQUIRED_SPEEDUP:g}x faster: {'yes' if fast else 'NO'}"
    )
    print(f"speedup {speedup:.1f}x")
    return 0 if as_good and fast else 1


if __name__ == "__main__":
    sys.exit(main())
