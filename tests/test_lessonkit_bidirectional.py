"""Unit tests for the lessonkit helpers added for lesson 06 (deep and bidirectional RNNs)."""

from __future__ import annotations

import numpy as np
import pytest

from lessonkit import data, plots

# --- data.peak_tagging -------------------------------------------------------------------


def test_peak_tagging_shapes_dtypes_and_range():
    X, y = data.peak_tagging(n_samples=7, length=12, seed=1)
    assert X.shape == (7, 12, 1) and X.dtype == np.float32
    assert y.shape == (7, 12) and y.dtype == np.float32
    assert np.all(np.abs(X) <= 1)
    assert set(np.unique(y)) <= {0.0, 1.0}


def test_peak_tagging_labels_are_local_maxima_with_lower_ends():
    X, y = data.peak_tagging(n_samples=50, length=9, seed=2)
    x = X[..., 0]
    for i in range(len(x)):
        for t in range(9):
            left = x[i, t - 1] if t > 0 else -np.inf
            right = x[i, t + 1] if t < 8 else -np.inf
            assert y[i, t] == float(x[i, t] > left and x[i, t] > right)




def test_peak_tagging_one_direction_limit_is_seven_eighths():
    # The docstring's claim: the best rule that sees x_1..x_t only tags 7/8 of the steps.
    X, y = data.peak_tagging(20000, 20, seed=5)
    x = X[..., 0]
    previous = np.concatenate([np.full((len(x), 1), -np.inf), x[:, :-1]], axis=1)
    tags = (x > previous) & (x > 0)
    tags[:, -1] = x[:, -1] > previous[:, -1]
    assert abs(np.mean(tags == (y > 0.5)) - 7 / 8) < 0.005
    assert abs(y.mean() - 0.35) < 0.01  # 1/3 of the 18 interior steps, 1/2 of the 2 ends


def test_peak_tagging_rejects_too_short_sequences():
    with pytest.raises(ValueError, match="length"):
        data.peak_tagging(3, 1)


# --- data.random_walks -------------------------------------------------------------------


def test_random_walks_shape_start_and_steps():
    walks = data.random_walks(n_samples=400, length=30, step_std=0.5, seed=1)
    assert walks.shape == (400, 30) and walks.dtype == np.float32
    np.testing.assert_array_equal(walks[:, 0], 0.0)
    steps = np.diff(walks, axis=1)
    assert abs(steps.std() - 0.5) < 0.02
    assert abs(steps.mean()) < 0.02


def test_random_walks_validates_its_arguments():
    with pytest.raises(ValueError, match="length"):
        data.random_walks(3, 1)
    with pytest.raises(ValueError, match="step_std"):
        data.random_walks(3, 5, step_std=0.0)


# --- plots -------------------------------------------------------------------------------


def test_plot_sequence_tags_counts_the_mistakes_of_each_model():
    values = np.array([0.1, 0.5, -0.2, 0.3, 0.0])
    truth = np.array([0, 1, 0, 1, 0])
    ax = plots.plot_sequence_tags(values, truth, {"a": [0, 1, 0, 1, 0], "b": [1, 0.9, 0, 0.2, 0]},
                                  title="tags")
    texts = [t.get_text() for t in ax.texts]
    assert "a: 0 wrong" in texts and "b: 2 wrong" in texts
    assert ax.get_title() == "tags"
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), values)


def test_plot_sequence_tags_checks_lengths():
    with pytest.raises(ValueError, match="tags"):
        plots.plot_sequence_tags([1, 2, 3], [0, 1])
    with pytest.raises(ValueError, match="'m'"):
        plots.plot_sequence_tags([1, 2, 3], [0, 1, 0], {"m": [1, 0]})
