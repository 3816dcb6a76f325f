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
