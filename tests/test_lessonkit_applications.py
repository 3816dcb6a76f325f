"""Unit tests for the lessonkit helpers added for lesson 08 (applications)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from lessonkit import data, plots

# --- python_source_corpus ------------------------------------------------------------


def test_python_source_corpus_is_the_start_of_the_first_module():
    text = data.python_source_corpus(n_chars=5000)
    assert isinstance(text, str) and len(text) == 5000
    origin = importlib.util.find_spec(data.PYTHON_SOURCE_MODULES[0]).origin
    with open(origin, encoding="utf-8") as handle:
        source = handle.read()
    assert source.isascii()
    assert text == source[:5000]


def test_python_source_corpus_is_repeatable_and_a_prefix_of_longer_slices():
    short = data.python_source_corpus(n_chars=20_000)
    assert data.python_source_corpus(n_chars=20_000) == short
    assert data.python_source_corpus(n_chars=150_000).startswith(short)


def test_python_source_corpus_alphabet_is_printable_ascii_and_newline():
    text = data.python_source_corpus(n_chars=150_000)
    assert set(text) <= {chr(c) for c in range(32, 127)} | {"\n"}
    assert "\t" not in text
    assert "def " in text and "class " in text and "return" in text


def test_python_source_corpus_joins_modules_with_a_blank_line():
    text = data.python_source_corpus(n_chars=7000, modules=("bisect", "colorsys"))
    with open(importlib.util.find_spec("bisect").origin, encoding="utf-8") as handle:
        first = handle.read()
    assert text.startswith(first + "\n\n")


def test_python_source_corpus_replaces_characters_outside_ascii():
    # heapq's source holds a non-ASCII letter in a comment
    with open(importlib.util.find_spec("heapq").origin, encoding="utf-8") as handle:
        source = handle.read()
    assert not source.isascii()
    text = data.python_source_corpus(n_chars=len(source), modules=("heapq",))
    assert text.isascii() and len(text) == len(source)
    assert "?" in text


@pytest.mark.parametrize("kwargs", [
    {"n_chars": 0},
    {"n_chars": 10**9},
    {"n_chars": 10, "modules": ("sys",)},  # built in, no source file
])
def test_python_source_corpus_rejects_bad_requests(kwargs):
    with pytest.raises(ValueError):
        data.python_source_corpus(**kwargs)


# --- series_with_anomalies ------------------------------------------------------------


def test_series_with_anomalies_shapes_counts_and_repeatability():
    series, mask = data.series_with_anomalies(n_points=2000, n_spikes=30, seed=3)
    assert series.shape == (2000,) and series.dtype == np.float64
    assert mask.shape == (2000,) and mask.dtype == bool
    assert mask.sum() == 30
    again, mask_again = data.series_with_anomalies(n_points=2000, n_spikes=30, seed=3)
    np.testing.assert_array_equal(series, again)
    np.testing.assert_array_equal(mask, mask_again)
    other, _ = data.series_with_anomalies(n_points=2000, n_spikes=30, seed=4)
    assert not np.allclose(series, other)


def test_series_with_anomalies_moves_exactly_the_masked_points():
    noise = 0.1
    series, mask = data.series_with_anomalies(n_points=1500, noise=noise, n_spikes=12,
                                              n_shifts=6, seed=1)
    clean, none = data.series_with_anomalies(n_points=1500, noise=noise, n_spikes=0,
                                             n_shifts=0, seed=1)
    assert not none.any()
    moved = series - clean
    # the clean series uses the same noise draws (they come first from the generator)
    np.testing.assert_allclose(moved[~mask], 0.0, atol=1e-12)
    assert np.all(np.abs(moved[mask]) >= 4.0 * noise - 1e-12)
    assert np.all(np.abs(moved[mask]) <= 10.0 * noise + 1e-12)


def test_series_with_anomalies_spikes_are_single_points_and_shifts_are_runs():
    _, spikes = data.series_with_anomalies(n_points=2000, n_spikes=20, n_shifts=0, seed=2)
    runs = np.diff(np.r_[0, spikes.astype(int), 0])
    assert np.all(np.flatnonzero(runs == -1) - np.flatnonzero(runs == 1) == 1)
    _, shifts = data.series_with_anomalies(n_points=2000, n_spikes=0, n_shifts=8,
                                           shift_length=(5, 15), seed=2)
    runs = np.diff(np.r_[0, shifts.astype(int), 0])
    lengths = np.flatnonzero(runs == -1) - np.flatnonzero(runs == 1)
    assert len(lengths) == 8 and lengths.min() >= 5 and lengths.max() <= 15


def test_series_with_anomalies_leaves_the_first_period_clean_and_is_periodic():
    series, mask = data.series_with_anomalies(n_points=1000, period=40, noise=0.0,
                                              n_spikes=10, seed=5)
    assert not mask[:40].any()
    normal = ~mask[:-40] & ~mask[40:]
    np.testing.assert_allclose(series[:-40][normal], series[40:][normal], atol=1e-9)


def test_series_with_anomalies_rejects_too_many_anomalies():
    with pytest.raises(ValueError):
        data.series_with_anomalies(n_points=200, n_spikes=10, n_shifts=10)


# --- plot_anomalies and plot_text_samples ----------------------------------------------


def test_plot_anomalies_counts_hits_and_false_alarms_in_the_legend():
    series = np.sin(np.arange(100) / 5.0)
    truth = np.zeros(100, dtype=bool)
    truth[[10, 50, 90]] = True
    found = np.zeros(100, dtype=bool)
    found[[10, 50, 70]] = True
    ax = plots.plot_anomalies(series, truth, found, start=1000, title="detector")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "true anomaly (3, 2 found)" in labels
    assert "detected (3, 1 false alarms)" in labels
    assert ax.get_title() == "detector"
    assert ax.get_lines()[0].get_xdata()[0] == 1000
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_array_equal(offsets[:, 0], [1010, 1050, 1090])


def test_plot_anomalies_without_detections():
    truth = np.zeros(20, dtype=bool)
    truth[3] = True
    ax = plots.plot_anomalies(np.arange(20.0), truth)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "true anomaly (1)" in labels and len(ax.collections) == 1


def test_plot_anomalies_rejects_a_mask_of_the_wrong_length():
    with pytest.raises(ValueError):
        plots.plot_anomalies(np.zeros(10), np.zeros(9, dtype=bool))


def test_plot_text_samples_one_column_per_sample_wrapped_and_literal():
    samples = {"T = 0.5": "x = '$cost$'\n" + "a" * 30, "T = 1.0": "short"}
    axes = plots.plot_text_samples(samples, width=12, max_lines=3, title="samples")
    assert len(axes) == 2
    assert [ax.get_title(loc="left") for ax in axes] == ["T = 0.5", "T = 1.0"]
    shown = axes[0].texts[0].get_text().split("\n")
    assert shown[0] == "x = '$cost$'"
    assert shown[1] == "a" * 11 + "\\" and len(shown) == 3  # wrapped, then cut at 3 lines
    axes[0].figure.canvas.draw()  # '$' is drawn as it is, not parsed as maths


def test_plot_text_samples_rejects_empty_input():
    with pytest.raises(ValueError):
        plots.plot_text_samples({})
