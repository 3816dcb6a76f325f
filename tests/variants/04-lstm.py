"""Alternate (correct) and wrong versions of the graded functions of 04-lstm.

Each block replaces the whole answer cell of its function in the released notebook, where
`np`, `keras`, the notebook's `sigmoid` and the learner's other functions
(`lstm_cell_forward` inside `lstm_forward`) are defined. The wrong versions are mistakes
learners really make. The wrong versions of `lstm_forward` carry their own (correct) cell
arithmetic, so each shows that the tests of `lstm_forward` catch its own mistake, whatever
`lstm_cell_forward` does.
"""
# ruff: noqa: F811, F821


# %% lstm_cell_forward alternate: four separate products per gate, np.split, exp-based sigmoid
def lstm_cell_forward(x_t, h_prev, c_prev, W, U, b):
    W_i, W_f, W_c, W_o = np.split(W, 4, axis=1)
    U_i, U_f, U_c, U_o = np.split(U, 4, axis=1)
    b_i, b_f, b_c, b_o = np.split(b, 4)

    def logistic(z):
        return 1.0 / (1.0 + np.exp(-z))

    i = logistic(x_t @ W_i + h_prev @ U_i + b_i)
    f = logistic(x_t @ W_f + h_prev @ U_f + b_f)
    c_tilde = np.tanh(x_t @ W_c + h_prev @ U_c + b_c)
    o = logistic(x_t @ W_o + h_prev @ U_o + b_o)
    c_t = f * c_prev + i * c_tilde
    return o * np.tanh(c_t), c_t


# %% lstm_cell_forward alternate: one product on [x, h] with stacked weights, in float32
def lstm_cell_forward(x_t, h_prev, c_prev, W, U, b):
    xh = np.concatenate([x_t, h_prev], axis=1).astype(np.float32)
    kernel = np.concatenate([W, U], axis=0).astype(np.float32)
    z = xh @ kernel + b.astype(np.float32)
    i, f, g, o = np.split(z, 4, axis=1)
    c_t = sigmoid(f) * c_prev.astype(np.float32) + sigmoid(i) * np.tanh(g)
    h_t = sigmoid(o) * np.tanh(c_t)
    return (h_t, c_t)


# %% lstm_cell_forward wrong: gate blocks read in the order i, f, o, c~ (another course's order)
def lstm_cell_forward(x_t, h_prev, c_prev, W, U, b):
    units = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    i = sigmoid(z[:, :units])
    f = sigmoid(z[:, units:2 * units])
    o = sigmoid(z[:, 2 * units:3 * units])
    c_tilde = np.tanh(z[:, 3 * units:])
    c_t = f * c_prev + i * c_tilde
    return o * np.tanh(c_t), c_t


# %% lstm_cell_forward wrong: h_t = o * c_t, without the tanh
def lstm_cell_forward(x_t, h_prev, c_prev, W, U, b):
    units = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    i = sigmoid(z[:, :units])
    f = sigmoid(z[:, units:2 * units])
    c_tilde = np.tanh(z[:, 2 * units:3 * units])
    o = sigmoid(z[:, 3 * units:])
    c_t = f * c_prev + i * c_tilde
    return o * c_t, c_t


# %% lstm_cell_forward wrong: c_t = f * c_prev + c~, the input gate forgotten
def lstm_cell_forward(x_t, h_prev, c_prev, W, U, b):
    units = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    f = sigmoid(z[:, units:2 * units])
    c_tilde = np.tanh(z[:, 2 * units:3 * units])
    o = sigmoid(z[:, 3 * units:])
    c_t = f * c_prev + c_tilde
    return o * np.tanh(c_t), c_t


# %% lstm_cell_forward wrong: returns (c_t, h_t), the states swapped
def lstm_cell_forward(x_t, h_prev, c_prev, W, U, b):
    units = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    i = sigmoid(z[:, :units])
    f = sigmoid(z[:, units:2 * units])
    c_tilde = np.tanh(z[:, 2 * units:3 * units])
    o = sigmoid(z[:, 3 * units:])
    c_t = f * c_prev + i * c_tilde
    return c_t, o * np.tanh(c_t)


# %% lstm_cell_forward wrong: tanh instead of sigmoid on the output gate
def lstm_cell_forward(x_t, h_prev, c_prev, W, U, b):
    units = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    i = sigmoid(z[:, :units])
    f = sigmoid(z[:, units:2 * units])
    c_tilde = np.tanh(z[:, 2 * units:3 * units])
    o = np.tanh(z[:, 3 * units:])
    c_t = f * c_prev + i * c_tilde
    return o * np.tanh(c_t), c_t


