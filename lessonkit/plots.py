"""Pictures a learner would rather look at than read.

Every function draws on the given ``ax`` (or a new figure) and returns the Axes, so a
lesson can add to the picture. End the notebook line with ``;`` to keep Jupyter from
printing the returned object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

TRAIN_COLOR = "#1f77b4"
TEST_COLOR = "#7f7f7f"
PREDICTION_COLOR = "#d62728"
BASELINE_COLOR = "#ff7f0e"


def use_course_style() -> None:
    """Readable defaults: larger fonts, a light grid, no top and right spines."""
    plt.rcParams.update(
        {
            "figure.figsize": (8, 3.5),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 11,
            "legend.frameon": False,
        }
    )


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_series(series, split: int | None = None, ax=None, title: str | None = None,
                label: str = "series"):
    """Plot a series; with ``split``, colour the training and test parts and mark the boundary."""
    ax = _axes(ax)
    series = np.asarray(series).ravel()
    t = np.arange(len(series))
    if split is None:
        ax.plot(t, series, color=TRAIN_COLOR, label=label)
    else:
        ax.plot(t[:split], series[:split], color=TRAIN_COLOR, label="training part")
        ax.plot(t[split:], series[split:], color=TEST_COLOR, label="test part")
        ax.axvline(split, color="black", linestyle="--", linewidth=1)
        ax.annotate("train | test", (split, 1.0), xycoords=("data", "axes fraction"),
                    ha="center", va="bottom", fontsize=9)
    ax.set_xlabel("time step")
    ax.legend(loc="lower left")
    if title:
        ax.set_title(title)
    return ax


def plot_forecast(truth, predictions: Mapping[str, np.ndarray] | np.ndarray, start: int = 0,
                  history=None, ax=None, title: str | None = None):
    """Plot the true values against one or more forecasts.

    Args:
        truth: the true values over the forecast period.
        predictions: one array, or a mapping ``{"label": values}`` of several (a model
            and its baselines, say), each as long as ``truth``.
        start: the time step of ``truth[0]``, so the x axis matches the whole series.
        history: optional values just before ``start``, drawn in the training colour
            so the forecast is seen in context.
    """
    ax = _axes(ax)
    truth = np.asarray(truth).ravel()
    if not isinstance(predictions, Mapping):
        predictions = {"forecast": predictions}
    t = np.arange(start, start + len(truth))
    if history is not None:
        history = np.asarray(history).ravel()
        ax.plot(np.arange(start - len(history), start), history, color=TRAIN_COLOR,
                label="history")
        ax.axvline(start, color="black", linestyle="--", linewidth=1)
    ax.plot(t, truth, color="black", linewidth=2, alpha=0.6, label="truth")
    styles = [PREDICTION_COLOR, BASELINE_COLOR, "#2ca02c", "#9467bd", "#8c564b"]
    for i, (label, values) in enumerate(predictions.items()):
        values = np.asarray(values).ravel()
        if len(values) != len(truth):
            raise ValueError(f"{label!r} has {len(values)} values but truth has {len(truth)}")
        ax.plot(t, values, color=styles[i % len(styles)], linestyle="-" if i == 0 else "--",
                label=label)
    ax.set_xlabel("time step")
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return ax


def plot_history(history, metrics: Sequence[str] | None = None, ax=None, log: bool = True,
                 title: str | None = "training history"):
    """Plot the loss (and other metrics) per epoch from a Keras ``History`` or its ``.history``."""
    ax = _axes(ax)
    record = getattr(history, "history", history)
    if not record:
        raise ValueError("the history is empty: was the model trained?")
    names = list(metrics) if metrics else [k for k in record if "loss" in k] or list(record)
    for name in names:
        values = np.asarray(record[name])
        ax.plot(np.arange(1, len(values) + 1), values, marker="." if len(values) < 40 else None,
                label=name)
    if log and all(np.all(np.asarray(record[n]) > 0) for n in names):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_decision_boundary(predict: Callable[[np.ndarray], np.ndarray], X, y, ax=None,
                           resolution: int = 200, title: str | None = None):
    """Shade where ``predict`` says class 1 (a probability in [0, 1]) and draw the points.

    ``predict`` receives an array of shape ``(n, 2)`` and returns ``n`` probabilities.
    """
    ax = _axes(ax)
    X = np.asarray(X)
    y = np.asarray(y).ravel()
    pad = 0.5
    x0 = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    x1 = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    g0, g1 = np.meshgrid(x0, x1)
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    prob = np.asarray(predict(grid)).reshape(g0.shape)
    ax.contourf(g0, g1, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
    ax.contour(g0, g1, prob, levels=[0.5], colors="black", linewidths=1)
    ax.scatter(X[y == 0, 0], X[y == 0, 1], s=12, color="#2166ac", label="class 0")
    ax.scatter(X[y == 1, 0], X[y == 1, 1], s=12, color="#b2182b", label="class 1")
    ax.set_aspect("equal", adjustable="box")
    ax.legend(loc="upper right")
    if title:
        ax.set_title(title)
    return ax


def plot_functions(functions: Mapping[str, Callable[[np.ndarray], np.ndarray]],
                   x_range: tuple[float, float] = (-5.0, 5.0), ax=None,
                   title: str | None = None):
    """Plot several functions of one variable on one axis, e.g. activations and their slopes."""
    ax = _axes(ax)
    x = np.linspace(*x_range, 401)
    for label, f in functions.items():
        ax.plot(x, np.asarray(f(x)).ravel(), label=label)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("x")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_unrolled_rnn(steps: int = 4, ax=None, backward: bool = True,
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
    if ax is None:
        _, ax = plt.subplots(figsize=(1.9 * (steps + 1), 3.6))
    forward_style = dict(arrowstyle="-|>", color="black", lw=1.4, shrinkA=15, shrinkB=15)
    backward_style = dict(arrowstyle="-|>", color=PREDICTION_COLOR, lw=1.3, linestyle="--",
                          shrinkA=15, shrinkB=15)
    rows = {"x": 0.0, "h": 1.0, "L": 2.0}
    node = dict(ha="center", va="center", fontsize=13, zorder=3)

    def box(x, y, text, color):
        ax.text(x, y, text, bbox=dict(boxstyle="round,pad=0.45", fc=color, ec="black"), **node)

    box(0, rows["h"], r"$h_0$", "#e8e8e8")
    for t in range(1, steps + 1):
        last = t == steps
        name = "T" if last and steps > 3 else str(t)
        box(t, rows["x"], rf"$x_{{{name}}}$", "#dceefb")
        box(t, rows["h"], rf"$h_{{{name}}}$", "#fde9d9")
        box(t, rows["L"], rf"$L_{{{name}}}$", "#e5f5e0")
        ax.annotate("", (t, rows["h"]), (t, rows["x"]), arrowprops=forward_style)
        ax.annotate("", (t, rows["L"]), (t, rows["h"]), arrowprops=forward_style)
        ax.annotate("", (t, rows["h"]), (t - 1, rows["h"]), arrowprops=forward_style)
        ax.text(t + 0.06, 0.5, "$W$", fontsize=11, va="center")
        ax.text(t - 0.5, rows["h"] + 0.1, "$U$", fontsize=11, ha="center")
        if backward:
            ax.annotate("", (t + 0.2, rows["h"]), (t + 0.2, rows["L"]),
                        arrowprops={**backward_style, "shrinkA": 12, "shrinkB": 12})
            ax.annotate("", (t - 1, rows["h"] - 0.12), (t, rows["h"] - 0.12),
                        arrowprops=backward_style)
    if steps > 3:
        ax.text(steps - 0.5, rows["x"], r"$\cdots$", ha="center", va="center", fontsize=14)
    handles = [plt.Line2D([], [], color="black", lw=1.4, label="forward pass")]
    if backward:
        handles.append(plt.Line2D([], [], color=PREDICTION_COLOR, lw=1.3, linestyle="--",
                                  label="gradient (backward pass)"))
    ax.legend(handles=handles, loc="lower left", fontsize=9)
    ax.set_xlim(-0.6, steps + 0.6)
    ax.set_ylim(-0.5, 2.5)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_gradient_norms(norms: Mapping[str, np.ndarray], ax=None, title: str | None = None,
                        ylabel: str = r"gradient norm $\|\partial L / \partial h_{T-k}\|$"):
    """Plot how a gradient's size changes as it travels back in time, on a log scale.

    Args:
        norms: ``{"label": values}``, where ``values[k - 1]`` is the norm of the gradient
            ``k`` steps before the loss (``k = 1, 2, ...``). Zeros (underflow) and
            non-finite values (overflow) are left out of the line.
        ylabel: what the norms are norms of.
    """
    ax = _axes(ax)
    if not norms:
        raise ValueError("norms is empty: pass at least one curve")
    for label, values in norms.items():
        values = np.asarray(values, dtype=np.float64).ravel()
        shown = np.where(np.isfinite(values) & (values > 0), values, np.nan)
        ax.plot(np.arange(1, len(values) + 1), shown, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("distance in time k (steps back from the loss)")
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return ax


def plot_rnn_many_to_one(steps: int = 4, ax=None, head: str = "Dense",
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
    if ax is None:
        _, ax = plt.subplots(figsize=(1.7 * (steps + 4), 3.8))
    arrow = dict(arrowstyle="-|>", color="black", lw=1.4, shrinkA=14, shrinkB=14)
    node = dict(ha="center", va="center", fontsize=13, zorder=3)
    colors = {"x": "#dceefb", "h": "#fde9d9", "h0": "#e8e8e8", "head": "#e5f5e0"}

    def box(x, y, text, color):
        ax.text(x, y, text, bbox=dict(boxstyle="round,pad=0.45", fc=color, ec="black"), **node)

    # folded: one cell and its loop
    box(0, 0, "$x_t$", colors["x"])
    box(0, 1, "$h_t$", colors["h"])
    ax.annotate("", (0, 1), (0, 0), arrowprops=arrow)
    ax.text(0.08, 0.5, "$W$", fontsize=11, va="center")
    # the loop: out of h_t to the right, up, back to the left and down into h_t
    ax.plot([0.2, 0.5, 0.5, 0.0], [1.0, 1.0, 1.45, 1.45], color="black", lw=1.4)
    ax.annotate("", (0.0, 1.14), (0.0, 1.45),
                arrowprops=dict(arrowstyle="-|>", color="black", lw=1.4, shrinkA=0, shrinkB=0))
    ax.text(0.56, 1.22, "$U$", fontsize=11, va="center")
    ax.text(0, -0.5, "folded", ha="center", fontsize=11, style="italic")
    ax.text(1.25, 0.75, "=", ha="center", va="center", fontsize=22)

    # unrolled: one copy of the cell per time step
    left = 2.0
    box(left, 1, "$h_0$", colors["h0"])
    for t in range(1, steps + 1):
        x = left + t
        name = "T" if t == steps and steps > 3 else str(t)
        box(x, 0, rf"$x_{{{name}}}$", colors["x"])
        box(x, 1, rf"$h_{{{name}}}$", colors["h"])
        ax.annotate("", (x, 1), (x, 0), arrowprops=arrow)
        ax.annotate("", (x, 1), (x - 1, 1), arrowprops=arrow)
        ax.text(x + 0.08, 0.5, "$W$", fontsize=11, va="center")
        ax.text(x - 0.5, 1.1, "$U$", fontsize=11, ha="center")
    if steps > 3:
        ax.text(left + steps - 0.5, 0, r"$\cdots$", ha="center", va="center", fontsize=14)
    last = left + steps
    after = "T+1" if steps > 3 else str(steps + 1)
    box(last, 2, rf"{head} $\to \hat{{y}} = x_{{{after}}}$", colors["head"])
    ax.annotate("", (last, 2), (last, 1), arrowprops=arrow)
    ax.text(left + steps / 2, -0.5, "unrolled in time: the same W, U, b at every step",
            ha="center", fontsize=11, style="italic")
    ax.set_xlim(-0.6, last + 1.1)
    ax.set_ylim(-0.7, 2.35)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_gru_cell(ax=None, title: str | None = None):
    """Draw one step of a GRU (the Keras convention, ``reset_after=True``) as a data-flow diagram.

    ``x_t`` and ``h_{t-1}`` feed three blocks: the update gate ``z`` and the reset gate ``r``
    (sigmoids) and the candidate ``h~`` (tanh), in which ``r`` scales the recurrent part
    ``h_{t-1} U_h + b1_h``. Along the top runs the state: ``h_t = z * h_{t-1} + (1 - z) * h~``.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.6))
    state_y, mix_y, gate_y, bus_y = 4.0, 3.1, 1.9, 0.7
    x_z, x_r, x_c, x_out = 2.4, 4.3, 6.6, 9.2
    line = dict(color="black", lw=1.4)
    arrow = dict(arrowstyle="-|>", color="black", lw=1.4, shrinkA=0, shrinkB=0)

    def draw_arrow(start, end, shrink_end=0.0, color="black"):
        ax.annotate("", end, start,
                    arrowprops={**arrow, "color": color, "shrinkB": shrink_end})

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
    draw_arrow((x_out - 0.4, state_y), (x_out, state_y))
    ax.text(x_out + 0.1, state_y, r"$h_t$", ha="left", va="center", fontsize=14)
    # the inputs: h_{t-1} drops to the bus, x_t comes up from below
    ax.plot([0.6, 0.6], [state_y, bus_y], **line)
    ax.text(0.9, -0.25, r"$x_t$", ha="center", va="center", fontsize=14)
    ax.plot([0.9, 0.9], [-0.05, bus_y], **line)
    ax.plot([0.6, x_c], [bus_y, bus_y], color="#555555", lw=3, solid_capstyle="round")
    ax.text(1.6, bus_y - 0.12, r"$x_t,\ h_{t-1}$", ha="center", va="top", fontsize=10,
            color="#555555")
    for x in (x_z, x_r, x_c):
        draw_arrow((x, bus_y), (x, gate_y), shrink_end=16)
    # the three blocks
    block(x_z, gate_y, r"$\sigma$", "update gate $z_t$", "#fde9d9")
    block(x_r, gate_y, r"$\sigma$", "reset gate $r_t$", "#fde9d9")
    block(x_c, gate_y, r"$\tanh$", "candidate $\\tilde h_t$", "#dceefb")
    ax.text(x_c + 0.7, gate_y,
            "$\\tilde h_t = \\tanh(x_t W_h + b^{(0)}_h$\n"
            "$\\quad + \\ r_t \\odot (h_{t-1} U_h + b^{(1)}_h))$",
            ha="left", va="center", fontsize=10)
    # r scales the recurrent part of the candidate
    draw_arrow((x_r + 0.35, gate_y), (x_c - 0.45, gate_y))
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
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_model_comparison(results: Mapping[str, Mapping[float, float]], ax=None,
                          baseline: float | None = 1.0, baseline_label: str = "baseline",
                          log: bool = True, xlabel: str = "sequence length T",
                          ylabel: str = "test MSE / baseline MSE",
                          title: str | None = None):
    """Plot a score of several models against a setting, one line per model.

    Args:
        results: ``{"model name": {setting: score}}``, e.g.
            ``{"GRU": {10: 0.01, 25: 0.02}, "LSTM": {10: 0.05, 25: 0.7}}``; the settings
            (x values) need not be the same for every model.
        baseline: draw a horizontal reference line at this score (``None``: no line).
        log: use a logarithmic y axis (the scores must then be positive).
    """
    ax = _axes(ax)
    if not results:
        raise ValueError("results is empty: pass at least one model")
    markers = ["o", "s", "^", "D", "v", "P"]
    for i, (name, scores) in enumerate(results.items()):
        if not scores:
            raise ValueError(f"{name!r} has no scores")
        settings = sorted(scores)
        ax.plot(settings, [scores[s] for s in settings], marker=markers[i % len(markers)],
                label=name)
    if baseline is not None:
        ax.axhline(baseline, color="black", linestyle="--", linewidth=1, label=baseline_label)
    if log:
        ax.set_yscale("log")
    settings = sorted({s for scores in results.values() for s in scores})
    ax.set_xticks(settings)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return ax


