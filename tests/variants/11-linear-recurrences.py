# Variants of the graded functions of 11-linear-recurrences, for the grading gate.
# Each block replaces the whole answer cell of its function (see docs/authoring.md).
# The notebook's earlier cells provide np and expit (scipy.special's sigmoid), and
# linear_recurrence for min_gru_forward's default scan.

# %% linear_recurrence alternate: log-space scan with logcumsumexp, signs split into two parts
def linear_recurrence(a, b, h0):
    a, b, h0 = (np.asarray(v, dtype=np.float64) for v in (a, b, h0))
    log_A = np.cumsum(np.log(a), axis=1)  # log(a_1 ... a_t): a sum, it cannot underflow
    log_A = np.concatenate([np.zeros_like(log_A[:, :1]), log_A], axis=1)  # position 0 for h0
    values = np.concatenate([h0[:, None, :], b], axis=1)  # v_0 = h0, v_t = b_t
    with np.errstate(divide="ignore"):  # log(0) = -inf is what we want for the zeros
        log_pos = np.log(np.maximum(values, 0.0)) - log_A
        log_neg = np.log(np.maximum(-values, 0.0)) - log_A
    pos = np.exp(np.logaddexp.accumulate(log_pos, axis=1) + log_A)
    neg = np.exp(np.logaddexp.accumulate(log_neg, axis=1) + log_A)
    return (pos - neg)[:, 1:]


# %% linear_recurrence alternate: Blelloch's work-efficient scan (up-sweep, down-sweep) in numpy
def linear_recurrence(a, b, h0):
    batch, T, units = np.shape(a)
    n = 1 << max(T - 1, 0).bit_length()  # the next power of two
    A = np.ones((batch, n, units))
    B = np.zeros((batch, n, units))
    A[:, :T], B[:, :T] = a, b
    elem_A, elem_B = A.copy(), B.copy()

    def then(first_a, first_b, second_a, second_b):  # apply `first`, then `second`
        return first_a * second_a, second_a * first_b + second_b

    d = 1
    while d < n:  # up-sweep: node i holds its block's composition
        right = np.arange(2 * d - 1, n, 2 * d)
        A[:, right], B[:, right] = then(A[:, right - d], B[:, right - d], A[:, right], B[:, right])
        d *= 2
    A[:, n - 1], B[:, n - 1] = 1.0, 0.0  # identity: nothing comes before the whole sequence
    d = n // 2
    while d >= 1:  # down-sweep: node i receives the composition of everything before it
        right = np.arange(2 * d - 1, n, 2 * d)
        left_a, left_b = A[:, right - d].copy(), B[:, right - d].copy()
        A[:, right - d], B[:, right - d] = A[:, right], B[:, right]
        A[:, right], B[:, right] = then(A[:, right], B[:, right], left_a, left_b)
        d //= 2
    A, B = then(A, B, elem_A, elem_B)  # exclusive prefixes -> inclusive
    return A[:, :T] * np.asarray(h0)[:, None, :] + B[:, :T]


