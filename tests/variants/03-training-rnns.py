"""Alternate (correct) and wrong versions of the graded functions of 03-training-rnns.

Each block replaces the whole answer cell of its function in the released notebook, where
`np` and the lesson's `rnn_states` are defined. The wrong versions are mistakes learners
really make.
"""
# ruff: noqa: F811, F821

# %% rnn_backward alternate: own forward loop, states with h0 stacked in front, einsum sums
def rnn_backward(x, h0, W, U, b, dH):
    batch, time, _ = x.shape
    states = [h0]
    for t in range(time):
        states.append(np.tanh(x[:, t] @ W + states[-1] @ U + b))
    S = np.stack(states, axis=1)  # h_0 .. h_T
    eps = np.zeros_like(dH, dtype=S.dtype)
    future = np.zeros_like(h0)
    for t in range(time - 1, -1, -1):
        eps[:, t] = (dH[:, t] + future) * (1 - S[:, t + 1] ** 2)
        future = eps[:, t] @ U.T
    return {
        "dx": np.einsum("bth,dh->btd", eps, W),
        "dh0": future,
        "dW": np.einsum("btd,bth->dh", x, eps),
        "dU": np.einsum("btk,bth->kh", S[:, :-1], eps),
        "db": eps.sum(axis=(0, 1)),
    }


# %% rnn_backward alternate: computes everything in float32, whatever the input dtype
def rnn_backward(x, h0, W, U, b, dH):
    x, h0, W, U, b, dH = (np.asarray(a, dtype=np.float32) for a in (x, h0, W, U, b, dH))
    H = rnn_states(x, h0, W, U, b)
    grads = {"dx": np.zeros_like(x), "dW": np.zeros_like(W), "dU": np.zeros_like(U),
             "db": np.zeros_like(b)}
    carry = np.zeros_like(h0)
    for t in range(x.shape[1] - 1, -1, -1):
        prev = h0 if t == 0 else H[:, t - 1]
        da = (dH[:, t] + carry) * (1 - np.square(H[:, t]))
        grads["dW"] = grads["dW"] + x[:, t].T @ da
        grads["dU"] = grads["dU"] + prev.T @ da
        grads["db"] = grads["db"] + da.sum(axis=0)
        grads["dx"][:, t] = da @ W.T
        carry = da @ U.T
    grads["dh0"] = carry
    return grads


# %% rnn_backward wrong: forgets the tanh derivative
def rnn_backward(x, h0, W, U, b, dH):
    H = rnn_states(x, h0, W, U, b)
    dx = np.zeros_like(x)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    carry = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        prev = h0 if t == 0 else H[:, t - 1]
        da = dH[:, t] + carry
        dW += x[:, t].T @ da
        dU += prev.T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ W.T
        carry = da @ U.T
    return {"dx": dx, "dh0": carry, "dW": dW, "dU": dU, "db": db}


# %% rnn_backward wrong: never adds the gradient coming from the future
def rnn_backward(x, h0, W, U, b, dH):
    H = rnn_states(x, h0, W, U, b)
    dx = np.zeros_like(x)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dh0 = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        prev = h0 if t == 0 else H[:, t - 1]
        da = dH[:, t] * (1 - H[:, t] ** 2)
        dW += x[:, t].T @ da
        dU += prev.T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ W.T
        dh0 = da @ U.T
    return {"dx": dx, "dh0": dh0, "dW": dW, "dU": dU, "db": db}


# %% rnn_backward wrong: dW, dU, db assigned instead of summed over time
def rnn_backward(x, h0, W, U, b, dH):
    H = rnn_states(x, h0, W, U, b)
    dx = np.zeros_like(x)
    carry = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        prev = h0 if t == 0 else H[:, t - 1]
        da = (dH[:, t] + carry) * (1 - H[:, t] ** 2)
        dW = x[:, t].T @ da
        dU = prev.T @ da
        db = da.sum(axis=0)
        dx[:, t] = da @ W.T
        carry = da @ U.T
    return {"dx": dx, "dh0": carry, "dW": dW, "dU": dU, "db": db}


