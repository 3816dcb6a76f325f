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


# %% lstm_param_count alternate: factored formula 4H(D + H + 1)
def lstm_param_count(input_dim, units):
    return 4 * units * (input_dim + units + 1)


# %% lstm_param_count alternate: ask Keras
def lstm_param_count(input_dim, units):
    layer = keras.layers.LSTM(units)
    layer.build((None, None, input_dim))
    return int(layer.count_params())


# %% lstm_param_count wrong: forgets the biases
def lstm_param_count(input_dim, units):
    return 4 * (input_dim * units + units * units)


# %% lstm_param_count wrong: two bias vectors, as PyTorch counts
def lstm_param_count(input_dim, units):
    return 4 * (input_dim * units + units * units + 2 * units)


# %% lstm_param_count wrong: counts one block only (the SimpleRNN formula)
def lstm_param_count(input_dim, units):
    return input_dim * units + units * units + units


# %% lstm_param_count wrong: three blocks, as if it were a GRU without its second bias
def lstm_param_count(input_dim, units):
    return 3 * (input_dim * units + units * units + units)
