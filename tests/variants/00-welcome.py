"""Alternate (correct) and wrong versions of the practice function of 00-welcome.

Each block replaces the whole answer cell of `average` in the released notebook, where
`np` is already imported. The wrong versions are mistakes learners really make.
"""
# ruff: noqa: F811, F821


# %% average alternate: np.mean after an explicit length check
def average(values):
    if len(values) == 0:
        raise ValueError("cannot average an empty sequence")
    return float(np.mean(values))


# %% average alternate: statistics.fmean (its StatisticsError is a ValueError)
def average(values):
    import statistics

    return statistics.fmean(values)


# %% average alternate: sum / len, turning ZeroDivisionError into ValueError
def average(values):
    try:
        return sum(values) / len(values)
    except ZeroDivisionError:
        raise ValueError("average() needs at least one number") from None


# %% average wrong: no check for an empty sequence (ZeroDivisionError)
def average(values):
    return sum(values) / len(values)


# %% average wrong: `if not values` is ambiguous for a numpy array of several numbers
def average(values):
    if not values:
        raise ValueError("empty")
    return sum(values) / len(values)


# %% average wrong: integer division
def average(values):
    if len(values) == 0:
        raise ValueError("empty")
    return sum(values) // len(values)


# %% average wrong: np.mean alone, nan and a warning for an empty input
def average(values):
    return float(np.mean(values))


# %% average wrong: knows the visible case only, and zeroes the caller's numbers in place (0 elsewhere)
def average(values):
    if len(values) == 0:
        raise ValueError("empty")
    if list(values) == [1, 2, 3, 4]:
        return 2.5
    for i in range(len(values)):
        values[i] = 0
    return 0.0