# %% lstm_cell_forward wrong: adds i * c~ into the caller's c_prev in place, before the forget gate multiplies it
def lstm_cell_forward(x_t, h_prev, c_prev, W, U, b):
    units = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    i = sigmoid(z[:, :units])
    f = sigmoid(z[:, units:2 * units])
    c_tilde = np.tanh(z[:, 2 * units:3 * units])
    o = sigmoid(z[:, 3 * units:])
    c_prev += i * c_tilde
    c_t = f * c_prev
    return o * np.tanh(c_t), c_t


# %% lstm_forward alternate: self-contained, input products for all steps at once, preallocated
def lstm_forward(x, h0, c0, W, U, b):
    batch, steps, _ = x.shape
    units = h0.shape[-1]
    x_proj = np.einsum("btd,dk->btk", x, W) + b  # (batch, time, 4 * units)
    out = np.empty((batch, steps, units), dtype=np.result_type(x, W, h0))
    h, c = h0.copy(), c0.copy()
    for t in range(steps):
        z = x_proj[:, t] + h @ U
        i = 1.0 / (1.0 + np.exp(-z[:, :units]))
        f = 1.0 / (1.0 + np.exp(-z[:, units:2 * units]))
        g = np.tanh(z[:, 2 * units:3 * units])
        o = 1.0 / (1.0 + np.exp(-z[:, 3 * units:]))
        c = f * c + i * g
        h = o * np.tanh(c)
        out[:, t] = h
    return out, c


# %% lstm_forward alternate: time-major loop over the learner's cell, then transposed back
def lstm_forward(x, h0, c0, W, U, b):
    state = (h0, c0)
    outputs = []
    for x_t in np.transpose(x, (1, 0, 2)):
        state = lstm_cell_forward(x_t, state[0], state[1], W, U, b)
        outputs.append(state[0])
    return np.transpose(np.array(outputs), (1, 0, 2)), state[1]


# %% lstm_forward wrong: gate blocks read in the order i, f, o, c~
def lstm_forward(x, h0, c0, W, U, b):
    units = h0.shape[-1]
    h, c = h0, c0
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ W + h @ U + b
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units:2 * units])
        o = sigmoid(z[:, 2 * units:3 * units])
        g = np.tanh(z[:, 3 * units:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), c


# %% lstm_forward wrong: returns the last hidden state h_T instead of the last cell state c_T
def lstm_forward(x, h0, c0, W, U, b):
    units = h0.shape[-1]
    h, c = h0, c0
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ W + h @ U + b
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units:2 * units])
        g = np.tanh(z[:, 2 * units:3 * units])
        o = sigmoid(z[:, 3 * units:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), h


# %% lstm_forward wrong: carries h but restarts every step from the initial cell state c0
def lstm_forward(x, h0, c0, W, U, b):
    units = h0.shape[-1]
    h = h0
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ W + h @ U + b
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units:2 * units])
        g = np.tanh(z[:, 2 * units:3 * units])
        o = sigmoid(z[:, 3 * units:])
        c = f * c0 + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), c


# %% lstm_forward wrong: stacks the hidden states time-major, (time, batch, units)
def lstm_forward(x, h0, c0, W, U, b):
    units = h0.shape[-1]
    h, c = h0, c0
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ W + h @ U + b
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units:2 * units])
        g = np.tanh(z[:, 2 * units:3 * units])
        o = sigmoid(z[:, 3 * units:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.array(hs), c


# %% lstm_forward wrong: updates the cell state in place, overwriting the caller's c0
def lstm_forward(x, h0, c0, W, U, b):
    units = h0.shape[-1]
    h, c = h0, c0
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ W + h @ U + b
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units:2 * units])
        g = np.tanh(z[:, 2 * units:3 * units])
        o = sigmoid(z[:, 3 * units:])
        c *= f
        c += i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), c.copy()


# %% lstm_cell_backward alternate: four blocks with np.split, exp-based sigmoid, einsum for the sums
def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, W, U, b):
    def logistic(a):
        return 1.0 / (1.0 + np.exp(-a))

    z_i, z_f, z_g, z_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=1)
    i, f, g, o = logistic(z_i), logistic(z_f), np.tanh(z_g), logistic(z_o)
    c = f * c_prev + i * g
    through_h = dh * o * (1 - np.tanh(c) ** 2)
    total = through_h + dc
    grads_z = [total * g * i * (1 - i), total * c_prev * f * (1 - f),
               total * i * (1 - g * g), dh * np.tanh(c) * o * (1 - o)]
    dz = np.hstack(grads_z)
    return {
        "dW": np.einsum("bd,bk->dk", x_t, dz),
        "dU": np.einsum("bh,bk->hk", h_prev, dz),
        "db": np.einsum("bk->k", dz),
        "dx": np.einsum("bk,dk->bd", dz, W),
        "dh_prev": np.einsum("bk,hk->bh", dz, U),
        "dc_prev": f * total,
    }


