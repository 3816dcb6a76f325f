"""Alternate (correct) and wrong versions of the graded functions of 05-gru.

Each block replaces the whole answer cell of its function in the released notebook, where
`np`, the notebook's `sigmoid` and the learner's other functions (`gru_cell_forward` inside
`gru_forward`) are defined. The wrong versions are mistakes learners really make.
"""
# ruff: noqa: F811, F821


# %% gru_cell_forward alternate: np.split blocks, exp sigmoid, blend as h~ + z * (h - h~)
def gru_cell_forward(x_t, h_prev, W, U, b):
    W_z, W_r, W_h = np.split(W, 3, axis=1)
    U_z, U_r, U_h = np.split(U, 3, axis=1)
    bx_z, bx_r, bx_h = np.split(b[0], 3)
    bh_z, bh_r, bh_h = np.split(b[1], 3)
    z = 1.0 / (1.0 + np.exp(-(x_t @ W_z + bx_z + h_prev @ U_z + bh_z)))
    r = 1.0 / (1.0 + np.exp(-(x_t @ W_r + bx_r + h_prev @ U_r + bh_r)))
    h_tilde = np.tanh(x_t @ W_h + bx_h + r * (h_prev @ U_h + bh_h))
    return h_tilde + z * (h_prev - h_tilde)


# %% gru_cell_forward alternate: everything in float64 with einsum, one bias vector per block
def gru_cell_forward(x_t, h_prev, W, U, b):
    x_t, h_prev, W, U, b = (np.asarray(a, dtype=np.float64) for a in (x_t, h_prev, W, U, b))
    units = U.shape[0]
    a_in = np.einsum("bd,dk->bk", x_t, W) + b[0]
    a_rec = np.einsum("bh,hk->bk", h_prev, U) + b[1]
    gates = sigmoid(a_in[:, : 2 * units] + a_rec[:, : 2 * units])
    z, r = gates[:, :units], gates[:, units:]
    h_tilde = np.tanh(a_in[:, 2 * units :] + r * a_rec[:, 2 * units :])
    return z * h_prev + (1 - z) * h_tilde


# %% gru_cell_forward wrong: blend swapped, (1 - z) * h_prev + z * h~ (the tutorials' convention)
def gru_cell_forward(x_t, h_prev, W, U, b):
    H = U.shape[0]
    a_in = x_t @ W + b[0]
    a_rec = h_prev @ U + b[1]
    z = sigmoid(a_in[:, :H] + a_rec[:, :H])
    r = sigmoid(a_in[:, H : 2 * H] + a_rec[:, H : 2 * H])
    h_tilde = np.tanh(a_in[:, 2 * H :] + r * a_rec[:, 2 * H :])
    return (1 - z) * h_prev + z * h_tilde


# %% gru_cell_forward wrong: reset before the matrix product, (r * h) @ U_h (reset_after=False)
def gru_cell_forward(x_t, h_prev, W, U, b):
    H = U.shape[0]
    a_in = x_t @ W + b[0]
    z = sigmoid(a_in[:, :H] + h_prev @ U[:, :H] + b[1, :H])
    r = sigmoid(a_in[:, H : 2 * H] + h_prev @ U[:, H : 2 * H] + b[1, H : 2 * H])
    h_tilde = np.tanh(a_in[:, 2 * H :] + (r * h_prev) @ U[:, 2 * H :] + b[1, 2 * H :])
    return z * h_prev + (1 - z) * h_tilde


# %% gru_cell_forward wrong: a single bias, b[0] only (the recurrent bias row ignored)
def gru_cell_forward(x_t, h_prev, W, U, b):
    H = U.shape[0]
    a_in = x_t @ W + b[0]
    a_rec = h_prev @ U
    z = sigmoid(a_in[:, :H] + a_rec[:, :H])
    r = sigmoid(a_in[:, H : 2 * H] + a_rec[:, H : 2 * H])
    h_tilde = np.tanh(a_in[:, 2 * H :] + r * a_rec[:, 2 * H :])
    return z * h_prev + (1 - z) * h_tilde


