"""Unit tests for lessonkit.diagrams: the diagrams of the networks the lessons build."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest

from lessonkit import diagrams, plots

# --- draw_unrolled_rnn (lesson 03) -------------------------------------------------------


def test_draw_unrolled_rnn_draws_every_step():
    ax = diagrams.draw_unrolled_rnn(steps=3)
    texts = [t.get_text() for t in ax.texts]
    for name in ["$h_0$", "$x_{1}$", "$h_{3}$", "$L_{3}$"]:
        assert name in texts
    arrows = [a for a in ax.texts if isinstance(a, matplotlib.text.Annotation)]
    assert len(arrows) == 3 * 5  # per step: three forward and two backward arrows
    assert not ax.axison
    assert len(ax.get_legend().get_texts()) == 2


def test_draw_unrolled_rnn_long_chain_and_forward_only():
    _, ax = plt.subplots()
    assert diagrams.draw_unrolled_rnn(steps=5, ax=ax, backward=False, title="t") is ax
    texts = [t.get_text() for t in ax.texts]
    assert "$h_{T}$" in texts and "$h_{5}$" not in texts
    arrows = [a for a in ax.texts if isinstance(a, matplotlib.text.Annotation)]
    assert len(arrows) == 5 * 3
    assert len(ax.get_legend().get_texts()) == 1
    assert ax.get_title() == "t"


def test_draw_unrolled_rnn_needs_a_step():
    with pytest.raises(ValueError):
        diagrams.draw_unrolled_rnn(steps=0)


# --- draw_rnn_many_to_one (lesson 02) ----------------------------------------------------


@pytest.mark.parametrize("steps", [1, 2, 4, 7])
def test_draw_rnn_many_to_one_draws_one_cell_per_step(steps):
    fig, ax = plt.subplots()
    returned = diagrams.draw_rnn_many_to_one(steps=steps, ax=ax, title="unrolled")
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


def test_draw_rnn_many_to_one_makes_its_own_figure_and_rejects_no_steps():
    ax = diagrams.draw_rnn_many_to_one(head="Linear")
    assert any(t.get_text().startswith("Linear") for t in ax.texts)
    plt.close(ax.figure)
    with pytest.raises(ValueError):
        diagrams.draw_rnn_many_to_one(steps=0)


# --- draw_lstm_cell (lesson 04) ----------------------------------------------------------


def test_draw_lstm_cell_labels_the_state_and_the_four_blocks():
    ax = diagrams.draw_lstm_cell(title="LSTM")
    texts = [t.get_text() for t in ax.texts]
    for label in (r"$c_{t-1}$", r"$c_t$", r"$h_{t-1}$", r"$h_t$", r"$x_t$",
                  r"$f_t$", r"$i_t$", r"$\tilde c_t$", r"$o_t$"):
        assert label in texts, label
    assert texts.count(r"$\sigma$") == 3  # three gates ...
    assert texts.count("tanh") == 2  # ... the candidate, and tanh(c_t) on the way out
    assert ax.get_title() == "LSTM"
    assert not ax.axison
    ax.figure.canvas.draw()  # the mathtext must parse


def test_draw_lstm_cell_uses_the_given_axes_and_the_gate_colours():
    _, ax = plt.subplots()
    assert diagrams.draw_lstm_cell(ax=ax) is ax
    assert set(plots.LSTM_GATE_COLORS) == {"i", "f", "c", "o"}
    face_colors = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    assert set(plots.LSTM_GATE_COLORS.values()) <= face_colors


# --- draw_gru_cell (lesson 05) -----------------------------------------------------------


def test_draw_gru_cell_draws_the_update_equation_and_the_three_blocks():
    ax = diagrams.draw_gru_cell(title="GRU")
    texts = [t.get_text() for t in ax.texts]
    assert any(r"z_t \odot h_{t-1} + (1 - z_t)" in t for t in texts)
    assert sum(t == r"$\sigma$" for t in texts) == 2
    assert any(t == r"$\tanh$" for t in texts)
    assert ax.get_title() == "GRU"
    assert not ax.axison
    ax.figure.canvas.draw()  # the mathtext must parse


def test_draw_gru_cell_uses_the_given_axes():
    _, ax = plt.subplots()
    assert diagrams.draw_gru_cell(ax=ax) is ax


# --- draw_stacked_rnn and draw_bidirectional_rnn (lesson 06) -----------------------------


def test_draw_stacked_rnn_labels_every_level():
    ax = diagrams.draw_stacked_rnn(layers=3, steps=4, title="stack")
    texts = [t.get_text() for t in ax.texts]
    assert sum("return_sequences=True" in t for t in texts) == 2
    assert sum("return_sequences=False" in t for t in texts) == 1
    assert any("(batch, T, D)" in t for t in texts)
    assert sum(t.startswith("$h^{(3)}") for t in texts) == 4
    assert ax.get_title() == "stack" and not ax.axison
    ax.figure.canvas.draw()  # the mathtext must parse


def test_draw_stacked_rnn_with_a_sequence_on_top():
    _, ax = plt.subplots()
    assert diagrams.draw_stacked_rnn(layers=2, steps=3, last_sequence=True, ax=ax) is ax
    texts = [t.get_text() for t in ax.texts]
    assert sum("return_sequences=True" in t for t in texts) == 2
    assert sum(t.startswith(r"$\hat y") for t in texts) == 3
    ax.figure.canvas.draw()
    with pytest.raises(ValueError):
        diagrams.draw_stacked_rnn(layers=0)
    with pytest.raises(ValueError):
        diagrams.draw_stacked_rnn(steps=1)


def test_draw_bidirectional_rnn_draws_both_directions_and_the_merge():
    ax = diagrams.draw_bidirectional_rnn(steps=5, title="bi")
    texts = [t.get_text() for t in ax.texts]
    assert sum(t.startswith(r"$\vec h_") for t in texts) == 6  # h_0 .. h_T
    assert sum(t.startswith(r"$\overleftarrow{h}_") for t in texts) == 6  # h_1 .. h_{T+1}
    assert any("y_t = [" in t for t in texts)
    assert ax.get_title() == "bi"
    ax.figure.canvas.draw()
    _, other = plt.subplots()
    assert diagrams.draw_bidirectional_rnn(steps=2, ax=other) is other
    other.figure.canvas.draw()
    with pytest.raises(ValueError):
        diagrams.draw_bidirectional_rnn(steps=1)
