"""Unit tests for the lessonkit helpers of lesson 11 (linear recurrences)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest

from lessonkit import diagrams


@pytest.mark.parametrize("length, rounds", [(2, 1), (5, 3), (8, 3), (9, 4)])
def test_draw_parallel_scan_draws_every_round(length, rounds):
    fig, ax = plt.subplots()
    assert diagrams.draw_parallel_scan(length, ax=ax, title="scan") is ax
    texts = [t.get_text() for t in ax.texts if not isinstance(t, matplotlib.text.Annotation)]
    boxes = [t for t in texts if t.startswith("[")]
    assert len(boxes) == length * (rounds + 1)
    assert boxes[:length] == [f"[{t}]" for t in range(1, length + 1)]  # the steps
    assert boxes[-length:] == ["[1]"] + [f"[1:{t}]" for t in range(2, length + 1)]
    arrows = [a for a in ax.texts if isinstance(a, matplotlib.text.Annotation)]
    combines = sum(length - 2 ** k for k in range(rounds))  # positions t > d in each round
    assert len(arrows) == rounds * length + combines
    assert sum(t.startswith("round") for t in texts) == rounds
    assert ax.get_title() == "scan" and not ax.axison
    plt.close(fig)


def test_draw_parallel_scan_needs_two_steps():
    with pytest.raises(ValueError):
        diagrams.draw_parallel_scan(1)
