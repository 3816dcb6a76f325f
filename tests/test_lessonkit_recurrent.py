"""Unit tests for the lessonkit additions of lesson 02 (recurrent networks)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from lessonkit import plots


@pytest.mark.parametrize("steps", [1, 2, 4, 7])
def test_plot_rnn_many_to_one_draws_one_cell_per_step(steps):
    fig, ax = plt.subplots()
    returned = plots.plot_rnn_many_to_one(steps=steps, ax=ax, title="unrolled")
    assert returned is ax
    texts = [t.get_text() for t in ax.texts]
    # folded cell (x_t, h_t), h_0, and one input and one state box per step
    inputs = [t for t in texts if t.startswith("$x_")]
    states = [t for t in texts if t.startswith("$h_")]
    assert len(inputs) == steps + 1 and len(states) == steps + 2
    last = "T" if steps > 3 else str(steps)
    assert f"$x_{{{last}}}$" in texts and f"$h_{{{last}}}$" in texts
    head = [t for t in texts if t.startswith("Dense")]
    after = "T+1" if steps > 3 else str(steps + 1)
    assert len(head) == 1 and f"x_{{{after}}}" in head[0]
    assert ax.get_title() == "unrolled"
    plt.close(fig)


def test_plot_rnn_many_to_one_makes_its_own_figure_and_rejects_no_steps():
    ax = plots.plot_rnn_many_to_one(head="Linear")
    assert any(t.get_text().startswith("Linear") for t in ax.texts)
    plt.close(ax.figure)
    with pytest.raises(ValueError):
        plots.plot_rnn_many_to_one(steps=0)
