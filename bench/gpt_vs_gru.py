"""A small GPT against a GRU of the same size on Python source, over five seeds (lesson 10).

    python bench/gpt_vs_gru.py            # seeds 0 to 4
    python bench/gpt_vs_gru.py 0 1 2      # chosen seeds

Lesson 10-transformers trains two character models once, with one seed, on the first
150,000 characters of Python's standard-library source (lesson 09's corpus): a GPT of two
causal pre-LN blocks built from Keras layers, and a GRU with about as many trainable
parameters. This script repeats that comparison with several seeds (each seed its own
initial weights and batch order) and prints one row per model and seed, then, side by side,
per model: the held-out perplexity (mean, standard deviation and range), the trainable
parameters and the seconds per epoch (median over the epochs; median and range over the
seeds), beside the unigram baseline.

Nothing is copied by hand from the lesson: the cells tagged "setup" and "gpt" (the imports,
the data, the baseline, both models and the training recipe) and the reference answer of
sinusoidal_positions are read from solutions/10-transformers/10-transformers.ipynb and
executed. Seconds per epoch depend on the machine and on what else it is doing: print
`uptime` beside them.
"""

# ruff: noqa: I001 (lessonkit is imported first on purpose: it quiets TensorFlow)
from __future__ import annotations

import lessonkit  # noqa: F401 (first: keeps TensorFlow quiet when it starts)

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _lesson_code import load_lesson_code  # noqa: E402

LESSON = "10-transformers"


def main(seeds: list[int]) -> int:
    ns = load_lesson_code(LESSON, grade_ids=["sinusoidal_positions"], tags=["setup", "gpt"])
    keras, V, units = ns["keras"], ns["V"], ns["GRU_UNITS"]
    contenders = [
        ("GPT", lambda: ns["build_gpt"](V, ns["CONTEXT"])),
        (f"GRU({units})", lambda: ns["build_char_gru"](V, units)),
    ]
    rows = []
    for seed in seeds:
        for label, build in contenders:
            keras.utils.set_random_seed(seed)
            print(f"seed {seed}: ", end="", flush=True)
            _, row = ns["train_and_score"](build(), label)
            rows.append({**row, "seed": seed})
    print()
    print(
        f"{'model':<10} {'trainable':>9} {'s / epoch, median (range)':>27} "
        f"{'held-out perplexity, mean +- sd (range)':>41}"
    )
    for label, _ in contenders:
        mine = [r for r in rows if r["model"] == label]
        seconds = np.array([r["seconds"] for r in mine])
        pp = np.array([r["perplexity"] for r in mine])
        spread = pp.std(ddof=1) if len(pp) > 1 else 0.0
        print(
            f"{label:<10} {mine[0]['trainable']:>9,} {np.median(seconds):>12.2f} "
            f"({seconds.min():.2f} to {seconds.max():.2f}) {pp.mean():>17.2f} +- {spread:.2f} "
            f"({pp.min():.2f} to {pp.max():.2f})"
        )
    print(f"{'unigram':<10} {'':>9} {'':>27} {np.exp(ns['unigram_loss']):>17.2f}")
    print(
        f"{len(seeds)} seeds, {ns['EPOCHS']} epochs each, batches of {ns['BATCH']} rows of "
        f"{ns['CONTEXT']} characters"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main([int(s) for s in sys.argv[1:]] or [0, 1, 2, 3, 4]))
