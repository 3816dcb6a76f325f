"""Diagrams of the networks the lessons build, drawn with matplotlib.

A recurrent network unrolled in time, one step of an LSTM and of a GRU, stacked and
bidirectional layers. Every function draws on the given ``ax`` (or a new figure) and
returns the Axes, so a lesson can add to the picture. End the notebook line with ``;`` to
keep Jupyter from printing the returned object.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from lessonkit.alt_text import describe
from lessonkit.plots import LSTM_GATE_COLORS, PREDICTION_COLOR, TRAIN_COLOR

# --- small helpers shared by the diagrams ------------------------------------------------


def _axes(ax, figsize):
    """The given Axes, or the Axes of a new figure of this size (width, height in inches)."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _finish(ax, title, alt):
    """Hide the axes (a diagram has no scale), set the title if there is one, say in
    words what the diagram shows (its alt text, ``lessonkit.alt_text``), return ax."""
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return describe(ax, f"{title}: {alt}" if title else alt)


def _step_name(t, steps):
    """The subscript of step ``t``: with more than three steps the last one is ``T``
    (and the one after it ``T+1``), so the middle can be left out."""
    if steps > 3 and t >= steps:
        return "T" if t == steps else f"T+{t - steps}"
    return str(t)


def _box(ax, x, y, text, fill, edge="black", small=False, text_color=None):
    """Write ``text`` centred on (x, y) in a rounded box; ``small`` for the busier diagrams."""
    pad, fontsize = (0.4, 12) if small else (0.45, 13)
    ax.text(x, y, text, color=text_color, ha="center", va="center", fontsize=fontsize,
            zorder=3, bbox=dict(boxstyle=f"round,pad={pad}", fc=fill, ec=edge))


def _arrow(ax, start, end, color="black", lw=1.4, shrink=14, **style):
    """An arrow from ``start`` to ``end`` that stops ``shrink`` points short of both ends,
    clear of the boxes there."""
    ax.annotate("", end, start, arrowprops=dict(arrowstyle="-|>", color=color, lw=lw,
                                                shrinkA=shrink, shrinkB=shrink, **style))


# --- the diagrams ------------------------------------------------------------------------


def draw_unrolled_rnn(steps: int = 4, ax=None, backward: bool = True,
                      title: str | None = None):
    """Draw a recurrent network unrolled in time, optionally with its backward pass.

    Bottom row: the inputs ``x_1 .. x_T``; middle row: the hidden states ``h_0 .. h_T``;
    top row: the loss terms ``L_t`` that read each state. Black arrows are the forward
    pass (the same ``W`` and ``U`` at every step); with ``backward=True``, red dashed
    arrows show where the gradient of each state comes from: its own loss term, and the
    next state, i.e. the future.
    """
    if steps < 1:
        raise ValueError(f"steps must be positive, got {steps}")
    ax = _axes(ax, (1.9 * (steps + 1), 3.6))
    gradient = dict(color=PREDICTION_COLOR, lw=1.3, linestyle="--")
    x_row, h_row, loss_row = 0.0, 1.0, 2.0

    _box(ax, 0, h_row, r"$h_0$", "#e8e8e8")
    for t in range(1, steps + 1):
        name = _step_name(t, steps)
        _box(ax, t, x_row, rf"$x_{{{name}}}$", "#dceefb")
        _box(ax, t, h_row, rf"$h_{{{name}}}$", "#fde9d9")
        _box(ax, t, loss_row, rf"$L_{{{name}}}$", "#e5f5e0")
        _arrow(ax, (t, x_row), (t, h_row), shrink=15)
        _arrow(ax, (t, h_row), (t, loss_row), shrink=15)
        _arrow(ax, (t - 1, h_row), (t, h_row), shrink=15)
        ax.text(t + 0.06, 0.5, "$W$", fontsize=11, va="center")
        ax.text(t - 0.5, h_row + 0.1, "$U$", fontsize=11, ha="center")
        if backward:
            _arrow(ax, (t + 0.2, loss_row), (t + 0.2, h_row), shrink=12, **gradient)
            _arrow(ax, (t, h_row - 0.12), (t - 1, h_row - 0.12), shrink=15, **gradient)
    if steps > 3:
        ax.text(steps - 0.5, x_row, r"$\cdots$", ha="center", va="center", fontsize=14)
    handles = [plt.Line2D([], [], color="black", lw=1.4, label="forward pass")]
    if backward:
        handles.append(plt.Line2D([], [], **gradient, label="gradient (backward pass)"))
    ax.legend(handles=handles, loc="lower left", fontsize=9)
    ax.set_xlim(-0.6, steps + 0.6)
    ax.set_ylim(-0.5, 2.5)
    return _finish(
        ax, title,
        f"Diagram of a recurrent network unrolled over {steps} time steps: inputs x at "
        "the bottom, hidden states h from h_0 in the middle, each passed to the next with "
        "the same weights, and a loss term L above each state"
        + ("; red dashed arrows show the gradient flowing back from each loss and from "
           "the next state" if backward else ""))


