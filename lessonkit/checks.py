"""Checks that explain in words what is wrong.

The visible tests in every lesson call these, so that a failing test says
"expected shape (32, 10, 50) = (batch, time, units), got (32, 50)" instead of a bare
``AssertionError``. Every check raises ``AssertionError`` (which nbgrader counts as a
failed test) and returns nothing when all is well.

Default tolerances accept both float32 and float64 arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

RTOL = 1e-4
ATOL = 1e-5


def _describe_shape(shape: Sequence[int | None], names: Sequence[str] | None) -> str:
    text = "(" + ", ".join("any" if d is None else str(d) for d in shape)
    text += ",)" if len(shape) == 1 else ")"
    if names:
        text += " = (" + ", ".join(names) + ")"
    return text


def check_shape(
    value,
    expected: Sequence[int | None],
    names: Sequence[str] | None = None,
    what: str = "the result",
) -> None:
    """Check that ``value`` is array-like with shape ``expected`` (``None`` = any size).

    ``names`` labels the axes, e.g. ``("batch", "time", "units")``, so the message can
    say which axis is off.
    """
    if value is None:
        raise AssertionError(f"{what} is None: did you forget a `return`?")
    try:
        shape = tuple(np.shape(value))
    except Exception as err:  # ragged lists and the like
        raise AssertionError(f"{what} is not an array: {type(value).__name__} ({err})") from None
    expected = tuple(expected)
    if names is not None and len(names) != len(expected):
        raise ValueError("names must label every axis of the expected shape")
    want = _describe_shape(expected, names)
    if len(shape) != len(expected):
        raise AssertionError(
            f"{what} has {len(shape)} axes where {len(expected)} were expected: "
            f"expected shape {want}, got {shape}."
        )
    wrong = [
        i for i, (got, exp) in enumerate(zip(shape, expected, strict=True))
        if exp is not None and got != exp
    ]
    if wrong:
        i = wrong[0]
        axis = f"axis {i}" + (f" ({names[i]})" if names else "")
        raise AssertionError(
            f"{what} has the wrong shape: expected {want}, got {shape}; "
            f"{axis} is {shape[i]} but should be {expected[i]}."
        )


def check_finite(value, what: str = "the result") -> None:
    """Check that every entry of ``value`` is a finite number (no NaN, no infinity)."""
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.number) and array.dtype != bool:
        raise AssertionError(f"{what} should hold numbers, but its dtype is {array.dtype}.")
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AssertionError(
            f"{what} has {int(bad.sum())} entries that are NaN or infinite "
            f"(the first at index {where}: {array[where]}). Look for an overflow, "
            "e.g. np.exp of a large number, or a division by zero."
        )


def check_close(
    actual,
    expected,
    what: str = "the result",
    rtol: float = RTOL,
    atol: float = ATOL,
    names: Sequence[str] | None = None,
) -> None:
    """Check that ``actual`` matches ``expected`` in shape and, within tolerance, in value."""
    expected = np.asarray(expected)
    check_shape(actual, expected.shape, names=names, what=what)
    check_finite(actual, what=what)
    actual = np.asarray(actual, dtype=np.float64)
    expected = expected.astype(np.float64)
    close = np.isclose(actual, expected, rtol=rtol, atol=atol)
    if not close.all():
        diff = np.abs(actual - expected)
        where = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
        where = tuple(int(i) for i in where)
        raise AssertionError(
            f"{what} is off in {int((~close).sum())} of {close.size} entries. "
            f"The largest difference is at index {where}: got {actual[where]:.6g}, "
            f"expected {expected[where]:.6g}."
        )


def check_scalar(value, expected: float, what: str = "the result",
                 rtol: float = RTOL, atol: float = ATOL) -> None:
    """Check that ``value`` is a single number close to ``expected``."""
    if value is None:
        raise AssertionError(f"{what} is None: did you forget a `return`?")
    if np.ndim(value) != 0:
        raise AssertionError(
            f"{what} should be a single number, but has shape {np.shape(value)}: "
            "did you forget to take the mean (or the sum)?"
        )
    value = float(value)
    if not np.isclose(value, expected, rtol=rtol, atol=atol):
        raise AssertionError(f"{what} is {value:.6g}, expected {expected:.6g}.")


def check_unchanged(before: Mapping[str, np.ndarray] | np.ndarray, after,
                    what: str = "the input") -> None:
    """Check that a function left its input alone (``before`` is a copy made earlier)."""
    if isinstance(before, Mapping):
        if set(before) != set(after):
            raise AssertionError(f"{what} gained or lost keys: {sorted(before)} -> {sorted(after)}")
        for key in before:
            check_unchanged(before[key], after[key], what=f"{what}[{key!r}]")
        return
    if not np.array_equal(np.asarray(before), np.asarray(after)):
        raise AssertionError(
            f"{what} was changed in place. Compute into a new array (`x = x - m`, not "
            "`x -= m`; `np.exp(x)`, not `np.exp(x, out=x)`), or work on `x.copy()`: the "
            "caller's array must come back as it was."
        )