# %% linear_recurrence alternate: chunked scan, sqrt(T) steps inside all chunks, then a carry
def linear_recurrence(a, b, h0):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    batch, T, units = a.shape
    size = max(1, int(np.ceil(np.sqrt(T))))
    chunks = -(-T // size)
    pad = chunks * size - T
    A = np.concatenate([a, np.ones((batch, pad, units))], axis=1).reshape(batch, chunks, size, units)
    B = np.concatenate([b, np.zeros((batch, pad, units))], axis=1).reshape(batch, chunks, size, units)
    local_a, local_b = np.empty_like(A), np.empty_like(B)
    run_a, run_b = np.ones((batch, chunks, units)), np.zeros((batch, chunks, units))
    for j in range(size):  # every chunk at once, from a zero state
        run_a, run_b = A[:, :, j] * run_a, A[:, :, j] * run_b + B[:, :, j]
        local_a[:, :, j], local_b[:, :, j] = run_a, run_b
    states = np.empty_like(B)
    h = np.asarray(h0, dtype=np.float64)
    for c in range(chunks):  # carry the state from chunk to chunk
        states[:, c] = local_a[:, c] * h[:, None, :] + local_b[:, c]
        h = states[:, c, -1]
    return states.reshape(batch, chunks * size, units)[:, :T]


# %% linear_recurrence wrong: cumulative product, then divide (nan once the product underflows)
def linear_recurrence(a, b, h0):
    A = np.cumprod(a, axis=1)
    return A * (h0[:, None, :] + np.cumsum(b / A, axis=1))


# %% linear_recurrence wrong: h0 dropped (the scan of b alone)
def linear_recurrence(a, b, h0):
    A = np.array(a, dtype=np.float64)
    B = np.array(b, dtype=np.float64)
    step = 1
    while step < A.shape[1]:
        B[:, step:] = A[:, step:] * B[:, :-step] + B[:, step:]
        A[:, step:] = A[:, step:] * A[:, :-step]
        step *= 2
    return B


# %% linear_recurrence wrong: a Python loop over time (right numbers, not a scan)
def linear_recurrence(a, b, h0):
    h, states = h0, []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        states.append(h)
    return np.stack(states, axis=1)


# %% linear_recurrence wrong: right values, but the scan runs in the caller's a and b (no copies)
def linear_recurrence(a, b, h0):
    step = 1
    while step < a.shape[1]:
        b[:, step:] = a[:, step:] * b[:, :-step] + b[:, step:]
        a[:, step:] = a[:, step:] * a[:, :-step]
        step *= 2
    return a * h0[:, None, :] + b


# %% min_gru_forward alternate: 1 - sigmoid(u) written as sigmoid(-u), einsum products
def min_gru_forward(x, W_z, b_z, W_h, b_h, h0, scan=linear_recurrence):
    u = np.einsum("btd,du->btu", x, W_z) + b_z
    candidate = np.einsum("btd,du->btu", x, W_h) + b_h
    return scan(expit(-u), expit(u) * candidate, h0)


# %% min_gru_forward alternate: float64 copies, the gate by 1 / (1 + exp(-u)), keywords for scan
def min_gru_forward(x, W_z, b_z, W_h, b_h, h0, scan=linear_recurrence):
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore"):
        z = 1.0 / (1.0 + np.exp(-(x @ W_z + b_z)))
    return scan(a=1.0 - z, b=z * (x @ W_h + b_h), h0=np.asarray(h0, dtype=np.float64))


# %% min_gru_forward wrong: the blend reversed (Keras' GRU habit: z keeps the old state)
def min_gru_forward(x, W_z, b_z, W_h, b_h, h0, scan=linear_recurrence):
    z = expit(x @ W_z + b_z)
    return scan(z, (1.0 - z) * (x @ W_h + b_h), h0)


# %% min_gru_forward wrong: a tanh on the candidate (the GRU's, not the minGRU's)
def min_gru_forward(x, W_z, b_z, W_h, b_h, h0, scan=linear_recurrence):
    z = expit(x @ W_z + b_z)
    return scan(1.0 - z, z * np.tanh(x @ W_h + b_h), h0)


# %% linear_recurrence wrong: zeroes the caller's a, b, h0 in place and returns zeros
def linear_recurrence(a, b, h0):
    a[...] = 0.0
    b[...] = 0.0
    h0[...] = 0.0
    return np.zeros(np.shape(b))


# %% min_gru_forward wrong: zeroes the caller's six arrays in place and returns zeros
def min_gru_forward(x, W_z, b_z, W_h, b_h, h0, scan=linear_recurrence):
    for array in (x, W_z, b_z, W_h, b_h, h0):
        array[...] = 0.0
    return np.zeros((x.shape[0], x.shape[1], W_z.shape[1]))


# %% min_gru_forward wrong: a loop over time (right numbers, but the scan it is given is never used)
def min_gru_forward(x, W_z, b_z, W_h, b_h, h0, scan=linear_recurrence):
    h, states = np.asarray(h0, dtype=np.float64), []
    for t in range(x.shape[1]):
        z = expit(x[:, t] @ W_z + b_z)
        h = (1.0 - z) * h + z * (x[:, t] @ W_h + b_h)
        states.append(h)
    return np.stack(states, axis=1)


# %% min_gru_forward wrong: calls scan once per time step (a loop over time through the scan)
def min_gru_forward(x, W_z, b_z, W_h, b_h, h0, scan=linear_recurrence):
    z = expit(x @ W_z + b_z)
    a, b = 1.0 - z, z * (x @ W_h + b_h)
    h, states = h0, []
    for t in range(x.shape[1]):
        h = scan(a[:, t : t + 1], b[:, t : t + 1], h)[:, 0]
        states.append(h)
    return np.stack(states, axis=1)
