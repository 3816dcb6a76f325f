"""Alt text for every figure a lesson shows, written where the figure is made.

A reader who cannot see a plot (a screen reader, the course website read aloud) gets a
sentence per picture. The plots of ``lessonkit.plots`` and the diagrams of
``lessonkit.diagrams`` say what they draw with ``describe(ax, ...)``; any other Axes is
described from what it holds: its title, axis labels, kinds of marks and legend.

``lessonkit.setup()`` makes the notebook carry that text: each figure is still sent as an
``image/png`` output, now with the metadata ``{"image/png": {"alt": "..."}}``, which
the course website (site/) turns into the ``alt`` attribute of the image.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.container import BarContainer
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

_ATTRIBUTE = "_lessonkit_alt_text"


def describe(ax: Axes, text: str) -> Axes:
    """Say in words what ``ax`` shows; it becomes (part of) its figure's alt text."""
    setattr(ax, _ATTRIBUTE, " ".join(text.split()))
    return ax


def _kinds(ax: Axes) -> list[str]:
    """The kinds of marks on an Axes, in words ("line chart", "bar chart", ...)."""
    kinds = []
    if any(isinstance(c, BarContainer) for c in ax.containers):
        kinds.append("bar chart")
    if [line for line in ax.get_lines() if len(line.get_xdata()) > 2]:
        kinds.append("line chart")
    if any(isinstance(c, PathCollection) for c in ax.collections):
        kinds.append("scatter plot")
    if any(isinstance(c, (ContourSet, PolyCollection)) for c in ax.collections):
        kinds.append("shaded regions")
    if ax.images:
        kinds.append("heatmap")
    return kinds


def describe_from_content(ax: Axes) -> str:
    """A sentence about an Axes nobody described: title, axes, marks and legend."""
    title = ax.get_title() or ax.get_title("left") or ax.get_title("right")
    kinds = _kinds(ax)
    sentence = f"{' and '.join(kinds) if kinds else 'a chart'}"
    if title:
        sentence = f"{title}: {sentence}"
    y, x = ax.get_ylabel(), ax.get_xlabel()
    if y and x:
        sentence += f" of {y} against {x}"
    elif x or y:
        sentence += f" over {x or y}"
    if ax.get_yscale() == "log" and "log" not in y:
        sentence += " (logarithmic scale)"
    legend = ax.get_legend()
    if legend is not None:
        labels = [t.get_text() for t in legend.get_texts() if t.get_text()]
        if labels:
            sentence += "; legend: " + ", ".join(labels)
    return sentence


def _is_colorbar(ax: Axes) -> bool:
    return ax.get_label() == "<colorbar>"


def figure_alt_text(fig: Figure) -> str:
    """The alt text of a whole figure: its title, then each panel's description."""
    panels = [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax)]
    texts = []
    for ax in panels:
        text = getattr(ax, _ATTRIBUTE, None) or describe_from_content(ax)
        if not (ax.get_title() and text.startswith(ax.get_title())):  # keep titles as set
            text = text[:1].upper() + text[1:]
        texts.append(text)
    if len(texts) > 1:
        texts = [f"Panel {i} of {len(texts)}: {t}" for i, t in enumerate(texts, start=1)]
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    parts = [suptitle] if suptitle else []
    parts += [t for t in texts if t]
    return ". ".join(p.rstrip(".") for p in parts) + "." if parts else "An empty figure."


def show_alt_text_in_outputs() -> bool:
    """Send every figure's alt text with its PNG, in the output's metadata (in IPython).

    Wraps the PNG formatter that matplotlib's inline backend registered for figures, so
    the picture is the same as before. Returns False outside IPython or without a PNG
    formatter for figures (nothing changes then).
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    import matplotlib
    import matplotlib.pyplot as plt

    # Load the backend now (matplotlib loads it at the first figure): Jupyter's inline
    # backend registers its PNG formatter for figures when it is loaded.
    plt.switch_backend(matplotlib.get_backend())
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        draw = formatter.lookup_by_type(Figure)
    except KeyError:
        return False
    if getattr(draw, "adds_alt_text", False):
        return True

    def png_with_alt_text(fig: Figure):
        data = draw(fig)
        return None if data is None else (data, {"alt": figure_alt_text(fig)})

    png_with_alt_text.adds_alt_text = True
    formatter.for_type(Figure, png_with_alt_text)
    return True