def draw_rnn_many_to_one(steps: int = 4, ax=None, head: str = "Dense",
                         title: str | None = None):
    """Draw a recurrent layer folded (one cell with a loop) and unrolled in time.

    Left: the cell as it is written, ``h_t = f(x_t, h_{t-1})``, with its loop. Right: the
    same cell copied once per time step, ``h_0 -> h_1 -> ... -> h_T``, every copy with
    the same ``W``, ``U`` and ``b``; a ``head`` layer reads the last state only and
    predicts the next value ``y_hat = x_{T+1}`` (a many-to-one model, as in a forecaster).
    With more than three steps the last one is called ``T`` and the middle is elided.
    """
    if steps < 1:
        raise ValueError(f"steps must be positive, got {steps}")
    ax = _axes(ax, (1.7 * (steps + 4), 3.8))
    colors = {"x": "#dceefb", "h": "#fde9d9", "h0": "#e8e8e8", "head": "#e5f5e0"}

    # folded: one cell and its loop
    _box(ax, 0, 0, "$x_t$", colors["x"])
    _box(ax, 0, 1, "$h_t$", colors["h"])
    _arrow(ax, (0, 0), (0, 1))
    ax.text(0.08, 0.5, "$W$", fontsize=11, va="center")
    # the loop: out of h_t to the right, up, back to the left and down into h_t
    ax.plot([0.2, 0.5, 0.5, 0.0], [1.0, 1.0, 1.45, 1.45], color="black", lw=1.4)
    _arrow(ax, (0.0, 1.45), (0.0, 1.14), shrink=0)
    ax.text(0.56, 1.22, "$U$", fontsize=11, va="center")
    ax.text(0, -0.5, "folded", ha="center", fontsize=11, style="italic")
    ax.text(1.25, 0.75, "=", ha="center", va="center", fontsize=22)

    # unrolled: one copy of the cell per time step
    left = 2.0
    _box(ax, left, 1, "$h_0$", colors["h0"])
    for t in range(1, steps + 1):
        x = left + t
        name = _step_name(t, steps)
        _box(ax, x, 0, rf"$x_{{{name}}}$", colors["x"])
        _box(ax, x, 1, rf"$h_{{{name}}}$", colors["h"])
        _arrow(ax, (x, 0), (x, 1))
        _arrow(ax, (x - 1, 1), (x, 1))
        ax.text(x + 0.08, 0.5, "$W$", fontsize=11, va="center")
        ax.text(x - 0.5, 1.1, "$U$", fontsize=11, ha="center")
    if steps > 3:
        ax.text(left + steps - 0.5, 0, r"$\cdots$", ha="center", va="center", fontsize=14)
    last = left + steps
    after = _step_name(steps + 1, steps)
    _box(ax, last, 2, rf"{head} $\to \hat{{y}} = x_{{{after}}}$", colors["head"])
    _arrow(ax, (last, 1), (last, 2))
    ax.text(left + steps / 2, -0.5, "unrolled in time: the same W, U, b at every step",
            ha="center", fontsize=11, style="italic")
    ax.set_xlim(-0.6, last + 1.1)
    ax.set_ylim(-0.7, 2.35)
    return _finish(
        ax, title,
        f"Diagram of a recurrent layer: on the left one cell with a loop back to itself; on "
        f"the right the same cell unrolled over {steps} time steps, each state h passed to "
        f"the next with the same weights W, U and b, and a {head} layer reading only the "
        "last state to predict the next value")