# %% gru_cell_forward wrong: gate blocks read in the order r, z, h~
def gru_cell_forward(x_t, h_prev, W, U, b):
    H = U.shape[0]
    a = x_t @ W + b[0]
    c = h_prev @ U + b[1]
    r = sigmoid(a[:, :H] + c[:, :H])
    z = sigmoid(a[:, H : 2 * H] + c[:, H : 2 * H])
    h_tilde = np.tanh(a[:, 2 * H :] + r * c[:, 2 * H :])
    return z * h_prev + (1 - z) * h_tilde


# %% gru_cell_forward wrong: biases summed, the recurrent bias of h~ added outside the reset gate
def gru_cell_forward(x_t, h_prev, W, U, b):
    H = U.shape[0]
    bias = b[0] + b[1]
    a = x_t @ W + bias
    c = h_prev @ U
    z = sigmoid(a[:, :H] + c[:, :H])
    r = sigmoid(a[:, H : 2 * H] + c[:, H : 2 * H])
    h_tilde = np.tanh(a[:, 2 * H :] + r * c[:, 2 * H :])
    return z * h_prev + (1 - z) * h_tilde


# %% gru_forward alternate: self-contained, the input projection of all steps computed at once
def gru_forward(x, h0, W, U, b):
    H = U.shape[0]
    projected = x @ W + b[0]  # (batch, time, 3H)
    out = np.empty(x.shape[:2] + (H,), dtype=np.result_type(x, h0, W, U, b))
    h = h0
    for t in range(x.shape[1]):
        rec = h @ U + b[1]
        z = 1.0 / (1.0 + np.exp(-(projected[:, t, :H] + rec[:, :H])))
        r = 1.0 / (1.0 + np.exp(-(projected[:, t, H : 2 * H] + rec[:, H : 2 * H])))
        h_tilde = np.tanh(projected[:, t, 2 * H :] + r * rec[:, 2 * H :])
        h = z * h + (1.0 - z) * h_tilde
        out[:, t] = h
    return out


# %% gru_forward alternate: time-major loop over np.moveaxis, then transposed back
def gru_forward(x, h0, W, U, b):
    h = h0
    states = []
    for x_t in np.moveaxis(x, 1, 0):
        h = gru_cell_forward(x_t, h, W, U, b)
        states.append(h)
    return np.transpose(np.array(states), (1, 0, 2))


# %% gru_forward wrong: returns only the last state (batch, H)
def gru_forward(x, h0, W, U, b):
    h = h0
    for t in range(x.shape[1]):
        h = gru_cell_forward(x[:, t], h, W, U, b)
    return h


# %% gru_forward wrong: off by one, stores the state before each update (h0 .. h_{T-1})
def gru_forward(x, h0, W, U, b):
    h = h0
    states = []
    for t in range(x.shape[1]):
        states.append(h)
        h = gru_cell_forward(x[:, t], h, W, U, b)
    return np.stack(states, axis=1)


# %% gru_forward wrong: the state is not carried, every step starts from h0
def gru_forward(x, h0, W, U, b):
    states = [gru_cell_forward(x[:, t], h0, W, U, b) for t in range(x.shape[1])]
    return np.stack(states, axis=1)


# %% gru_forward wrong: stacked time-major, (time, batch, H)
def gru_forward(x, h0, W, U, b):
    h = h0
    states = []
    for t in range(x.shape[1]):
        h = gru_cell_forward(x[:, t], h, W, U, b)
        states.append(h)
    return np.stack(states)


# %% gru_forward wrong: self-contained loop with the blend swapped, (1 - z) * h + z * h~
def gru_forward(x, h0, W, U, b):
    H = U.shape[0]
    h = h0
    states = []
    for t in range(x.shape[1]):
        a = x[:, t] @ W + b[0]
        c = h @ U + b[1]
        z = sigmoid(a[:, :H] + c[:, :H])
        r = sigmoid(a[:, H : 2 * H] + c[:, H : 2 * H])
        h_tilde = np.tanh(a[:, 2 * H :] + r * c[:, 2 * H :])
        h = (1 - z) * h + z * h_tilde
        states.append(h)
    return np.stack(states, axis=1)


# %% torch_gru_to_keras alternate: block by block, np.concatenate of transposed slices
def torch_gru_to_keras(weight_ih, weight_hh, bias_ih, bias_hh):
    H = weight_hh.shape[1]
    r, z, n = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)
    kernel = np.concatenate([weight_ih[z].T, weight_ih[r].T, weight_ih[n].T], axis=1)
    recurrent = np.concatenate([weight_hh[z].T, weight_hh[r].T, weight_hh[n].T], axis=1)
    bias = np.array([np.concatenate([b[z], b[r], b[n]]) for b in (bias_ih, bias_hh)])
    return [kernel, recurrent, bias]


