"""Unit tests for the lessonkit helpers added for lesson 07's encoder-decoder."""

from __future__ import annotations

import numpy as np
import pytest

from lessonkit import data

# An independent reader of English number words, to check the generator against.
UNITS = {word: value for value, word in enumerate(data.NUMBER_WORDS[:20])}
TENS = {word: 20 + 10 * k for k, word in enumerate(data.NUMBER_WORDS[20:28])}


def read_number(words: list[str]) -> int:
    total, group = 0, 0
    for word in words:
        if word in UNITS:
            group += UNITS[word]
        elif word in TENS:
            group += TENS[word]
        elif word == "hundred":
            group *= 100
        elif word == "thousand":
            total, group = group * 1000, 0
        else:
            raise ValueError(word)
    return total + group


def test_number_words_vocabulary():
    assert len(data.NUMBER_WORDS) == len(set(data.NUMBER_WORDS)) == 30
    assert data.NUMBER_WORDS[:3] == ("zero", "one", "two")
    assert data.NUMBER_WORDS[-2:] == ("hundred", "thousand")


def test_number_words_task_spells_the_numbers():
    sources, targets, alignments = data.number_words_task(2000, seed=1)
    assert len(sources) == len(targets) == len(alignments) == 2000
    for source, target in zip(sources, targets, strict=True):
        words = source.split()
        assert source == " ".join(words)  # single spaces, nothing at the ends
        assert all(word in data.NUMBER_WORDS for word in words)
        assert 1 <= len(words) <= 9
        assert target.isdigit() and (target == "0" or not target.startswith("0"))
        assert read_number(words) == int(target)


@pytest.mark.parametrize(
    "number, words, alignment",
    [
        (0, "zero", [0]),
        (7, "seven", [0]),
        (12, "twelve", [0, 0]),
        (70, "seventy", [0, 0]),
        (300, "three hundred", [0, -1, -1]),
        (7042, "seven thousand forty two", [0, -1, 2, 3]),
        (110_005, "one hundred ten thousand five", [0, 2, 2, -1, -1, 4]),
        (999_999, "nine hundred ninety nine thousand nine hundred ninety nine",
         [0, 2, 3, 5, 7, 8]),
    ],
)
def test_number_words_task_known_alignments(number, words, alignment):
    assert data._number_in_words(number) == (words.split(), alignment)


def test_alignments_point_at_the_word_that_spells_the_digit():
    sources, targets, alignments = data.number_words_task(1000, seed=2)
    for source, target, alignment in zip(sources, targets, alignments, strict=True):
        words = source.split()
        assert len(alignment) == len(target)
        for digit, j in zip(target, alignment, strict=True):
            if j == -1:
                assert digit == "0"  # only a zero can be spelled by no word
                continue
            word = words[j]
            assert word not in ("hundred", "thousand")
            value = UNITS.get(word, TENS.get(word))
            assert digit in str(value)


def test_lengths_vary_and_follow_max_digits():
    _, targets, _ = data.number_words_task(3000, seed=3)
    counts = np.bincount([len(t) for t in targets], minlength=7)[1:]
    assert np.all(counts > 400)  # every length from 1 to 6 digits, about equally often
    _, short, _ = data.number_words_task(500, max_digits=2, seed=3)
    assert {len(t) for t in short} == {1, 2}


def test_the_held_out_split_is_disjoint_from_the_training_split():
    _, train, _ = data.number_words_task(5000, seed=4)
    _, held_out, _ = data.number_words_task(2000, split="held_out", seed=4)
    train_big = {int(t) for t in train if int(t) >= 100}
    held_big = {int(t) for t in held_out if int(t) >= 100}
    assert train_big and held_big and not train_big & held_big
    assert any(int(t) < 100 for t in held_out)  # small numbers are in both splits
    fraction = np.mean([data._is_held_out(n) for n in range(100, 1_000_000, 7)])
    assert 0.18 < fraction < 0.22


def test_number_words_task_is_repeatable_and_follows_its_seed():
    first = data.number_words_task(50, seed=5)
    assert first == data.number_words_task(50, seed=5)
    assert first != data.number_words_task(50, seed=6)
    assert data.number_words_task(20, seed=5)[0] == first[0][:20]


@pytest.mark.parametrize(
    "kwargs", [{"n_samples": 0}, {"max_digits": 0}, {"max_digits": 7}, {"split": "test"}]
)
def test_number_words_task_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        data.number_words_task(**kwargs)
