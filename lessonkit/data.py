"""Small data sets, generated on the spot: nothing is downloaded.

Every generator takes a ``seed`` and returns the same arrays for the same seed.
"""

from __future__ import annotations

import numpy as np


def sine_wave(
    n_points: int = 1000,
    period: float = 2 * np.pi * 10,
    noise: float = 0.0,
    amplitude: float = 1.0,
    seed: int = 0,
) -> np.ndarray:
    """A sine wave sampled at ``t = 0.1, 0.2, ...``, optionally with Gaussian noise.

    With the defaults it is ``sin(0.1 t)`` for ``t = 0..999``: about 63 samples per
    cycle, 16 cycles in all, the series of the course's first forecaster.

    Args:
        n_points: length of the series.
        period: length of one cycle, in samples.
        noise: standard deviation of the added Gaussian noise (0 for a clean wave).
        amplitude: height of the wave.
        seed: seeds the noise.

    Returns:
        A float64 array of shape ``(n_points,)``.
    """
    if n_points < 1:
        raise ValueError(f"n_points must be positive, got {n_points}")
    t = np.arange(n_points, dtype=np.float64)
    series = amplitude * np.sin(2 * np.pi * t / period)
    if noise > 0:
        series = series + np.random.default_rng(seed).normal(0.0, noise, size=n_points)
    return series


def two_moons(n_samples: int = 400, noise: float = 0.15, seed: int = 0):
    """Two interleaving half circles: a small problem no straight line can separate.

    Returns:
        ``X`` float64 ``(n_samples, 2)`` and ``y`` int ``(n_samples,)`` with labels 0 and 1,
        shuffled, half of each class.
    """
    rng = np.random.default_rng(seed)
    n_top = n_samples // 2
    n_bottom = n_samples - n_top
    angle_top = rng.uniform(0, np.pi, n_top)
    angle_bottom = rng.uniform(0, np.pi, n_bottom)
    top = np.column_stack([np.cos(angle_top), np.sin(angle_top)])
    bottom = np.column_stack([1 - np.cos(angle_bottom), 0.5 - np.sin(angle_bottom)])
    X = np.vstack([top, bottom]) + rng.normal(0.0, noise, size=(n_samples, 2))
    y = np.concatenate([np.zeros(n_top, dtype=int), np.ones(n_bottom, dtype=int)])
    order = rng.permutation(n_samples)
    return X[order], y[order]


def xor_blobs(n_samples: int = 400, noise: float = 0.2, seed: int = 0):
    """Four clouds at the corners of a square, labelled by XOR of the two coordinates' signs.

    Returns:
        ``X`` float64 ``(n_samples, 2)`` and ``y`` int ``(n_samples,)`` with labels 0 and 1.
    """
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(n_samples, 2))
    X = (2 * corners - 1) + rng.normal(0.0, noise, size=(n_samples, 2))
    y = (corners[:, 0] ^ corners[:, 1]).astype(int)
    return X, y


def adding_problem(n_samples: int = 1000, length: int = 50, seed: int = 0):
    """The adding problem (Hochreiter & Schmidhuber 1997; Le et al. 2015).

    Each sequence has two channels: ``length`` values drawn uniformly from [0, 1], and
    a marker channel that is 1 at exactly two steps, one in the first half and one in
    the second half, and 0 elsewhere. The target is the sum of the two marked values.
    A model must remember the first marked value across up to ``length`` steps.

    Returns:
        ``X`` float32 ``(n_samples, length, 2)`` and ``y`` float32 ``(n_samples,)``.
    """
    if length < 2:
        raise ValueError(f"length must be at least 2, got {length}")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n_samples, length))
    half = length // 2
    first = rng.integers(0, half, size=n_samples)
    second = rng.integers(half, length, size=n_samples)
    markers = np.zeros((n_samples, length))
    rows = np.arange(n_samples)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)
    return X, y
