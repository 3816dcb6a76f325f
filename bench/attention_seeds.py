"""Lesson 07's trained outcomes over several seeds, against the margins the tests grade.

    python bench/attention_seeds.py            # seeds 0 to 4
    python bench/attention_seeds.py 0 7 11     # chosen seeds

Runs solutions/07-attention/07-attention.ipynb top to bottom once per seed, in a fresh
kernel, with ``lessonkit.setup(seed=<seed>)`` in place of ``seed=0``: every model of the
lesson is initialised and trained with that seed, on training data drawn with it. The
graded outcome tests draw their own held-out data with fixed seeds, as in grading.
Prints, per seed, what the four graded outcome tests measured:

- reversal (section 7), with the reference dot_product_attention: token accuracy
  (graded >= 0.95) and alignment (graded >= 0.9) on 1,000 held-out sequences;
- translator (section 8), with the reference greedy_decode: exact match (graded >= 0.85)
  and alignment (graded >= 0.9) on 300 held-out numbers;

and the notebook's own figures on its 500 held-out numbers (greedy and beam exact match,
alignment), the notebook's wall time and the kernel's CPU time. Exit status 1 when a
seed misses a graded margin or a cell fails.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
LESSON = "07-attention"
# grade_id of an outcome test -> (label, pattern of the figure it prints, graded margin)
OUTCOMES = {
    "test_attention_model_accuracy": ("reversal accuracy", r"token accuracy ([\d.]+)", 0.95),
    "test_attention_alignment": ("reversal alignment", r"alignment ([\d.]+)", 0.9),
    "test_translator_exact_match": ("translator exact match", r"exact match ([\d.]+)", 0.85),
    "test_translator_alignment": ("translator alignment", r"alignment ([\d.]+)", 0.9),
}
NOTEBOOK_FIGURES = {
    "notebook greedy (500)": r"greedy ([\d.]+), beam",
    "notebook beam 3 (500)": r"beam search \(width 3\) ([\d.]+)",
    "notebook alignment": r"on the right word: ([\d.]+)",
    "unshifted exact match": r"unshifted inputs: .* exact match ([\d.]+)",
}
CPU_PROBE = "import os\nprint('KERNEL CPU', sum(os.times()[:4]))"


def run(seed: int) -> tuple[dict[str, float], float, float, list[str]]:
    nb = nbformat.read(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb", as_version=4)
    setup = next(c for c in nb.cells if "lessonkit.setup(seed=0)" in c.source)
    setup.source = setup.source.replace("lessonkit.setup(seed=0)", f"lessonkit.setup(seed={seed})")
    nb.cells.append(nbformat.v4.new_code_cell(CPU_PROBE))
    with tempfile.TemporaryDirectory() as work:
        client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": work}})
        start = time.perf_counter()
        client.execute()
        wall = time.perf_counter() - start
    figures, errors, text = {}, [], ""
    for i, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        out = "".join(o.get("text", "") for o in cell.get("outputs", [])
                      if o.output_type == "stream" and o.name == "stdout")
        text += out
        errors += [f"cell {i} {grade_id}: {o.ename}: {o.evalue[:200]}"
                   for o in cell.get("outputs", []) if o.output_type == "error"]
        if grade_id in OUTCOMES and (match := re.search(OUTCOMES[grade_id][1], out)):
            figures[OUTCOMES[grade_id][0]] = float(match.group(1))
    for label, pattern in NOTEBOOK_FIGURES.items():
        if match := re.search(pattern, text):
            figures[label] = float(match.group(1))
    cpu = float(re.search(r"KERNEL CPU ([\d.]+)", text).group(1))
    return figures, wall, cpu, errors


def main(seeds: list[int]) -> int:
    labels = [label for label, _, _ in OUTCOMES.values()] + list(NOTEBOOK_FIGURES)
    rows, ok = {}, True
    for seed in seeds:
        figures, wall, cpu, errors = run(seed)
        rows[seed] = figures
        load = os.getloadavg()[0]
        print(f"seed {seed}: wall {wall:.0f} s, kernel CPU {cpu:.0f} s, load {load:.1f}; "
              + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)
        for error in errors:
            print("   ", error)
        ok &= not errors
    print(f"\n{'':26s}" + "".join(f"{f'seed {s}':>9s}" for s in seeds) + f"{'min':>9s}  graded")
    for label in labels:
        values = [rows[s].get(label, float("nan")) for s in seeds]
        margin = next((m for lab, _, m in OUTCOMES.values() if lab == label), None)
        passed = margin is None or all(v >= margin for v in values)
        ok &= passed
        print(f"{label:26s}" + "".join(f"{v:9.3f}" for v in values) + f"{min(values):9.3f}  "
              + (f">= {margin}" + ("" if passed else "  MISSED") if margin else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main([int(s) for s in sys.argv[1:]] or [0, 1, 2, 3, 4]))
