"""Unit tests for the lessonkit helpers added for lesson 05 (gated recurrent units)."""

from __future__ import annotations

import numpy as np
import pytest

from lessonkit import plots


def test_plot_model_comparison_one_line_per_model_in_setting_order():
    results = {"GRU": {50: 0.03, 10: 0.01, 25: 0.02}, "LSTM": {10: 0.5, 25: 0.9}}
    ax = plots.plot_model_comparison(results, baseline=1.0, title="race")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"GRU", "LSTM", "baseline"}
    np.testing.assert_array_equal(lines["GRU"].get_xdata(), [10, 25, 50])
    np.testing.assert_allclose(lines["GRU"].get_ydata(), [0.01, 0.02, 0.03])
    np.testing.assert_allclose(lines["baseline"].get_ydata(), [1.0, 1.0])
    assert ax.get_yscale() == "log"
    assert list(ax.get_xticks()) == [10, 25, 50]
    assert ax.get_title() == "race"


def test_plot_model_comparison_options():
    ax = plots.plot_model_comparison({"a": {1: -1.0, 2: 3.0}}, baseline=None, log=False,
                                     xlabel="epochs", ylabel="score")
    assert [line.get_label() for line in ax.get_lines()] == ["a"]
    assert ax.get_yscale() == "linear"
    assert ax.get_xlabel() == "epochs" and ax.get_ylabel() == "score"


@pytest.mark.parametrize("results", [{}, {"GRU": {}}])
def test_plot_model_comparison_rejects_empty_results(results):
    with pytest.raises(ValueError):
        plots.plot_model_comparison(results)