def draw_gru_cell(ax=None, title: str | None = None):
    """Draw one step of a GRU (the Keras convention, ``reset_after=True``) as a data-flow diagram.

    ``x_t`` and ``h_{t-1}`` feed three blocks: the update gate ``z`` and the reset gate ``r``
    (sigmoids) and the candidate ``h~`` (tanh), in which ``r`` scales the recurrent part
    ``h_{t-1} U_h + b1_h``. Along the top runs the state: ``h_t = z * h_{t-1} + (1 - z) * h~``.
    """
    ax = _axes(ax, (9, 4.6))
    state_y, mix_y, gate_y, bus_y = 4.0, 3.1, 1.9, 0.7
    x_z, x_r, x_c, x_out = 2.4, 4.3, 6.6, 9.2
    line = dict(color="black", lw=1.4)

    def arrow(start, end, shrink_end=0.0):
        ax.annotate("", end, start, arrowprops=dict(arrowstyle="-|>", color="black", lw=1.4,
                                                    shrinkA=0, shrinkB=shrink_end))

    def block(x, y, text, label, color):
        ax.text(x, y, text, ha="center", va="center", fontsize=14, zorder=3,
                bbox=dict(boxstyle="round,pad=0.5", fc=color, ec="black"))
        ax.text(x, y - 0.55, label, ha="center", va="top", fontsize=10, zorder=3,
                bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none"))

    def node(x, y, text):
        ax.text(x, y, text, ha="center", va="center", fontsize=12, zorder=3,
                bbox=dict(boxstyle="circle,pad=0.15", fc="white", ec="black"))

    # the state line along the top: h_{t-1} -> (z *) -> (+) -> h_t
    ax.text(0.0, state_y, r"$h_{t-1}$", ha="right", va="center", fontsize=14)
    ax.plot([0.1, x_out], [state_y, state_y], **line)
    arrow((x_out - 0.4, state_y), (x_out, state_y))
    ax.text(x_out + 0.1, state_y, r"$h_t$", ha="left", va="center", fontsize=14)
    # the inputs: h_{t-1} drops to the bus, x_t comes up from below
    ax.plot([0.6, 0.6], [state_y, bus_y], **line)
    ax.text(0.9, -0.25, r"$x_t$", ha="center", va="center", fontsize=14)
    ax.plot([0.9, 0.9], [-0.05, bus_y], **line)
    ax.plot([0.6, x_c], [bus_y, bus_y], color="#555555", lw=3, solid_capstyle="round")
    ax.text(1.6, bus_y - 0.12, r"$x_t,\ h_{t-1}$", ha="center", va="top", fontsize=10,
            color="#555555")
    for x in (x_z, x_r, x_c):
        arrow((x, bus_y), (x, gate_y), shrink_end=16)
    # the three blocks
    block(x_z, gate_y, r"$\sigma$", "update gate $z_t$", "#fde9d9")
    block(x_r, gate_y, r"$\sigma$", "reset gate $r_t$", "#fde9d9")
    block(x_c, gate_y, r"$\tanh$", "candidate $\\tilde h_t$", "#dceefb")
    ax.text(x_c + 0.7, gate_y,
            "$\\tilde h_t = \\tanh(x_t W_h + b^{(0)}_h$\n"
            "$\\quad + \\ r_t \\odot (h_{t-1} U_h + b^{(1)}_h))$",
            ha="left", va="center", fontsize=10)
    # r scales the recurrent part of the candidate
    arrow((x_r + 0.35, gate_y), (x_c - 0.45, gate_y))
    ax.text((x_r + x_c) / 2 - 0.1, gate_y + 0.12, r"$r_t$", ha="center", va="bottom",
            fontsize=11)
    # z keeps the old state ...
    node(x_z, state_y, r"$\times$")
    ax.plot([x_z, x_z], [gate_y + 0.4, state_y - 0.2], **line)
    ax.text(x_z - 0.12, mix_y + 0.15, r"$z_t$", ha="right", va="center", fontsize=11)
    # ... and 1 - z lets the candidate in
    ax.plot([x_z, x_c - 1.1], [mix_y, mix_y], **line)
    node(x_c - 1.1, mix_y, r"$1-$")
    ax.plot([x_c - 0.8, x_c - 0.2], [mix_y, mix_y], **line)
    node(x_c, mix_y, r"$\times$")
    ax.plot([x_c, x_c], [gate_y + 0.4, mix_y - 0.2], **line)
    ax.plot([x_c, x_c], [mix_y + 0.2, state_y - 0.2], **line)
    node(x_c, state_y, r"$+$")
    ax.text(x_c + 0.12, mix_y - 0.45, r"$\tilde h_t$", ha="left", va="center", fontsize=11)
    ax.text((x_z + x_c) / 2, state_y + 0.3,
            r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t$",
            ha="center", va="bottom", fontsize=12)
    ax.set_xlim(-0.9, 10.6)
    ax.set_ylim(-0.6, 4.8)
    ax.set_aspect("equal")
    return _finish(
        ax, title,
        "Diagram of one GRU step: the input x_t and the previous state h_(t-1) feed the "
        "update gate z, the reset gate r and the tanh candidate, in which r scales the "
        "recurrent part; along the top the new state is mixed, "
        "h_t = z * h_(t-1) + (1 - z) * candidate")


def draw_lstm_cell(ax=None, title: str | None = None):
    """Draw one step of an LSTM as a data-flow diagram.

    Along the top runs the cell state: ``c_{t-1}`` is multiplied by the forget gate ``f_t``
    and the input gate times the candidate, ``i_t * c~_t``, is added, giving ``c_t``. Below,
    ``x_t`` and ``h_{t-1}`` feed the four blocks (three sigmoid gates and the tanh
    candidate); on the right, ``h_t = o_t * tanh(c_t)``. The blocks are coloured with
    ``plots.LSTM_GATE_COLORS``, so the diagram matches the lessons' gate plots.
    """
    ax = _axes(ax, (9, 5.2))
    colors = LSTM_GATE_COLORS
    grey = "#444444"

    def arrow(points, color=grey, lw=1.6, head=True):
        xs, ys = zip(*points, strict=True)
        if len(points) > 2:
            ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, zorder=1, solid_capstyle="round")
        ax.add_patch(FancyArrowPatch(points[-2], points[-1], arrowstyle="-|>" if head else "-",
                                     mutation_scale=12, color=color, lw=lw, zorder=1,
                                     shrinkA=0, shrinkB=0))

    def node(x, y, text, color=grey):
        ax.add_patch(Circle((x, y), 0.33, facecolor="white", edgecolor=color, lw=1.6, zorder=3))
        ax.text(x, y, text, ha="center", va="center", fontsize=13, color=color, zorder=4)

    def block(x, y, text, color, label):
        ax.add_patch(FancyBboxPatch((x - 0.55, y - 0.38), 1.1, 0.76,
                                    boxstyle="round,pad=0.02,rounding_size=0.15",
                                    facecolor=color, edgecolor=color, zorder=3))
        ax.text(x, y, text, ha="center", va="center", color="white", fontsize=12, zorder=4)
        ax.text(x + 0.62, y + 0.55, label, ha="left", va="center", color=color, fontsize=13,
                zorder=4)

    ax.add_patch(FancyBboxPatch((0, 0), 10.4, 6.0, boxstyle="round,pad=0.1,rounding_size=0.4",
                                facecolor="#f4f4f4", edgecolor="#bbbbbb", lw=1.2, zorder=0))
    top, bus, gate_y, mix_y = 5.0, 0.7, 2.2, 3.7
    x_f, x_i, x_c, x_o, x_out = 2.2, 4.0, 5.6, 7.4, 8.9

    # the cell state: one multiplication and one addition
    arrow([(-1.3, top), (x_f - 0.33, top)], color="black", lw=2.6)
    arrow([(x_f + 0.33, top), (x_c - 0.33, top)], color="black", lw=2.6)
    arrow([(x_c + 0.33, top), (11.9, top)], color="black", lw=2.6)
    ax.text(-1.3, top + 0.35, r"$c_{t-1}$", fontsize=15, ha="left")
    ax.text(11.9, top + 0.35, r"$c_t$", fontsize=15, ha="right")
    ax.text(5.2, 6.35, "cell state: one multiplication and one addition per step",
            fontsize=10, ha="center", color=grey, style="italic")
    node(x_f, top, r"$\times$", colors["f"])
    node(x_c, top, "+")

    # the inputs: h_{t-1} from the left and x_t from below share one bus
    arrow([(-1.3, bus), (x_o, bus)], head=False)
    ax.text(-1.3, bus + 0.3, r"$h_{t-1}$", fontsize=15, ha="left")
    arrow([(1.0, -1.2), (1.0, bus)], head=False)
    ax.text(1.2, -1.05, r"$x_t$", fontsize=15, ha="left")
    ax.add_patch(Circle((1.0, bus), 0.07, color=grey, zorder=2))
    for x in (x_f, x_i, x_c, x_o):
        arrow([(x, bus), (x, gate_y - 0.38)])
    block(x_f, gate_y, r"$\sigma$", colors["f"], r"$f_t$")
    block(x_i, gate_y, r"$\sigma$", colors["i"], r"$i_t$")
    block(x_c, gate_y, "tanh", colors["c"], r"$\tilde c_t$")
    block(x_o, gate_y, r"$\sigma$", colors["o"], r"$o_t$")

    # forget: f_t scales the old cell state; write: i_t * c~_t is added to it
    arrow([(x_f, gate_y + 0.38), (x_f, top - 0.33)], color=colors["f"])
    arrow([(x_i, gate_y + 0.38), (x_i, mix_y), (x_c - 0.33, mix_y)], color=colors["i"])
    arrow([(x_c, gate_y + 0.38), (x_c, mix_y - 0.33)], color=colors["c"])
    node(x_c, mix_y, r"$\times$")
    arrow([(x_c, mix_y + 0.33), (x_c, top - 0.33)])

    # read: h_t = o_t * tanh(c_t)
    arrow([(x_out, top), (x_out, mix_y + 0.28)])
    ax.add_patch(FancyBboxPatch((x_out - 0.45, mix_y - 0.28), 0.9, 0.56,
                                boxstyle="round,pad=0.02,rounding_size=0.25",
                                facecolor="white", edgecolor=grey, lw=1.4, zorder=3))
    ax.text(x_out, mix_y, "tanh", ha="center", va="center", fontsize=11, zorder=4)
    arrow([(x_out, mix_y - 0.28), (x_out, gate_y + 0.33)])
    arrow([(x_o + 0.55, gate_y), (x_out - 0.33, gate_y)], color=colors["o"])
    node(x_out, gate_y, r"$\times$", colors["o"])
    arrow([(x_out, gate_y - 0.33), (x_out, -0.3), (11.9, -0.3)])
    ax.text(11.9, 0.0, r"$h_t$", fontsize=15, ha="right")
    ax.text(11.9, -0.75, "to the next step\nand to the output", fontsize=9, ha="right",
            va="top", color=grey)

    ax.set_xlim(-1.6, 12.2)
    ax.set_ylim(-1.3, 6.8)
    ax.set_aspect("equal")
    return _finish(
        ax, title,
        "Diagram of one LSTM step: along the top the cell state c_(t-1) is multiplied by "
        "the forget gate f and the input gate i times the candidate is added, giving c_t; "
        "below, x_t and h_(t-1) feed the three sigmoid gates and the tanh candidate; on "
        "the right h_t = o * tanh(c_t)")


