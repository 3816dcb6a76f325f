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


def random_sines(
    n_samples: int = 1000,
    length: int = 20,
    freq_range: tuple[float, float] = (0.1, 0.3),
    seed: int = 0,
):
    """Short snippets of sine waves, each with its own frequency and phase.

    Snippet ``i`` is ``sin(f_i t + p_i)`` for ``t = 0 .. length - 1``, with ``f_i`` drawn
    uniformly from ``freq_range`` (radians per step) and ``p_i`` from [0, 2 pi); its
    target is the next value, at ``t = length``. A small next-step problem that a
    recurrent network learns in a few hundred steps.

    Returns:
        ``X`` float32 ``(n_samples, length, 1)`` and ``y`` float32 ``(n_samples,)``.
    """
    if length < 1:
        raise ValueError(f"length must be positive, got {length}")
    low, high = freq_range
    if not 0 < low <= high:
        raise ValueError(f"freq_range must satisfy 0 < low <= high, got {freq_range}")
    rng = np.random.default_rng(seed)
    freq = rng.uniform(low, high, size=(n_samples, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(n_samples, 1))
    waves = np.sin(freq * np.arange(length + 1) + phase)
    X = waves[:, :length, None].astype(np.float32)
    y = waves[:, length].astype(np.float32)
    return X, y


def peak_tagging(n_samples: int = 1000, length: int = 20, seed: int = 0):
    """Tag the peaks of random sequences: a labelling task that needs both directions.

    Each sequence holds ``length`` values drawn independently and uniformly from
    [-1, 1]. Step ``t`` is labelled 1 when ``x_t`` is a *local peak*, larger than both of
    its neighbours ``x_{t-1}`` and ``x_{t+1}``, and 0 otherwise. At the two ends the
    missing neighbour counts as lower, so the first step is a peak when ``x_1 > x_2``.

    The label of step ``t`` depends on the value one step *after* it, so a model that
    reads the sequence in one direction only cannot be sure of it: whatever it learns,
    such a model tags at most 7/8 of the steps correctly on average, while a model that
    reads both directions can tag them all.

    Returns:
        ``X`` float32 ``(n_samples, length, 1)`` and ``y`` float32 ``(n_samples, length)``
        holding 0 and 1.
    """
    if length < 2:
        raise ValueError(f"length must be at least 2, got {length}")
    rng = np.random.default_rng(seed)
    values = rng.uniform(-1.0, 1.0, size=(n_samples, length))
    padded = np.pad(values, ((0, 0), (1, 1)), constant_values=-np.inf)
    peaks = (values > padded[:, :-2]) & (values > padded[:, 2:])
    return values[..., None].astype(np.float32), peaks.astype(np.float32)


def random_walks(n_samples: int = 1000, length: int = 21, step_std: float = 0.3,
                 seed: int = 0) -> np.ndarray:
    """Random walks starting at 0: the textbook series that nobody can forecast.

    Walk ``i`` is ``w_t = w_{t-1} + e_t`` with ``w_0 = 0`` and independent Gaussian steps
    ``e_t`` of standard deviation ``step_std``. Since the next step is independent of
    everything before it, no forecaster beats "tomorrow equals today" (persistence),
    whose mean squared error is ``step_std ** 2``.

    Returns:
        A float32 array of shape ``(n_samples, length)``; column 0 is the starting 0.
    """
    if length < 2:
        raise ValueError(f"length must be at least 2, got {length}")
    if step_std <= 0:
        raise ValueError(f"step_std must be positive, got {step_std}")
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0, step_std, size=(n_samples, length - 1))
    walks = np.concatenate([np.zeros((n_samples, 1)), np.cumsum(steps, axis=1)], axis=1)
    return walks.astype(np.float32)