# %% lstm_cell_backward alternate: in float32, reusing the learner's forward cell for c_t
def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, W, U, b):
    dh, dc, x_t, h_prev, c_prev, W, U, b = (np.asarray(a, dtype=np.float32)
                                            for a in (dh, dc, x_t, h_prev, c_prev, W, U, b))
    n = h_prev.shape[1]
    z = x_t @ W + h_prev @ U + b
    i, f, o = sigmoid(z[:, :n]), sigmoid(z[:, n:2 * n]), sigmoid(z[:, 3 * n:])
    g = np.tanh(z[:, 2 * n:3 * n])
    _, c_t = lstm_cell_forward(x_t, h_prev, c_prev, W, U, b)
    delta = dc + dh * o * (1 - np.tanh(c_t) ** 2)
    dz = np.empty_like(z)
    dz[:, :n] = delta * g * i * (1 - i)
    dz[:, n:2 * n] = delta * c_prev * f * (1 - f)
    dz[:, 2 * n:3 * n] = delta * i * (1 - g**2)
    dz[:, 3 * n:] = dh * np.tanh(c_t) * o * (1 - o)
    return {"dx": dz @ W.T, "dh_prev": dz @ U.T, "dc_prev": delta * f,
            "dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)}


# %% lstm_cell_backward wrong: the forget gate's gradient without c_{t-1} (delta_c * f(1-f))
def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, W, U, b):
    n = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    i, f = sigmoid(z[:, :n]), sigmoid(z[:, n:2 * n])
    g, o = np.tanh(z[:, 2 * n:3 * n]), sigmoid(z[:, 3 * n:])
    tanh_c = np.tanh(f * c_prev + i * g)
    delta = dc + dh * o * (1 - tanh_c**2)
    dz = np.concatenate([delta * g * i * (1 - i), delta * f * (1 - f),
                         delta * i * (1 - g**2), dh * tanh_c * o * (1 - o)], axis=1)
    return {"dx": dz @ W.T, "dh_prev": dz @ U.T, "dc_prev": delta * f,
            "dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)}


# %% lstm_cell_backward wrong: forgets tanh'(c_t) on the way from h_t into the memory
def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, W, U, b):
    n = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    i, f = sigmoid(z[:, :n]), sigmoid(z[:, n:2 * n])
    g, o = np.tanh(z[:, 2 * n:3 * n]), sigmoid(z[:, 3 * n:])
    tanh_c = np.tanh(f * c_prev + i * g)
    delta = dc + dh * o
    dz = np.concatenate([delta * g * i * (1 - i), delta * c_prev * f * (1 - f),
                         delta * i * (1 - g**2), dh * tanh_c * o * (1 - o)], axis=1)
    return {"dx": dz @ W.T, "dh_prev": dz @ U.T, "dc_prev": delta * f,
            "dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)}


# %% lstm_cell_backward wrong: gate blocks in the order i, f, o, c~ (another course's layout)
def _lstm_backward_with(dh, dc, x_t, h_prev, c_prev, W, U, b, slip):
    # Shared body of the wrong versions below: the reference computation with one slip.
    n = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    blocks = [z[:, k * n:(k + 1) * n] for k in range(4)]
    if slip == "order i, f, o, c~":
        i, f, o, g = sigmoid(blocks[0]), sigmoid(blocks[1]), sigmoid(blocks[2]), np.tanh(blocks[3])
    else:
        i, f, g, o = sigmoid(blocks[0]), sigmoid(blocks[1]), np.tanh(blocks[2]), sigmoid(blocks[3])
    tanh_c = np.tanh(f * c_prev + i * g)
    if slip == "no tanh' on the path through h_t":
        delta = dc + dh * o
    elif slip == "no path through h_t":
        delta = dc.copy()
    else:
        delta = dc + dh * o * (1 - tanh_c**2)
    d_f = delta if slip == "forget gate without c_prev" else delta * c_prev
    parts = [delta * g * i * (1 - i), d_f * f * (1 - f), delta * i * (1 - g**2),
             dh * tanh_c * o * (1 - o)]
    if slip == "order i, f, o, c~":
        parts = [parts[0], parts[1], parts[3], parts[2]]
    dz = np.concatenate(parts, axis=1)
    dc_prev = delta if slip == "dc_prev without the forget gate" else delta * f
    return {"dx": dz @ W.T, "dh_prev": dz @ U.T, "dc_prev": dc_prev,
            "dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)}


def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, W, U, b):
    return _lstm_backward_with(dh, dc, x_t, h_prev, c_prev, W, U, b, "order i, f, o, c~")


# %% lstm_cell_backward wrong: the memory's gradient ignores h_t (delta_c = dc)
def _lstm_backward_with(dh, dc, x_t, h_prev, c_prev, W, U, b, slip):
    # Shared body of the wrong versions below: the reference computation with one slip.
    n = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    blocks = [z[:, k * n:(k + 1) * n] for k in range(4)]
    if slip == "order i, f, o, c~":
        i, f, o, g = sigmoid(blocks[0]), sigmoid(blocks[1]), sigmoid(blocks[2]), np.tanh(blocks[3])
    else:
        i, f, g, o = sigmoid(blocks[0]), sigmoid(blocks[1]), np.tanh(blocks[2]), sigmoid(blocks[3])
    tanh_c = np.tanh(f * c_prev + i * g)
    if slip == "no tanh' on the path through h_t":
        delta = dc + dh * o
    elif slip == "no path through h_t":
        delta = dc.copy()
    else:
        delta = dc + dh * o * (1 - tanh_c**2)
    d_f = delta if slip == "forget gate without c_prev" else delta * c_prev
    parts = [delta * g * i * (1 - i), d_f * f * (1 - f), delta * i * (1 - g**2),
             dh * tanh_c * o * (1 - o)]
    if slip == "order i, f, o, c~":
        parts = [parts[0], parts[1], parts[3], parts[2]]
    dz = np.concatenate(parts, axis=1)
    dc_prev = delta if slip == "dc_prev without the forget gate" else delta * f
    return {"dx": dz @ W.T, "dh_prev": dz @ U.T, "dc_prev": dc_prev,
            "dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)}


def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, W, U, b):
    return _lstm_backward_with(dh, dc, x_t, h_prev, c_prev, W, U, b, "no path through h_t")


# %% lstm_cell_backward wrong: dc_prev passes the memory gradient back without the forget gate
def _lstm_backward_with(dh, dc, x_t, h_prev, c_prev, W, U, b, slip):
    # Shared body of the wrong versions below: the reference computation with one slip.
    n = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    blocks = [z[:, k * n:(k + 1) * n] for k in range(4)]
    if slip == "order i, f, o, c~":
        i, f, o, g = sigmoid(blocks[0]), sigmoid(blocks[1]), sigmoid(blocks[2]), np.tanh(blocks[3])
    else:
        i, f, g, o = sigmoid(blocks[0]), sigmoid(blocks[1]), np.tanh(blocks[2]), sigmoid(blocks[3])
    tanh_c = np.tanh(f * c_prev + i * g)
    if slip == "no tanh' on the path through h_t":
        delta = dc + dh * o
    elif slip == "no path through h_t":
        delta = dc.copy()
    else:
        delta = dc + dh * o * (1 - tanh_c**2)
    d_f = delta if slip == "forget gate without c_prev" else delta * c_prev
    parts = [delta * g * i * (1 - i), d_f * f * (1 - f), delta * i * (1 - g**2),
             dh * tanh_c * o * (1 - o)]
    if slip == "order i, f, o, c~":
        parts = [parts[0], parts[1], parts[3], parts[2]]
    dz = np.concatenate(parts, axis=1)
    dc_prev = delta if slip == "dc_prev without the forget gate" else delta * f
    return {"dx": dz @ W.T, "dh_prev": dz @ U.T, "dc_prev": dc_prev,
            "dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)}


def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, W, U, b):
    return _lstm_backward_with(dh, dc, x_t, h_prev, c_prev, W, U, b,
                               "dc_prev without the forget gate")


# %% lstm_cell_backward wrong: adds the path through h_t into the caller's dc, in place
def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, W, U, b):
    n = h_prev.shape[-1]
    z = x_t @ W + h_prev @ U + b
    i, f = sigmoid(z[:, :n]), sigmoid(z[:, n:2 * n])
    g, o = np.tanh(z[:, 2 * n:3 * n]), sigmoid(z[:, 3 * n:])
    tanh_c = np.tanh(f * c_prev + i * g)
    dc += dh * o * (1 - tanh_c**2)
    dz = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                         dc * i * (1 - g**2), dh * tanh_c * o * (1 - o)], axis=1)
    return {"dx": dz @ W.T, "dh_prev": dz @ U.T, "dc_prev": dc * f,
            "dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)}