def draw_stacked_rnn(layers: int = 2, steps: int = 4, last_sequence: bool = False,
                     ax=None, title: str | None = None):
    """Draw recurrent layers stacked on top of each other, unrolled in time, with their shapes.

    Row 0 holds the inputs ``x_1 .. x_T``; row ``l`` the states ``h^(l)_t`` of layer ``l``,
    which reads the whole sequence of states of the layer below. Every layer but the top
    one must return its full sequence (``return_sequences=True``). With
    ``last_sequence=False`` the top layer returns only its last state (its other states
    are drawn faded) and a ``Dense`` head reads it; with ``True`` it returns them all.
    The right margin gives the shape of what each row passes upwards.
    """
    if layers < 1:
        raise ValueError(f"layers must be positive, got {layers}")
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    ax = _axes(ax, (1.5 * steps + 5.5, 1.15 * (layers + 2) + 0.6))
    colors = ["#fde9d9", "#fdd0a2", "#fdae6b", "#fd8d3c"]
    faded_grey = "#b0b0b0"

    def arrow(start, end, color="black"):
        _arrow(ax, start, end, color=color, lw=1.2, shrink=13)

    for t in range(1, steps + 1):
        _box(ax, t, 0, rf"$x_{{{_step_name(t, steps)}}}$", "#dceefb", small=True)
    for layer in range(1, layers + 1):
        top = layer == layers
        color = colors[(layer - 1) % len(colors)]
        for t in range(1, steps + 1):
            state = rf"$h^{{({layer})}}_{{{_step_name(t, steps)}}}$"
            faded = top and not last_sequence and t < steps
            if faded:  # a state the top layer computes but does not return
                _box(ax, t, layer, state, "#f4f4f4", edge=faded_grey, small=True,
                     text_color="#a0a0a0")
            else:
                _box(ax, t, layer, state, color, small=True)
            arrow((t, layer - 1), (t, layer))
            if t > 1:
                arrow((t - 1, layer), (t, layer), faded_grey if faded else "black")
        if steps > 3:
            ax.text(steps - 0.5, layer - 0.5, r"$\cdots$", ha="center", va="center",
                    fontsize=13)
        returns = "True" if not top or last_sequence else "False"
        shape = f"(batch, T, $H_{layer}$)" if returns == "True" else f"(batch, $H_{layer}$)"
        ax.text(steps + 0.55, layer, f"layer {layer}, return_sequences={returns}\n"
                f"passes up {shape}", ha="left", va="center", fontsize=10)
    ax.text(steps + 0.55, 0, "input\n(batch, T, D)", ha="left", va="center", fontsize=10)
    head_y = layers + 1
    if last_sequence:
        for t in range(1, steps + 1):
            _box(ax, t, head_y, rf"$\hat y_{{{_step_name(t, steps)}}}$", "#e5f5e0", small=True)
            arrow((t, layers), (t, head_y))
        head_text = "Dense at every step\n(batch, T, outputs)"
    else:
        _box(ax, steps, head_y, r"Dense $\to \hat y$", "#e5f5e0", small=True)
        arrow((steps, layers), (steps, head_y))
        head_text = "head\n(batch, outputs)"
    ax.text(steps + 0.55, head_y, head_text, ha="left", va="center", fontsize=10)
    ax.set_xlim(0.4, steps + 3.6)
    ax.set_ylim(-0.5, head_y + 0.5)
    return _finish(
        ax, title,
        f"Diagram of {layers} stacked recurrent layers unrolled over {steps} time steps: "
        "the inputs at the bottom, each layer reading the whole sequence of states of the "
        "layer below, with the shape each row passes up in the margin; "
        + ("the top layer returns its whole sequence" if last_sequence else
           "the top layer returns only its last state, read by a Dense head"))


