"""Unit tests for the lessonkit helpers added for lesson 07 (attention)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lessonkit import data, plots

# --- data.reversal_task ------------------------------------------------------------------


def test_reversal_task_shapes_dtypes_and_range():
    inputs, targets = data.reversal_task(n_samples=9, length=7, vocab_size=5, seed=1)
    assert inputs.shape == targets.shape == (9, 7)
    assert inputs.dtype == targets.dtype == np.int64
    assert inputs.min() >= 0 and inputs.max() <= 4


def test_reversal_task_targets_are_the_inputs_backwards():
    inputs, targets = data.reversal_task(50, 12, seed=2)
    for i in range(12):
        np.testing.assert_array_equal(targets[:, i], inputs[:, 11 - i])
    assert not np.shares_memory(inputs, targets)  # a copy, not a view of the inputs




def test_reversal_task_tokens_are_roughly_uniform():
    inputs, _ = data.reversal_task(2000, 10, vocab_size=10, seed=5)
    counts = np.bincount(inputs.ravel(), minlength=10) / inputs.size
    np.testing.assert_allclose(counts, 0.1, atol=0.01)


@pytest.mark.parametrize("kwargs", [{"n_samples": 0}, {"length": 0}, {"vocab_size": 1}])
def test_reversal_task_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        data.reversal_task(**kwargs)


# --- plots.plot_attention ----------------------------------------------------------------


def test_plot_attention_labels_the_axes_with_the_tokens():
    weights = np.full((3, 4), 0.25)
    ax = plots.plot_attention(weights, "abcd", ["x", "y", "z"], title="attention")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y", "z"]
    assert ax.get_title() == "attention"
    image = ax.get_images()[0]
    np.testing.assert_allclose(image.get_array(), weights)
    assert image.get_clim() == (0.0, 1.0)
    assert len(ax.figure.axes) == 2  # the heatmap and its colour bar


def test_plot_attention_outlines_the_expected_cells():
    weights = np.eye(3)[::-1]
    ax = plots.plot_attention(weights, "abc", "cba", expected=[2, None, 0], colorbar=False)
    corners = sorted(tuple(np.round(p.get_xy(), 2)) for p in ax.patches)
    assert corners == [(-0.5, 1.5), (1.5, -0.5)]
    assert len(ax.figure.axes) == 1


def test_plot_attention_uses_the_given_axes():
    _, ax = plt.subplots()
    assert plots.plot_attention(np.ones((1, 1)), ["a"], ["b"], ax=ax, colorbar=False) is ax


@pytest.mark.parametrize(
    "weights, inputs, outputs, expected",
    [
        (np.ones(3), "abc", "a", None),  # not 2-D
        (np.ones((2, 3)), "ab", "ab", None),  # too few input tokens
        (np.ones((2, 3)), "abc", "abc", None),  # too many output tokens
        (np.ones((2, 3)), "abc", "ab", [0]),  # expected too short
        (np.ones((2, 3)), "abc", "ab", [0, 3]),  # not an input position
    ],
)
def test_plot_attention_rejects_mismatched_arguments(weights, inputs, outputs, expected):
    with pytest.raises(ValueError):
        plots.plot_attention(weights, inputs, outputs, expected=expected)
