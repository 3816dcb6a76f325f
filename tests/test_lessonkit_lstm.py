"""Unit tests for the lessonkit helpers added for lesson 04 (long short-term memory)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt

from lessonkit import plots


def test_plot_lstm_cell_labels_the_state_and_the_four_blocks():
    ax = plots.plot_lstm_cell(title="LSTM")
    texts = [t.get_text() for t in ax.texts]
    for label in (r"$c_{t-1}$", r"$c_t$", r"$h_{t-1}$", r"$h_t$", r"$x_t$",
                  r"$f_t$", r"$i_t$", r"$\tilde c_t$", r"$o_t$"):
        assert label in texts, label
    assert texts.count(r"$\sigma$") == 3  # three gates ...
    assert texts.count("tanh") == 2  # ... the candidate, and tanh(c_t) on the way out
    assert ax.get_title() == "LSTM"
    assert not ax.axison
    ax.figure.canvas.draw()  # the mathtext must parse


def test_plot_lstm_cell_uses_the_given_axes_and_the_gate_colours():
    _, ax = plt.subplots()
    assert plots.plot_lstm_cell(ax=ax) is ax
    assert set(plots.LSTM_GATE_COLORS) == {"i", "f", "c", "o"}
    face_colors = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    assert set(plots.LSTM_GATE_COLORS.values()) <= face_colors
