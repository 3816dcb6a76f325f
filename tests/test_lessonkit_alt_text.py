"""Every figure says in words what it shows (lessonkit.alt_text), where it is made."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lessonkit import diagrams, plots
from lessonkit.alt_text import describe, figure_alt_text, show_alt_text_in_outputs

DIAGRAMS = [diagrams.draw_unrolled_rnn, diagrams.draw_rnn_many_to_one, diagrams.draw_gru_cell,
            diagrams.draw_lstm_cell, diagrams.draw_stacked_rnn,
            diagrams.draw_bidirectional_rnn, diagrams.draw_parallel_scan]


@pytest.mark.parametrize("draw", DIAGRAMS, ids=lambda f: f.__name__)
def test_every_diagram_describes_itself(draw):
    ax = draw(title="my title")
    text = figure_alt_text(ax.figure)
    assert text.startswith("my title: Diagram of ") and len(text) > 100, text


def test_a_plot_says_what_it_draws_with_its_numbers():
    ax = plots.plot_series(np.sin(np.arange(50) / 5), split=40, title="sine")
    text = figure_alt_text(ax.figure)
    assert text.startswith("sine: line plot of a series of 50 values"), text
    assert "time steps 0 to 39" in text


def test_any_other_figure_is_described_from_its_title_axes_and_legend():
    fig, (left, right) = plt.subplots(1, 2)
    left.plot([1, 2, 3], [3, 1, 2], label="training loss")
    left.set(title="history", xlabel="epoch", ylabel="loss", yscale="log")
    left.legend()
    right.bar([0, 1], [2, 3])
    text = figure_alt_text(fig)
    assert text == ("Panel 1 of 2: history: line chart of loss against epoch (logarithmic "
                    "scale); legend: training loss. Panel 2 of 2: Bar chart."), text
    describe(right, "two bars, the second taller")
    assert figure_alt_text(fig).endswith("Panel 2 of 2: Two bars, the second taller.")


def test_outside_ipython_nothing_changes():
    assert show_alt_text_in_outputs() is False
