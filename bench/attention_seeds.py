"""Lessons 07 and 08: their trained outcomes over several seeds, against the graded margins.

    python bench/attention_seeds.py                    # both lessons, seeds 0 to 4
    python bench/attention_seeds.py 0 7 11             # both lessons, chosen seeds
    python bench/attention_seeds.py --lesson 08-sequence-to-sequence 0 1

Runs each solutions notebook top to bottom once per seed, in a fresh kernel, with
``lessonkit.setup(seed=<seed>)`` in place of ``seed=0``: every model of the lesson is
initialised and trained with that seed, on training data drawn with it. The graded outcome
tests draw their own held-out data with fixed seeds, as in grading. Prints, per seed, what
the graded outcome tests measured:

- 07-attention: the reversal model (section 7) on 1,000 held-out sequences: token accuracy
  (graded >= 0.95) and alignment (graded >= 0.9);
- 08-sequence-to-sequence: the translator, decoded greedily by the test's own code, on 300
  held-out numbers: exact match (graded >= 0.85);

and the notebooks' own figures (08: greedy and beam exact match, alignment, the unshifted
"cheater", the teacher-forced exact match of the error analysis), the notebook's wall time
and the kernel's CPU time. Exit status 1 when a seed misses a graded margin or a cell fails.
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
# lesson -> grade_id of an outcome test -> [(label, pattern of the figure it prints, margin)]
OUTCOMES = {
    "07-attention": {
        "test_dot_product_attention_trained_model": [
            ("reversal accuracy", r"token accuracy ([\d.]+)", 0.95),
            ("reversal alignment", r"alignment ([\d.]+)", 0.9),
        ],
    },
    "08-sequence-to-sequence": {
        "test_greedy_decode_translator": [
            ("translator exact match", r"exact match ([\d.]+)", 0.85),
        ],
    },
}
# lesson -> label -> pattern of a figure the notebook prints (not graded)
NOTEBOOK_FIGURES = {
    "07-attention": {
        "plain T=12 accuracy": r"T = 12: token accuracy ([\d.]+)\n",
    },
    "08-sequence-to-sequence": {
        "notebook greedy (300)": r"greedy ([\d.]+), beam",
        "notebook beam 3 (300)": r"beam search \(width 3\) ([\d.]+)",
        "notebook alignment": r"on the right word: ([\d.]+)",
        "unshifted exact match": r"unshifted inputs: .* exact match ([\d.]+)",
        "teacher-forced (4000)": r"numbers fail \(exact match ([\d.]+)\)",
    },
}
CPU_PROBE = "import os\nprint('KERNEL CPU', sum(os.times()[:4]))"


def run(lesson: str, seed: int) -> tuple[dict[str, float], float, float, list[str]]:
    nb = nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    setup = next(c for c in nb.cells if "lessonkit.setup(seed=0)" in c.source)
    setup.source = setup.source.replace("lessonkit.setup(seed=0)", f"lessonkit.setup(seed={seed})")
    nb.cells.append(nbformat.v4.new_code_cell(CPU_PROBE))
    with tempfile.TemporaryDirectory() as work:
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": work}},
        )
        start = time.perf_counter()
        client.execute()
        wall = time.perf_counter() - start
    figures, errors, text = {}, [], ""
    for i, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        out = "".join(
            o.get("text", "")
            for o in cell.get("outputs", [])
            if o.output_type == "stream" and o.name == "stdout"
        )
        text += out
        errors += [
            f"cell {i} {grade_id}: {o.ename}: {o.evalue[:200]}"
            for o in cell.get("outputs", [])
            if o.output_type == "error"
        ]
        for label, pattern, _ in OUTCOMES[lesson].get(grade_id, []):
            if match := re.search(pattern, out):
                figures[label] = float(match.group(1))
    for label, pattern in NOTEBOOK_FIGURES[lesson].items():
        if match := re.search(pattern, text):
            figures[label] = float(match.group(1))
    cpu = float(re.search(r"KERNEL CPU ([\d.]+)", text).group(1))
    return figures, wall, cpu, errors


def main(lessons: list[str], seeds: list[int]) -> int:
    ok = True
    for lesson in lessons:
        margins = {label: m for tests in OUTCOMES[lesson].values() for label, _, m in tests}
        labels = list(margins) + list(NOTEBOOK_FIGURES[lesson])
        rows = {}
        print(f"== {lesson}")
        for seed in seeds:
            figures, wall, cpu, errors = run(lesson, seed)
            rows[seed] = figures
            load = os.getloadavg()[0]
            print(
                f"seed {seed}: wall {wall:.0f} s, kernel CPU {cpu:.0f} s, load {load:.1f}; "
                + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()),
                flush=True,
            )
            for error in errors:
                print("   ", error)
            ok &= not errors
        print(f"\n{'':26s}" + "".join(f"{f'seed {s}':>9s}" for s in seeds) + f"{'min':>9s}  graded")
        for label in labels:
            values = [rows[s].get(label, float("nan")) for s in seeds]
            margin = margins.get(label)
            passed = margin is None or all(v >= margin for v in values)
            ok &= passed
            print(
                f"{label:26s}"
                + "".join(f"{v:9.3f}" for v in values)
                + f"{min(values):9.3f}  "
                + (f">= {margin}" + ("" if passed else "  MISSED") if margin else "")
            )
        print()
    return 0 if ok else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    chosen = list(OUTCOMES)
    if args[:1] == ["--lesson"]:
        chosen, args = [args[1]], args[2:]
    sys.exit(main(chosen, [int(s) for s in args] or [0, 1, 2, 3, 4]))