def draw_bidirectional_rnn(steps: int = 4, ax=None, title: str | None = None):
    """Draw a bidirectional recurrent layer unrolled in time.

    Bottom row: the inputs ``x_1 .. x_T``. Above them two independent recurrent layers
    with their own weights: the forward one (blue) reads left to right from its initial
    state (its state ``h->_t`` summarises ``x_1 .. x_t``), the backward one (red) reads
    right to left from its own initial state beyond the end (its state ``h<-_t``
    summarises ``x_t .. x_T``). The top row is the output at each step, the two states
    side by side: ``y_t = [h->_t ; h<-_t]`` (the ``concat`` merge).
    """
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    ax = _axes(ax, (1.75 * steps + 3.8, 4.2))
    forward_color, backward_color = TRAIN_COLOR, PREDICTION_COLOR
    x_row, f_row, b_row, y_row = 0.0, 1.0, 2.0, 3.1
    spacing, offset = 1.6, 0.36

    def arrow(start, end, color, lw=1.2):
        _arrow(ax, start, end, color=color, lw=lw, shrink=13)

    def fpos(t):  # the forward states sit a little left of their step ...
        return spacing * t - offset

    def bpos(t):  # ... and the backward ones a little right
        return spacing * t + offset

    _box(ax, fpos(0), f_row, r"$\vec h_0 = 0$", "#e8e8e8", edge=forward_color, small=True)
    _box(ax, bpos(steps + 1), b_row,
         rf"$\overleftarrow{{h}}_{{{_step_name(steps + 1, steps)}}} = 0$", "#e8e8e8",
         edge=backward_color, small=True)
    for t in range(1, steps + 1):
        name, x = _step_name(t, steps), spacing * t
        _box(ax, x, x_row, rf"$x_{{{name}}}$", "#dceefb", small=True)
        _box(ax, fpos(t), f_row, rf"$\vec h_{{{name}}}$", "#deebf7", edge=forward_color,
             small=True)
        _box(ax, bpos(t), b_row, rf"$\overleftarrow{{h}}_{{{name}}}$", "#fde0dd",
             edge=backward_color, small=True)
        _box(ax, x, y_row, rf"$y_{{{name}}}$", "#e5f5e0", small=True)
        arrow((x, x_row), (fpos(t), f_row), forward_color)
        arrow((x, x_row), (bpos(t), b_row), backward_color)
        arrow((fpos(t - 1), f_row), (fpos(t), f_row), forward_color, lw=1.7)
        arrow((bpos(t + 1), b_row), (bpos(t), b_row), backward_color, lw=1.7)
        arrow((fpos(t), f_row), (x, y_row), forward_color)
        arrow((bpos(t), b_row), (x, y_row), backward_color)
    if steps > 3:
        ax.text(spacing * (steps - 0.5), x_row, r"$\cdots$", ha="center", va="center",
                fontsize=13)
    ax.text(spacing * (steps + 0.55), y_row,
            r"$y_t = [\,\vec h_t\,;\ \overleftarrow{h}_t\,]$", ha="left", va="center",
            fontsize=12)
    ax.text(fpos(0), f_row + 0.5, "forward layer:\nreads left to right", ha="center",
            va="center", color=forward_color, fontsize=10)
    ax.text(bpos(steps + 1), b_row + 0.55, "backward layer:\nreads right to left",
            ha="center", va="center", color=backward_color, fontsize=10)
    ax.set_xlim(fpos(0) - 0.8, bpos(steps + 1) + 0.9)
    ax.set_ylim(-0.45, y_row + 0.45)
    return _finish(
        ax, title,
        f"Diagram of a bidirectional recurrent layer over {steps} time steps: a forward "
        "layer in blue reads the inputs left to right, a backward layer in red reads them "
        "right to left, and the output at each step is the two states side by side")


