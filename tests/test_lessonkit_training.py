"""Unit tests for the lessonkit helpers added for lesson 03 (training recurrent networks)."""

from __future__ import annotations

import numpy as np
import pytest

from lessonkit import data, plots

# --- data.random_sines -------------------------------------------------------------------


def test_random_sines_shapes_and_dtypes():
    X, y = data.random_sines(n_samples=7, length=12, seed=1)
    assert X.shape == (7, 12, 1) and X.dtype == np.float32
    assert y.shape == (7,) and y.dtype == np.float32
    assert np.all(np.abs(X) <= 1) and np.all(np.abs(y) <= 1)




def test_random_sines_target_continues_each_wave():
    X, y = data.random_sines(50, 15, freq_range=(0.2, 0.2), seed=0)
    waves = np.concatenate([X[:, :, 0], y[:, None]], axis=1).astype(np.float64)
    # A sine of angular frequency f satisfies s[t+1] = 2 cos(f) s[t] - s[t-1].
    predicted = 2 * np.cos(0.2) * waves[:, 1:-1] - waves[:, :-2]
    np.testing.assert_allclose(predicted, waves[:, 2:], atol=1e-5)


def test_random_sines_frequencies_stay_in_range():
    X, _ = data.random_sines(200, 30, freq_range=(0.1, 0.3), seed=2)
    s = X[:, :, 0].astype(np.float64)
    ratio = (s[:, 2:] + s[:, :-2]) / 2
    # 2 cos(f) s[t] = s[t+1] + s[t-1]; estimate cos(f) where s[t] is far from zero.
    mask = np.abs(s[:, 1:-1]) > 0.5
    cos_f = ratio[mask] / s[:, 1:-1][mask]
    assert np.all(cos_f <= np.cos(0.1) + 1e-4) and np.all(cos_f >= np.cos(0.3) - 1e-4)


@pytest.mark.parametrize("kwargs", [{"length": 0}, {"freq_range": (0.0, 0.3)},
                                    {"freq_range": (0.3, 0.1)}])
def test_random_sines_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        data.random_sines(4, **{"length": 5, **kwargs})


# --- plots.plot_gradient_norms -----------------------------------------------------------


def test_plot_gradient_norms_one_line_per_curve_on_a_log_axis():
    norms = {"a": 0.5 ** np.arange(1, 21), "b": 1.5 ** np.arange(1, 11)}
    ax = plots.plot_gradient_norms(norms, title="norms")
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    x, y = ax.get_lines()[1].get_data()
    np.testing.assert_array_equal(x, np.arange(1, 11))
    np.testing.assert_allclose(y, norms["b"])
    assert ax.get_title() == "norms"


def test_plot_gradient_norms_leaves_out_zeros_and_overflow():
    ax = plots.plot_gradient_norms({"c": np.array([1.0, 0.0, np.inf, np.nan, 2.0])})
    _, y = ax.get_lines()[0].get_data()
    assert np.isnan(y[1:4]).all() and y[0] == 1.0 and y[4] == 2.0


def test_plot_gradient_norms_needs_a_curve():
    with pytest.raises(ValueError):
        plots.plot_gradient_norms({})
