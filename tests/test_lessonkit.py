"""Unit tests for lessonkit's core: start-up, data, checks, plots."""

from __future__ import annotations

import os
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lessonkit
from lessonkit import checks, data, plots


def test_import_then_tensorflow_prints_nothing_to_stderr():
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    code = "import lessonkit; lessonkit.setup(seed=1); import tensorflow as tf; tf.constant(1.0)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_setup_makes_keras_repeatable():
    import keras

    def draw():
        lessonkit.setup(seed=3)
        layer = keras.layers.Dense(4)
        layer.build((None, 2))
        return np.random.rand(3), layer.get_weights()[0]

    a, wa = draw()
    b, wb = draw()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(wa, wb)


def test_sine_wave_shape_noise_and_seed():
    clean = data.sine_wave(500)
    assert clean.shape == (500,) and np.abs(clean).max() <= 1.0
    assert clean[0] == 0.0
    np.testing.assert_allclose(clean[:10], np.sin(0.1 * np.arange(10)), atol=1e-12)
    noisy = data.sine_wave(500, noise=0.1, seed=4)
    assert 0.07 < np.std(noisy - clean) < 0.13
    with pytest.raises(ValueError):
        data.sine_wave(0)


def _arrays(result) -> list[np.ndarray]:
    parts = result if isinstance(result, tuple) else (result,)
    return [np.asarray(part) for part in parts]


@pytest.mark.parametrize("make", [
    lambda seed: data.sine_wave(200, noise=0.1, seed=seed),
    lambda seed: data.two_moons(50, seed=seed),
    lambda seed: data.xor_blobs(50, seed=seed),
    lambda seed: data.adding_problem(20, length=8, seed=seed),
    lambda seed: data.random_sines(5, 10, seed=seed),
    lambda seed: data.peak_tagging(5, 10, seed=seed),
    lambda seed: data.random_walks(3, 5, seed=seed),
    lambda seed: data.reversal_task(20, 6, seed=seed),
    lambda seed: data.series_with_anomalies(300, seed=seed),
], ids=["sine_wave", "two_moons", "xor_blobs", "adding_problem", "random_sines",
        "peak_tagging", "random_walks", "reversal_task", "series_with_anomalies"])
def test_every_generator_is_repeatable_and_follows_its_seed(make):
    first, again, other = _arrays(make(3)), _arrays(make(3)), _arrays(make(4))
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, c) for a, c in zip(first, other, strict=True)), (
        "the seed is ignored")


@pytest.mark.parametrize("make", [data.two_moons, data.xor_blobs])
def test_classification_sets(make):
    X, y = make(300, seed=2)
    assert X.shape == (300, 2) and y.shape == (300,)
    assert set(np.unique(y)) == {0, 1}
    assert abs(y.mean() - 0.5) < 0.1


def test_xor_labels_follow_the_quadrants():
    X, y = data.xor_blobs(400, noise=0.05, seed=0)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int))


def test_adding_problem():
    X, y = data.adding_problem(2000, length=20, seed=1)
    assert X.shape == (2000, 20, 2) and y.shape == (2000,) and X.dtype == np.float32
    markers = X[:, :, 1]
    np.testing.assert_array_equal(markers.sum(axis=1), 2)
    assert (markers[:, :10].sum(axis=1) == 1).all()
    np.testing.assert_allclose((X[:, :, 0] * markers).sum(axis=1), y, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.03 and abs(y.var() - 1 / 6) < 0.02


def test_check_shape_names_the_axis():
    checks.check_shape(np.zeros((2, 3)), (2, None))
    with pytest.raises(AssertionError, match=r"axis 2 \(units\) is 5 but should be 50"):
        checks.check_shape(np.zeros((32, 10, 5)), (32, 10, 50), names=("batch", "time", "units"))
    with pytest.raises(AssertionError, match="has 2 axes where 3 were expected"):
        checks.check_shape(np.zeros((32, 50)), (32, 10, 50))
    with pytest.raises(AssertionError, match="forget a `return`"):
        checks.check_shape(None, (1,))


def test_check_close_reports_the_worst_entry():
    checks.check_close(np.float32([1, 2, 3]) + 1e-6, [1, 2, 3])
    with pytest.raises(AssertionError, match=r"off in 1 of 3 entries.*index \(2,\)"):
        checks.check_close([1.0, 2.0, 4.0], [1.0, 2.0, 3.0])
    with pytest.raises(AssertionError, match="NaN or infinite"):
        checks.check_close([1.0, np.inf], [1.0, 2.0])
    with pytest.raises(AssertionError, match="wrong shape"):
        checks.check_close(np.zeros((2, 3)), np.zeros((3, 2)))


def test_check_scalar_and_unchanged():
    checks.check_scalar(np.float32(0.5), 0.5)
    with pytest.raises(AssertionError, match="single number"):
        checks.check_scalar(np.ones(3), 1.0)
    before = {"W": np.ones(2)}
    after = {"W": np.ones(2)}
    checks.check_unchanged(before, after)
    after["W"][0] = 0
    with pytest.raises(AssertionError, match=r"\['W'\] was changed in place"):
        checks.check_unchanged(before, after)


def test_plots_draw_what_they_are_given():
    plots.use_course_style()
    series = data.sine_wave(200)
    ax = plots.plot_series(series, split=150)
    assert len(ax.lines) == 3  # train, test, boundary
    ax = plots.plot_forecast(series[150:170], {"model": series[150:170], "naive": series[149:169]},
                             start=150, history=series[100:150])
    assert len(ax.get_legend().get_texts()) == 4
    with pytest.raises(ValueError, match="has 3 values"):
        plots.plot_forecast(series[:5], np.zeros(3))
    ax = plots.plot_history({"loss": [1.0, 0.5, 0.2], "val_loss": [1.1, 0.6, 0.3]})
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    X, y = data.two_moons(50)
    ax = plots.plot_decision_boundary(lambda g: (g[:, 0] > 0.5).astype(float), X, y,
                                      resolution=20)
    assert len(ax.collections) >= 2
    ax = plots.plot_functions({"tanh": np.tanh}, x_range=(-2, 2))
    assert ax.lines[0].get_xdata()[0] == -2
    plt.close("all")
