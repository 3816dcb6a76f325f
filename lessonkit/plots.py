"""Pictures a learner would rather look at than read: data, forecasts, training, results.

Every function draws on the given ``ax`` (or a new figure) and returns the Axes, so a
lesson can add to the picture. End the notebook line with ``;`` to keep Jupyter from
printing the returned object. The diagrams of the networks themselves are in
``lessonkit.diagrams``. Each function also says in words what it drew (the figure's
alt text, ``lessonkit.alt_text``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from lessonkit.alt_text import describe

TRAIN_COLOR = "#1f77b4"
TEST_COLOR = "#7f7f7f"
PREDICTION_COLOR = "#d62728"
BASELINE_COLOR = "#ff7f0e"
# The colours of the LSTM's input gate, forget gate, candidate and output gate, in every
# plot and in lessonkit.diagrams.draw_lstm_cell.
LSTM_GATE_COLORS = {"i": "#2ca02c", "f": "#d62728", "c": "#9467bd", "o": "#1f77b4"}


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
    parts = f" at time steps 0 to {split - 1}, the test part after" if split else ""
    describe(ax, f"{title + ': ' if title else ''}line plot of {label if split is None else 'a'}"
                 f" series of {len(series)} values, from {series.min():.3g} to "
                 f"{series.max():.3g}{'; the training part' + parts if split else ''}")
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
    after = " after the history before them" if history is not None else ""
    describe(ax, f"{title + ': ' if title else ''}the true values at time steps {start} to "
                 f"{start + len(truth) - 1}{after}, with the forecast of "
                 f"{', '.join(predictions)} as lines over them")
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
    describe(ax, f"{title + ': ' if title else ''}{len(y)} points of two classes in the plane "
                 f"({int((y == 0).sum())} of class 0 in blue, {int((y == 1).sum())} of class 1 "
                 "in red); the background is shaded red where the model says class 1 and "
                 "blue where it says class 0, with the boundary at probability 0.5 drawn as a "
                 "black line")
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
    mistakes = "; ".join(f"{label} tags {int(((np.asarray(p).ravel() > 0.5) != tags).sum())} "
                         "steps wrongly" for label, p in predictions.items())
    describe(ax, f"{title + ': ' if title else ''}a sequence of {len(values)} values with the "
                 f"{int(tags.sum())} {tag_label} steps circled"
                 + (f"; below it, the tags of each model: {mistakes}" if mistakes else ""))
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
    strongest = ", ".join(f"{output_tokens[i]} looks at {input_tokens[int(j)]}"
                          for i, j in enumerate(weights.argmax(axis=1)))
    describe(ax, f"{title + ': ' if title else ''}heatmap of attention weights, {n_out} "
                 f"{ylabel} by {n_in} {xlabel}, darker is more weight; where each row looks "
                 f"most: {strongest}"
                 + ("; the expected positions are outlined in red" if expected else ""))
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
    marks = "; ".join(t.get_text() for t in ax.get_legend().get_texts()[1:])
    describe(ax, f"{title + ': ' if title else ''}a series of {len(series)} values at time "
                 f"steps {start} to {start + len(series) - 1}"
                 + (f", with true anomalies circled and detected ones crossed: {marks}"
                    if marks else ""))
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
        describe(ax, f"text {label}: " + " / ".join(line for line in lines if line.strip()))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return list(axes[0])