# %% torch_gru_to_keras alternate: z, r biases summed in row 0 (only the sum matters), float32
def torch_gru_to_keras(weight_ih, weight_hh, bias_ih, bias_hh):
    H = weight_hh.shape[1]
    blocks = [slice(H, 2 * H), slice(0, H), slice(2 * H, 3 * H)]  # z, r, n
    kernel = np.hstack([np.transpose(weight_ih[s]) for s in blocks]).astype(np.float32)
    recurrent = np.hstack([np.transpose(weight_hh[s]) for s in blocks]).astype(np.float32)
    bias = np.zeros((2, 3 * H), dtype=np.float32)
    bias[0, : 2 * H] = np.concatenate([bias_ih[s] + bias_hh[s] for s in blocks[:2]])
    bias[0, 2 * H :] = bias_ih[blocks[2]]
    bias[1, 2 * H :] = bias_hh[blocks[2]]
    return [kernel, recurrent, bias]


# %% torch_gru_to_keras wrong: forgets the transpose (reshapes PyTorch's (3H, D) to (D, 3H))
def torch_gru_to_keras(weight_ih, weight_hh, bias_ih, bias_hh):
    H = weight_hh.shape[1]
    D = weight_ih.shape[1]
    order = np.r_[H:2 * H, 0:H, 2 * H:3 * H]
    kernel = weight_ih[order].reshape(D, 3 * H)
    recurrent = weight_hh[order].reshape(H, 3 * H)
    return [kernel, recurrent, np.stack([bias_ih[order], bias_hh[order]])]


# %% torch_gru_to_keras wrong: keeps PyTorch's block order r, z, n (transposes only)
def torch_gru_to_keras(weight_ih, weight_hh, bias_ih, bias_hh):
    return [weight_ih.T, weight_hh.T, np.stack([bias_ih, bias_hh])]


# %% torch_gru_to_keras wrong: bias rows swapped, [bias_hh; bias_ih]
def torch_gru_to_keras(weight_ih, weight_hh, bias_ih, bias_hh):
    H = weight_hh.shape[1]
    order = np.r_[H:2 * H, 0:H, 2 * H:3 * H]
    return [weight_ih[order].T, weight_hh[order].T, np.stack([bias_hh[order], bias_ih[order]])]


# %% torch_gru_to_keras wrong: both biases summed into row 0 for every block (row 1 zero)
def torch_gru_to_keras(weight_ih, weight_hh, bias_ih, bias_hh):
    H = weight_hh.shape[1]
    order = np.r_[H:2 * H, 0:H, 2 * H:3 * H]
    bias = np.stack([(bias_ih + bias_hh)[order], np.zeros(3 * H)])
    return [weight_ih[order].T, weight_hh[order].T, bias]


# %% torch_gru_to_keras wrong: z and r swapped in the weights only, biases left in PyTorch's order
def torch_gru_to_keras(weight_ih, weight_hh, bias_ih, bias_hh):
    H = weight_hh.shape[1]
    order = np.r_[H:2 * H, 0:H, 2 * H:3 * H]
    return [weight_ih[order].T, weight_hh[order].T, np.stack([bias_ih, bias_hh])]


# %% torch_gru_to_keras wrong: reorders the arguments in place, then reorders them again
def torch_gru_to_keras(weight_ih, weight_hh, bias_ih, bias_hh):
    H = weight_hh.shape[1]
    order = np.r_[H:2 * H, 0:H, 2 * H:3 * H]
    for array in (weight_ih, weight_hh, bias_ih, bias_hh):
        array[...] = array[order]
    return [weight_ih[order].T, weight_hh[order].T, np.stack([bias_ih[order], bias_hh[order]])]


# %% gru_forward wrong: zeroes the caller's arrays in place and returns zeros
def gru_forward(x, h0, W, U, b):
    for array in (x, h0, W, U, b):
        array[...] = 0.0
    return np.zeros((x.shape[0], x.shape[1], U.shape[0]))