# The colours of the LSTM's input gate, forget gate, candidate and output gate, in every plot.
LSTM_GATE_COLORS = {"i": "#2ca02c", "f": "#d62728", "c": "#9467bd", "o": "#1f77b4"}


def plot_lstm_cell(ax=None, title: str | None = None):
    """Draw one step of an LSTM as a data-flow diagram.

    Along the top runs the cell state: ``c_{t-1}`` is multiplied by the forget gate ``f_t``
    and the input gate times the candidate, ``i_t * c~_t``, is added, giving ``c_t``. Below,
    ``x_t`` and ``h_{t-1}`` feed the four blocks (three sigmoid gates and the tanh
    candidate); on the right, ``h_t = o_t * tanh(c_t)``. The blocks are coloured with
    ``LSTM_GATE_COLORS``, so the diagram matches the lessons' gate plots.
    """
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5.2))
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
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_stacked_rnn(layers: int = 2, steps: int = 4, last_sequence: bool = False,
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
    if ax is None:
        _, ax = plt.subplots(figsize=(1.5 * steps + 5.5, 1.15 * (layers + 2) + 0.6))
    arrow = dict(arrowstyle="-|>", color="black", lw=1.2, shrinkA=13, shrinkB=13)
    faded_arrow = {**arrow, "color": "#b0b0b0"}
    node = dict(ha="center", va="center", fontsize=12, zorder=3)
    colors = ["#fde9d9", "#fdd0a2", "#fdae6b", "#fd8d3c"]

    def box(x, y, text, color, faded=False):
        ax.text(x, y, text, color="#a0a0a0" if faded else "black",
                bbox=dict(boxstyle="round,pad=0.4", fc="#f4f4f4" if faded else color,
                          ec="#b0b0b0" if faded else "black"), **node)

    def name(t):
        return "T" if t == steps and steps > 3 else str(t)

    for t in range(1, steps + 1):
        box(t, 0, rf"$x_{{{name(t)}}}$", "#dceefb")
    for layer in range(1, layers + 1):
        top = layer == layers
        color = colors[(layer - 1) % len(colors)]
        for t in range(1, steps + 1):
            faded = top and not last_sequence and t < steps
            box(t, layer, rf"$h^{{({layer})}}_{{{name(t)}}}$", color, faded=faded)
            ax.annotate("", (t, layer), (t, layer - 1), arrowprops=arrow)
            if t > 1:
                ax.annotate("", (t, layer), (t - 1, layer),
                            arrowprops=faded_arrow if faded and t - 1 < steps else arrow)
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
            box(t, head_y, rf"$\hat y_{{{name(t)}}}$", "#e5f5e0")
            ax.annotate("", (t, head_y), (t, layers), arrowprops=arrow)
        head_text = "Dense at every step\n(batch, T, outputs)"
    else:
        box(steps, head_y, r"Dense $\to \hat y$", "#e5f5e0")
        ax.annotate("", (steps, head_y), (steps, layers), arrowprops=arrow)
        head_text = "head\n(batch, outputs)"
    ax.text(steps + 0.55, head_y, head_text, ha="left", va="center", fontsize=10)
    ax.set_xlim(0.4, steps + 3.6)
    ax.set_ylim(-0.5, head_y + 0.5)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_bidirectional_rnn(steps: int = 4, ax=None, title: str | None = None):
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
    if ax is None:
        _, ax = plt.subplots(figsize=(1.75 * steps + 3.8, 4.2))
    forward_color, backward_color = TRAIN_COLOR, PREDICTION_COLOR
    rows = {"x": 0.0, "f": 1.0, "b": 2.0, "y": 3.1}
    spacing, offset = 1.6, 0.36
    node = dict(ha="center", va="center", fontsize=12, zorder=3)

    def arrow(start, end, color="black", lw=1.2):
        ax.annotate("", end, start, arrowprops=dict(arrowstyle="-|>", color=color, lw=lw,
                                                    shrinkA=13, shrinkB=13))

    def box(x, y, text, fc, ec="black"):
        ax.text(x, y, text, bbox=dict(boxstyle="round,pad=0.4", fc=fc, ec=ec), **node)

    def name(t):
        return "T" if t == steps and steps > 3 else str(t)

    def fpos(t):
        return spacing * t - offset

    def bpos(t):
        return spacing * t + offset

    end = "T+1" if steps > 3 else str(steps + 1)
    box(fpos(0), rows["f"], r"$\vec h_0 = 0$", "#e8e8e8", forward_color)
    box(bpos(steps + 1), rows["b"], rf"$\overleftarrow{{h}}_{{{end}}} = 0$", "#e8e8e8",
        backward_color)
    for t in range(1, steps + 1):
        box(spacing * t, rows["x"], rf"$x_{{{name(t)}}}$", "#dceefb")
        box(fpos(t), rows["f"], rf"$\vec h_{{{name(t)}}}$", "#deebf7", forward_color)
        box(bpos(t), rows["b"], rf"$\overleftarrow{{h}}_{{{name(t)}}}$", "#fde0dd",
            backward_color)
        box(spacing * t, rows["y"], rf"$y_{{{name(t)}}}$", "#e5f5e0")
        arrow((spacing * t, rows["x"]), (fpos(t), rows["f"]), forward_color)
        arrow((spacing * t, rows["x"]), (bpos(t), rows["b"]), backward_color)
        arrow((fpos(t - 1), rows["f"]), (fpos(t), rows["f"]), forward_color, lw=1.7)
        arrow((bpos(t + 1), rows["b"]), (bpos(t), rows["b"]), backward_color, lw=1.7)
        arrow((fpos(t), rows["f"]), (spacing * t, rows["y"]), forward_color)
        arrow((bpos(t), rows["b"]), (spacing * t, rows["y"]), backward_color)
    if steps > 3:
        ax.text(spacing * (steps - 0.5), rows["x"], r"$\cdots$", ha="center", va="center",
                fontsize=13)
    ax.text(spacing * (steps + 0.55), rows["y"],
            r"$y_t = [\,\vec h_t\,;\ \overleftarrow{h}_t\,]$", ha="left", va="center",
            fontsize=12)
    ax.text(fpos(0), rows["f"] + 0.5, "forward layer:\nreads left to right", ha="center",
            va="center", color=forward_color, fontsize=10)
    ax.text(bpos(steps + 1), rows["b"] + 0.55, "backward layer:\nreads right to left",
            ha="center", va="center", color=backward_color, fontsize=10)
    ax.set_xlim(fpos(0) - 0.8, bpos(steps + 1) + 0.9)
    ax.set_ylim(-0.45, rows["y"] + 0.45)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_sequence_tags(values, tags, predictions: Mapping[str, np.ndarray] | None = None,
                       ax=None, title: str | None = None, tag_label: str = "tagged"):
    """Plot one sequence with its true per-step tags and, below it, the tags of some models.

    The sequence is drawn as a line with a dot per step; steps whose true tag is 1 are
    circled. Under the plot, one strip per entry of ``predictions`` (``{"model": tags}``)
    shows a filled square where that model tags the step, and marks its mistakes with a
    red cross. Tags are 0/1 (or probabilities, cut at 0.5).
    """
    ax = _axes(ax)
    values = np.asarray(values, dtype=np.float64).ravel()
    tags = np.asarray(tags).ravel() > 0.5
    if len(tags) != len(values):
        raise ValueError(f"tags has {len(tags)} entries but values has {len(values)}")
    predictions = dict(predictions or {})
    t = np.arange(1, len(values) + 1)
    ax.plot(t, values, color=TRAIN_COLOR, marker="o", markersize=4, label="sequence")
    ax.scatter(t[tags], values[tags], s=160, facecolors="none", edgecolors="black",
               linewidths=1.5, zorder=3, label=f"{tag_label} (truth)")
    low, high = float(values.min()), float(values.max())
    span = max(high - low, 1e-9)
    gap = 0.4 * span
    for row, (label, predicted) in enumerate(predictions.items(), start=1):
        predicted = np.asarray(predicted).ravel() > 0.5
        if len(predicted) != len(values):
            raise ValueError(f"{label!r} has {len(predicted)} tags but values has {len(values)}")
        y = low - row * gap
        ax.scatter(t, np.full(len(t), y), marker="s", s=70,
                   c=np.where(predicted, "#555555", "white"), edgecolors="#555555", zorder=3)
        wrong = predicted != tags
        ax.scatter(t[wrong], np.full(int(wrong.sum()), y), marker="x", s=120,
                   color=PREDICTION_COLOR, linewidths=2, zorder=4)
        ax.text(0.6, y + 0.42 * gap, f"{label}: {int(wrong.sum())} wrong", ha="left",
                va="center", fontsize=9)
    ax.set_ylim(low - (len(predictions) + 0.5) * gap, high + 0.45 * span)
    ax.set_xlim(0.3, len(values) + 0.7)
    if predictions:  # value ticks only where the values are, not beside the strips
        ticks = ax.get_yticks()
        ax.set_yticks(ticks[(ticks >= low - 1e-9) & (ticks <= high + 1e-9)])
    ax.set_xticks(t[:: max(1, len(t) // 10)])
    ax.set_xlabel("time step")
    ax.legend(loc="upper right", ncol=2, fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def plot_attention(weights, input_tokens: Sequence[str], output_tokens: Sequence[str],
                   ax=None, expected: Sequence[int | None] | None = None,
                   title: str | None = None, colorbar: bool = True,
                   xlabel: str = "input (keys)", ylabel: str = "output (queries)"):
    """Draw attention weights as a heatmap, with the tokens on its axes.

    Row ``i`` shows where output step ``i`` looks: ``weights[i, j]`` is the weight it gives
    to input step ``j`` (a row of attention weights sums to 1). Darker is more weight.

    Args:
        weights: array of shape ``(Tq, Tk)`` = (output steps, input steps), values in [0, 1].
        input_tokens: ``Tk`` labels for the columns (a string labels one character each).
        output_tokens: ``Tq`` labels for the rows.
        expected: optional, for every output step the input position it *should* attend
            to (``None`` for "no expectation"); those cells are outlined in red.
        colorbar: draw a colour bar labelled "attention weight".
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2:
        raise ValueError(f"weights must have shape (Tq, Tk), got {weights.shape}")
    input_tokens, output_tokens = list(input_tokens), list(output_tokens)
    n_out, n_in = weights.shape
    if len(input_tokens) != n_in:
        raise ValueError(f"{len(input_tokens)} input tokens for {n_in} columns of weights")
    if len(output_tokens) != n_out:
        raise ValueError(f"{len(output_tokens)} output tokens for {n_out} rows of weights")
    if ax is None:
        size = min(9.0, 2.0 + 0.42 * max(n_in, n_out))
        _, ax = plt.subplots(figsize=(size + (1.2 if colorbar else 0.0), size))
    image = ax.imshow(weights, cmap="Blues", vmin=0.0, vmax=1.0, aspect="equal")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
    ax.set_xticks(np.arange(n_in), [str(t) for t in input_tokens])
    ax.set_yticks(np.arange(n_out), [str(t) for t in output_tokens])
    ax.tick_params(length=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if expected is not None:
        expected = list(expected)
        if len(expected) != n_out:
            raise ValueError(f"expected has {len(expected)} entries for {n_out} output steps")
        for i, j in enumerate(expected):
            if j is None:
                continue
            if not 0 <= int(j) < n_in:
                raise ValueError(f"expected[{i}] = {j} is not an input position (0..{n_in - 1})")
            ax.add_patch(plt.Rectangle((int(j) - 0.5, i - 0.5), 1, 1, fill=False,
                                       edgecolor=PREDICTION_COLOR, linewidth=1.8))
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="attention weight")
    if title:
        ax.set_title(title)
    return ax


def plot_anomalies(series, true_mask=None, detected_mask=None, start: int = 0, ax=None,
                   title: str | None = None):
    """Plot a series with its true anomalies (circles) and the detected ones (crosses).

    A circle with a cross is a hit, a circle alone an anomaly the detector missed, a cross
    alone a false alarm. The legend counts each.

    Args:
        series: the values, shape ``(n,)``.
        true_mask, detected_mask: boolean arrays of the same length (either may be None).
        start: the time step of ``series[0]``, so the x axis matches the whole series.
    """
    ax = _axes(ax)
    series = np.asarray(series, dtype=np.float64).ravel()
    t = np.arange(start, start + len(series))
    ax.plot(t, series, color=TRAIN_COLOR, linewidth=0.8, alpha=0.8, label="series")
    masks = {}
    for name, mask in (("true", true_mask), ("detected", detected_mask)):
        if mask is not None:
            mask = np.asarray(mask).ravel()
            if mask.shape != series.shape:
                raise ValueError(
                    f"the {name} mask has {mask.size} values, the series {series.size}"
                )
            masks[name] = mask.astype(bool)
    if "true" in masks:
        true = masks["true"]
        label = f"true anomaly ({true.sum()}"
        if "detected" in masks:
            label += f", {(true & masks['detected']).sum()} found"
        ax.scatter(t[true], series[true], s=90, facecolors="none", edgecolors=BASELINE_COLOR,
                   linewidths=1.8, zorder=3, label=label + ")")
    if "detected" in masks:
        found = masks["detected"]
        false_alarms = found & ~masks["true"] if "true" in masks else found
        ax.scatter(t[found], series[found], s=45, marker="x", color=PREDICTION_COLOR,
                   linewidths=1.8, zorder=4,
                   label=f"detected ({found.sum()}, {false_alarms.sum()} false alarms)")
    ax.set_xlabel("time step")
    ax.legend(loc="lower left", fontsize=9, frameon=True, framealpha=0.85, edgecolor="none")
    if title:
        ax.set_title(title)
    return ax


def plot_text_samples(samples: Mapping[str, str], width: int = 44, max_lines: int = 16,
                      fontsize: float = 8.0, title: str | None = None):
    """Show several pieces of text side by side, one column each, in a monospaced font.

    Made for generated text: ``{"T = 0.5": "...", "T = 1.0": "..."}``. Lines longer than
    ``width`` characters are wrapped (a ``\\`` ends each wrapped piece) and each column
    shows at most ``max_lines`` lines. The text is drawn as it is: no ``$...$`` maths.

    Returns:
        The figure's list of Axes, one per sample.
    """
    if not samples:
        raise ValueError("samples is empty: pass at least one text")
    if width < 2 or max_lines < 1:
        raise ValueError("width must be at least 2 and max_lines at least 1")
    columns = {}
    for label, text in samples.items():
        lines = []
        for line in str(text).split("\n"):
            while len(line) > width:
                lines.append(line[: width - 1] + "\\")
                line = line[width - 1:]
            lines.append(line)
        columns[label] = lines[:max_lines]
    n_lines = max(len(lines) for lines in columns.values())
    column_width = width * fontsize * 0.62 / 72 + 0.3  # inches: a monospaced glyph is ~0.6 em
    fig, axes = plt.subplots(1, len(columns), squeeze=False,
                             figsize=(column_width * len(columns), 0.135 * n_lines + 0.9))
    for ax, (label, lines) in zip(axes[0], columns.items(), strict=True):
        ax.text(0.0, 1.0, "\n".join(lines), family="monospace", fontsize=fontsize, va="top",
                ha="left", transform=ax.transAxes, parse_math=False)
        ax.set_title(label, fontsize=11, loc="left")
        ax.set_axis_off()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return list(axes[0])