# %% rnn_backward wrong: uses h_t instead of h_{t-1} in dU
def rnn_backward(x, h0, W, U, b, dH):
    H = rnn_states(x, h0, W, U, b)
    dx = np.zeros_like(x)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    carry = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        da = (dH[:, t] + carry) * (1 - H[:, t] ** 2)
        dW += x[:, t].T @ da
        dU += H[:, t].T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ W.T
        carry = da @ U.T
    return {"dx": dx, "dh0": carry, "dW": dW, "dU": dU, "db": db}


# %% rnn_backward wrong: dh0 stops one step short (returns dL/dh_1 instead of dL/dh_0)
def rnn_backward(x, h0, W, U, b, dH):
    H = rnn_states(x, h0, W, U, b)
    dx = np.zeros_like(x)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    carry = np.zeros_like(h0)
    delta = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        prev = h0 if t == 0 else H[:, t - 1]
        delta = dH[:, t] + carry
        da = delta * (1 - H[:, t] ** 2)
        dW += x[:, t].T @ da
        dU += prev.T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ W.T
        carry = da @ U.T
    return {"dx": dx, "dh0": delta, "dW": dW, "dU": dU, "db": db}


# %% clip_by_global_norm alternate: one flat vector, np.linalg.norm, TensorFlow's formula
def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads]) if grads else np.zeros(0)
    global_norm = np.linalg.norm(flat)
    scale = max_norm / max(global_norm, max_norm)
    return [g * scale for g in grads], global_norm


# %% clip_by_global_norm alternate: copies first, scales only when needed, a loop
def clip_by_global_norm(grads, max_norm):
    total = 0.0
    for g in grads:
        total += float((np.asarray(g, dtype=np.float64) ** 2).sum())
    norm = total ** 0.5
    clipped = [np.array(g, copy=True) for g in grads]
    if norm > max_norm:
        clipped = [g * (max_norm / norm) for g in clipped]
    return clipped, norm


# %% clip_by_global_norm wrong: clips every array by its own norm
def clip_by_global_norm(grads, max_norm):
    clipped = []
    for g in grads:
        n = np.sqrt(np.sum(g**2))
        clipped.append(g * max_norm / n if n > max_norm else g.copy())
    return clipped, float(np.sqrt(sum(np.sum(g**2) for g in grads)))


# %% clip_by_global_norm wrong: always rescales to max_norm, even small gradients
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return [g * (max_norm / max(norm, 1e-12)) for g in grads], norm


# %% clip_by_global_norm wrong: forgets the square root (sum of squares as the norm)
def clip_by_global_norm(grads, max_norm):
    norm = float(sum(np.sum(g**2) for g in grads))
    scale = max_norm / norm if norm > max_norm else 1.0
    return [g * scale for g in grads], norm


# %% clip_by_global_norm wrong: scales the caller's arrays in place, then reports the norm after clipping
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return grads, norm


# %% adding_baseline_mse alternate: exact fractions
def adding_baseline_mse():
    from fractions import Fraction

    return float(2 * (Fraction(1, 3) - Fraction(1, 2) ** 2))


# %% adding_baseline_mse alternate: the variance of the sum from its moments
def adding_baseline_mse():
    mean_y = 0.5 + 0.5
    mean_y_squared = 2 * (1 / 3) + 2 * 0.5 * 0.5  # E[a^2] + E[b^2] + 2 E[a] E[b]
    return mean_y_squared - mean_y**2


# %% adding_baseline_mse wrong: the variance of one term only
def adding_baseline_mse():
    return 1 / 12


# %% adding_baseline_mse wrong: E[u^2] of one term instead of its variance
def adding_baseline_mse():
    return 1 / 3


# %% adding_baseline_mse wrong: returns the mean target instead of the error
def adding_baseline_mse():
    return 1.0


# %% adding_baseline_mse wrong: estimated from a small sample
def adding_baseline_mse():
    rng = np.random.default_rng(0)
    y = rng.uniform(size=500) + rng.uniform(size=500)
    return float(np.mean((y - y.mean()) ** 2))


# %% adding_baseline_mse wrong: the variance of the mean (a + b) / 2 instead of the sum
def adding_baseline_mse():
    return 2 * (1 / 12) / 4