def reversal_task(n_samples: int = 2000, length: int = 12, vocab_size: int = 10,
                  seed: int = 0):
    """Sequences of random tokens and the same sequences backwards: a task whose alignment is known.

    Every token is drawn independently and uniformly from ``0 .. vocab_size - 1`` (repeats
    allowed), and the target is the input read backwards: output position ``i`` holds the
    input at position ``length - 1 - i``. A sequence-to-sequence model that attends
    correctly therefore looks at input ``length - 1 - i`` when it writes output ``i``,
    which is what makes the task a good test bed for attention. A model that has learned
    nothing is right on a fraction ``1 / vocab_size`` of the tokens.

    Returns:
        ``inputs`` and ``targets``, two int64 arrays of shape ``(n_samples, length)``, with
        ``targets == inputs[:, ::-1]``.
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be positive, got {n_samples}")
    if length < 1:
        raise ValueError(f"length must be positive, got {length}")
    if vocab_size < 2:
        raise ValueError(f"vocab_size must be at least 2, got {vocab_size}")
    rng = np.random.default_rng(seed)
    inputs = rng.integers(0, vocab_size, size=(n_samples, length), dtype=np.int64)
    return inputs, inputs[:, ::-1].copy()


# The standard-library modules of python_source_corpus, in the order they are read. Pure
# Python, present in every CPython 3.11 installation, and (today) plain ASCII.
PYTHON_SOURCE_MODULES: tuple[str, ...] = (
    "textwrap", "string", "colorsys", "bisect", "fnmatch", "glob", "calendar", "queue",
    "sched", "copy", "operator", "reprlib", "pprint", "random", "difflib",
)


def python_source_corpus(
    n_chars: int = 150_000, modules: tuple[str, ...] = PYTHON_SOURCE_MODULES
) -> str:
    """Python source code from the installed standard library: a text corpus needing no download.

    Reads the source files of ``modules`` (in that order) from the running Python
    installation, joins them with a blank line and returns the first ``n_chars``
    characters. The same Python version gives the same text, character for character.
    Any character outside printable ASCII (and the newline) is replaced by ``"?"``, so
    the alphabet stays small; tabs become four spaces.

    Args:
        n_chars: how many characters to return; at most the length of all the modules
            together (about 260,000 characters with the default list in Python 3.11).
        modules: names of pure-Python standard-library modules (``"json.decoder"``
            works too).

    Returns:
        One string of exactly ``n_chars`` characters.
    """
    import importlib.util

    if n_chars < 1:
        raise ValueError(f"n_chars must be positive, got {n_chars}")
    parts = []
    for name in modules:
        spec = importlib.util.find_spec(name)
        origin = getattr(spec, "origin", None)
        if origin is None or not origin.endswith(".py"):
            raise ValueError(f"{name!r} is not a pure-Python module of this installation")
        with open(origin, encoding="utf-8") as handle:
            parts.append(handle.read())
    text = "\n\n".join(parts).replace("\t", "    ")
    text = "".join(c if c == "\n" or " " <= c <= "~" else "?" for c in text)
    if len(text) < n_chars:
        raise ValueError(
            f"the modules hold only {len(text)} characters, fewer than n_chars={n_chars}: "
            "pass more modules or a smaller n_chars"
        )
    return text[:n_chars]


def series_with_anomalies(
    n_points: int = 2000,
    period: int = 50,
    noise: float = 0.1,
    n_spikes: int = 30,
    n_shifts: int = 0,
    spike_size: tuple[float, float] = (6.0, 10.0),
    shift_size: tuple[float, float] = (4.0, 6.0),
    shift_length: tuple[int, int] = (5, 15),
    seed: int = 0,
):
    """A noisy seasonal signal with anomalies injected at known places, and where they are.

    The signal is ``sin(a) + 0.4 sin(2a + 1)`` with ``a = 2 pi t / period`` (a repeating
    shape that is not a pure sine), plus Gaussian noise of standard deviation ``noise``.
    Two kinds of anomaly are added, at random places and with random signs:

    - a **spike** moves one point by ``s * noise``, with ``s`` uniform in ``spike_size``;
    - a **level shift** moves a run of ``shift_length`` points (both ends included) by
      ``s * noise``, with ``s`` uniform in ``shift_size``.

    Anomalies never touch each other, and the first ``period`` points are left clean
    (a forecaster needs some history before it can be surprised).

    Returns:
        ``series`` float64 ``(n_points,)`` and ``mask`` bool ``(n_points,)``, True exactly
        at the points an anomaly moved.
    """
    if n_points < 1 or period < 2:
        raise ValueError("n_points must be positive and period at least 2")
    n_anomalies = n_spikes + n_shifts
    if n_spikes < 0 or n_shifts < 0:
        raise ValueError("n_spikes and n_shifts cannot be negative")
    rng = np.random.default_rng(seed)
    angle = 2 * np.pi * np.arange(n_points) / period
    series = np.sin(angle) + 0.4 * np.sin(2 * angle + 1.0) + rng.normal(0.0, noise, n_points)
    mask = np.zeros(n_points, dtype=bool)
    if n_anomalies == 0:
        return series, mask
    # one anomaly per slot of equal width, placed so that it stays inside its slot
    width = (n_points - period) // n_anomalies
    longest = shift_length[1] if n_shifts else 1
    if width < longest + 2:
        raise ValueError(
            f"{n_anomalies} anomalies do not fit in {n_points} points: "
            "use fewer, or a longer series"
        )
    kinds = rng.permutation(np.r_[np.zeros(n_spikes, dtype=int), np.ones(n_shifts, dtype=int)])
    for slot, kind in enumerate(kinds):
        sign = rng.choice([-1.0, 1.0])
        length = 1 if kind == 0 else int(rng.integers(shift_length[0], shift_length[1] + 1))
        start = period + slot * width + int(rng.integers(0, width - length))
        size = rng.uniform(*(spike_size if kind == 0 else shift_size))
        series[start:start + length] += sign * size * noise
        mask[start:start + length] = True
    return series, mask


# The source vocabulary of number_words_task: every English word it writes, in a fixed order.
NUMBER_WORDS: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand",
)


def _words_below_thousand(group: int, place: int) -> list[tuple[str, list[int]]]:
    """The words of ``0 < group < 1000``, each with the decimal places it spells.

    ``place`` is the place of the group's units digit (0 for units, 3 for thousands).
    A zero digit that no single word spells (the 0 of "one hundred five") is in no list.
    """
    words: list[tuple[str, list[int]]] = []
    hundreds, rest = divmod(group, 100)
    if hundreds:
        words += [(NUMBER_WORDS[hundreds], [place + 2]), ("hundred", [])]
    tens, units = divmod(rest, 10)
    if 10 <= rest <= 19:
        words.append((NUMBER_WORDS[rest], [place + 1, place]))  # "twelve" spells 1 and 2
    elif tens >= 2:
        words.append((NUMBER_WORDS[18 + tens], [place + 1] if units else [place + 1, place]))
        if units:
            words.append((NUMBER_WORDS[units], [place]))
    elif units:
        words.append((NUMBER_WORDS[units], [place]))
    return words


def _number_in_words(n: int) -> tuple[list[str], list[int]]:
    """``n`` (0 <= n < 10**6) in words, and for each digit of ``str(n)`` the word spelling it."""
    if n == 0:
        return ["zero"], [0]
    thousands, rest = divmod(n, 1000)
    spelled: list[tuple[str, list[int]]] = []
    if thousands:
        spelled += _words_below_thousand(thousands, 3) + [("thousand", [])]
    if rest:
        spelled += _words_below_thousand(rest, 0)
    n_digits = len(str(n))
    alignment = [-1] * n_digits
    for index, (_, places) in enumerate(spelled):
        for place in places:
            alignment[n_digits - 1 - place] = index
    return [word for word, _ in spelled], alignment


def _is_held_out(number: int) -> bool:
    """True for the numbers of the held-out split: a fixed fifth of those from 100 up."""
    mixed = (number * 2654435761) % 2**32  # Knuth's multiplicative hash
    return number >= 100 and (mixed >> 16) % 5 == 0


def number_words_task(n_samples: int = 1000, max_digits: int = 6, split: str = "train",
                      seed: int = 0):
    """Numbers in English words and in digits: a translation task whose alignment is known.

    Each example is a whole number written in words, ``"seven thousand forty two"``, and
    in digits, ``"7042"``. The number of digits is drawn uniformly from ``1 .. max_digits``
    and the number uniformly among the numbers with that many digits (0 counts as a
    one-digit number), so that short and long examples are equally common. Both sides
    vary in length: 1 to 9 words, 1 to 6 digits.

    The **alignment** says which word spells each digit: ``alignment[i]`` is the position
    of that word in the source (``"forty"`` spells the 4 of 7042, ``"twelve"`` both digits
    of 12, ``"seventy"`` both digits of 70), or -1 for a zero that no single word spells
    (the 0 of 7042, the two zeros of 300). "hundred" and "thousand" spell no digit.

    The numbers from 100 up are split once and for all into two disjoint parts: a fixed
    fifth of them (chosen by a hash of the number) only ever appear with
    ``split="held_out"``, the rest only with ``split="train"``. The 100 numbers below 100
    appear in both (there are too few of them to hold any out).

    Args:
        n_samples: how many examples.
        max_digits: the longest numbers, 1 to 6 digits.
        split: ``"train"`` or ``"held_out"``.
        seed: seeds the draw.

    Returns:
        ``sources`` (list of ``n_samples`` strings, words separated by single spaces, all
        in ``NUMBER_WORDS``), ``targets`` (list of digit strings, ``targets[k] ==
        str(number)``) and ``alignments`` (list of int lists, ``len(alignments[k]) ==
        len(targets[k])``).
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be positive, got {n_samples}")
    if not 1 <= max_digits <= 6:
        raise ValueError(f"max_digits must be between 1 and 6, got {max_digits}")
    if split not in ("train", "held_out"):
        raise ValueError(f"split must be 'train' or 'held_out', got {split!r}")
    rng = np.random.default_rng(seed)
    want_held_out = split == "held_out"
    numbers: list[int] = []
    for _ in range(n_samples):  # one at a time: a longer draw extends a shorter one
        digits = int(rng.integers(1, max_digits + 1))
        low, high = (0 if digits == 1 else 10 ** (digits - 1)), 10**digits
        number = int(rng.integers(low, high))
        while number >= 100 and _is_held_out(number) != want_held_out:
            number = int(rng.integers(low, high))  # redraw with the same number of digits
        numbers.append(number)
    sources, targets, alignments = [], [], []
    for n in numbers:
        words, alignment = _number_in_words(n)
        sources.append(" ".join(words))
        targets.append(str(n))
        alignments.append(alignment)
    return sources, targets, alignments