def draw_parallel_scan(length: int = 8, ax=None, title: str | None = None):
    """Draw the doubling scan (Hillis & Steele) of a linear recurrence over ``length`` steps.

    Row 0 holds the steps themselves, ``[t]`` for the map ``h -> a_t h + b_t``. In round
    ``k`` (``d = 2**k``), every position ``t >= d`` combines what it holds with what
    position ``t - d`` held (a slanted arrow) while positions ``t < d`` keep theirs (a
    vertical arrow), so after round ``k`` position ``t`` holds ``[s:t]``, the composition of
    the steps ``s = max(1, t - 2**(k+1) + 1)`` to ``t``. After ``ceil(log2(length))`` rounds
    every position holds ``[1:t]``: the whole prefix, from which ``h_t`` follows at once.
    Positions that already hold their whole prefix are drawn in green.
    """
    if length < 2:
        raise ValueError(f"length must be at least 2, got {length}")
    rounds = (length - 1).bit_length()  # ceil(log2(length))
    ax = _axes(ax, (1.15 * length + 2.2, 1.25 * rounds + 1.6))
    combine = dict(color=PREDICTION_COLOR, lw=1.2)
    keep = dict(color="#9a9a9a", lw=1.0)
    for k in range(rounds + 1):
        y = rounds - k  # round 0 at the top
        span = 2 ** k  # after round k-1, position t covers the last 2**k steps
        for t in range(1, length + 1):
            first = max(1, t - span + 1)
            label = f"[{t}]" if first == t else f"[{first}:{t}]"
            fill = "#e5f5e0" if first == 1 else "#fde9d9"
            _box(ax, t, y, label, fill, small=True)
            if k == rounds:
                continue
            _arrow(ax, (t, y), (t, y - 1), shrink=11, **keep)
            if t + span <= length:
                _arrow(ax, (t, y), (t + span, y - 1), shrink=11, **combine)
        if k < rounds:
            ax.text(length + 0.6, y - 0.5, f"round {k + 1}: d = {span}", ha="left",
                    va="center", fontsize=10)
    ax.text(0.25, rounds, "steps", ha="right", va="center", fontsize=10)
    ax.text(0.25, 0, "prefixes", ha="right", va="center", fontsize=10)
    ax.set_xlim(-0.9, length + 2.6)
    ax.set_ylim(-0.5, rounds + 0.5)
    return _finish(
        ax, title,
        f"Diagram of the doubling parallel scan of a linear recurrence over {length} steps "
        f"in {rounds} rounds: in round k every position at least 2^k combines its value "
        "with the one 2^k positions to its left, so after the last round every position "
        "holds its whole prefix; positions that hold it already are green")
