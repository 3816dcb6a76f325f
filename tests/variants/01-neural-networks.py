"""Alternate (correct) and wrong versions of the graded functions of 01-neural-networks.

Each block replaces the whole answer cell of its function in the released notebook, where
`np` and the learner's other functions (e.g. `sigmoid` inside `sigmoid_grad`) are defined.
The wrong versions are mistakes learners really make.
"""
# ruff: noqa: F811, F821


# %% relu alternate: multiply by a boolean mask
def relu(x):
    return x * (x > 0)


# %% relu alternate: np.where, float32 kept as float32
def relu(x):
    return np.where(x > 0, x, np.zeros_like(x))


# %% relu wrong: zeroes the negatives in place, modifying the caller's array
def relu(x):
    x[x < 0] = 0
    return x


# %% relu wrong: absolute value instead of clipping at zero
def relu(x):
    return np.abs(x)


# %% relu wrong: clips to [0, 1] (a "hard sigmoid")
def relu(x):
    return np.clip(x, 0, 1)


# %% relu wrong: knows the visible case, zeroes the caller's x in place and returns zeros elsewhere
def relu(x):
    visible = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    if np.shape(x) == visible.shape and np.array_equal(x, visible):
        return np.maximum(x, 0)
    x[...] = 0.0
    return np.zeros_like(x)


# %% sigmoid alternate: 0.5 * (1 + tanh(x / 2))
def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# %% sigmoid alternate: exp(-log(1 + exp(-x))) with np.logaddexp
def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


# %% sigmoid alternate: masked, keeps float32, written with a loop over the two signs
def sigmoid(x):
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    out = np.zeros(x.shape, dtype=dtype)
    for mask, negative in ((x >= 0, False), (x < 0, True)):
        e = np.exp(-np.abs(x[mask]).astype(dtype))
        out[mask] = e / (1 + e) if negative else 1 / (1 + e)
    return out


# %% sigmoid wrong: straight from the formula, overflows at x = -1000
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# %% sigmoid wrong: np.where evaluates both branches, so it still overflows
def sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


# %% sigmoid wrong: exp(x) / (1 + exp(x)), nan at x = +1000
def sigmoid(x):
    return np.exp(x) / (1 + np.exp(x))


# %% sigmoid wrong: knows the visible cases, 0.5 elsewhere, zeroes the caller's x in place
def sigmoid(x):
    known = {-1000.0: 0.0, -2.0: 0.11920292202211755, 0.0: 0.5, 2.0: 0.8807970779778823,
             1000.0: 1.0}
    out = np.array([known.get(float(v), 0.5) for v in np.ravel(x)]).reshape(np.shape(x))
    x[...] = 0.0
    return out


# %% relu_grad alternate: np.where
def relu_grad(x):
    return np.where(x > 0, 1.0, 0.0)


# %% relu_grad alternate: a boolean array (True counts as 1)
def relu_grad(x):
    return x > 0


# %% relu_grad alternate: np.heaviside with value 0 at 0
def relu_grad(x):
    return np.heaviside(x, 0.0)


# %% relu_grad wrong: returns relu itself instead of its slope
def relu_grad(x):
    return np.maximum(x, 0)


# %% relu_grad wrong: the sign of x (slope -1 for negative inputs)
def relu_grad(x):
    return np.sign(x)


# %% relu_grad wrong: slope 1 at x = 0, against the stated convention (loses the visible point)
def relu_grad(x):
    return (x >= 0).astype(float)


# %% relu_grad wrong: overwrites the caller's x with the slope (right values, input destroyed)
def relu_grad(x):
    x[x > 0] = 1.0
    x[x <= 0] = 0.0
    return x


# %% sigmoid_grad alternate: 1 / (4 cosh^2(x / 2))
def sigmoid_grad(x):
    return 0.25 / np.cosh(0.5 * x) ** 2


# %% sigmoid_grad alternate: exp(-x) / (1 + exp(-x))^2 written out
def sigmoid_grad(x):
    e = np.exp(-np.abs(x))
    return e / (1.0 + e) ** 2


# %% sigmoid_grad wrong: sigmoid(x) * (1 - x), mixing input and output
def sigmoid_grad(x):
    return sigmoid(x) * (1 - x)


# %% sigmoid_grad wrong: the output formula a * (1 - a) applied to the input x
def sigmoid_grad(x):
    return x * (1 - x)


# %% sigmoid_grad wrong: returns the sigmoid itself
def sigmoid_grad(x):
    return sigmoid(x)


# %% tanh_grad alternate: 1 / cosh^2
def tanh_grad(x):
    return 1.0 / np.cosh(x) ** 2


# %% tanh_grad alternate: (1 - t)(1 + t)
def tanh_grad(x):
    t = np.tanh(x)
    return (1 - t) * (1 + t)


# %% tanh_grad wrong: forgets the square, 1 - tanh(x)
def tanh_grad(x):
    return 1 - np.tanh(x)


# %% tanh_grad wrong: the output formula 1 - a^2 applied to the input x
def tanh_grad(x):
    return 1 - x ** 2


# %% tanh_grad wrong: 1 / cosh(x), the square forgotten the other way
def tanh_grad(x):
    return 1 / np.cosh(x)


# %% dense_forward alternate: einsum
def dense_forward(x, W, b):
    return np.einsum("ni,io->no", x, W) + b


# %% dense_forward alternate: one example at a time
def dense_forward(x, W, b):
    return np.stack([np.dot(row, W) + b for row in x])


# %% dense_forward wrong: column-vector habit, returns (out, batch)
def dense_forward(x, W, b):
    return W.T @ x.T + b[:, None]


# %% dense_forward wrong: forgets the bias
def dense_forward(x, W, b):
    return x @ W


# %% dense_forward wrong: W @ x.T (shapes do not even fit)
def dense_forward(x, W, b):
    return (W @ x.T).T + b


# %% mse_loss alternate: sum divided by the size, numpy scalar returned
def mse_loss(y_pred, y_true):
    diff = np.subtract(y_pred, y_true)
    return np.sum(diff * diff) / diff.size


# %% mse_loss alternate: a loop over the flattened entries
def mse_loss(y_pred, y_true):
    total, count = 0.0, 0
    for p, t in zip(np.ravel(y_pred), np.ravel(y_true), strict=True):
        total += (p - t) ** 2
        count += 1
    return total / count


# %% mse_loss wrong: sum of squares, no mean
def mse_loss(y_pred, y_true):
    return float(np.sum((y_pred - y_true) ** 2))


# %% mse_loss wrong: mean absolute error
def mse_loss(y_pred, y_true):
    return float(np.mean(np.abs(y_pred - y_true)))


# %% mse_loss wrong: root mean squared error
def mse_loss(y_pred, y_true):
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))


# %% mse_loss wrong: mean over the batch axis only (one number per output)
def mse_loss(y_pred, y_true):
    return np.mean((y_pred - y_true) ** 2, axis=0)


# %% mse_grad alternate: size computed with np.prod of the shape
def mse_grad(y_pred, y_true):
    return (np.asarray(y_pred) - y_true) * (2.0 / np.prod(np.shape(y_pred)))


# %% mse_grad alternate: float32 arithmetic
def mse_grad(y_pred, y_true):
    diff = (np.asarray(y_pred) - np.asarray(y_true)).astype(np.float32)
    return np.float32(2.0 / diff.size) * diff


# %% mse_grad wrong: missing the factor 2
def mse_grad(y_pred, y_true):
    return (y_pred - y_true) / y_pred.size


# %% mse_grad wrong: missing the 1/N of the mean
def mse_grad(y_pred, y_true):
    return 2 * (y_pred - y_true)


# %% mse_grad wrong: divides by the batch size instead of the number of entries
def mse_grad(y_pred, y_true):
    return 2 * (y_pred - y_true) / len(y_pred)


# %% mse_grad wrong: sign flipped, 2 (y_true - y_pred) / N
def mse_grad(y_pred, y_true):
    return 2 * (y_true - y_pred) / y_pred.size


# %% dense_backward alternate: einsum
def dense_backward(dout, x, W):
    dx = np.einsum("no,io->ni", dout, W)
    dW = np.einsum("ni,no->io", x, dout)
    db = np.einsum("no->o", dout)
    return dx, dW, db


# %% dense_backward alternate: outer products by broadcasting, summed over the batch
def dense_backward(dout, x, W):
    dW = (x[:, :, None] * dout[:, None, :]).sum(axis=0)
    db = np.add.reduce(dout, axis=0)
    dx = (dout[:, None, :] * W[None, :, :]).sum(axis=-1)
    return dx, dW, db


# %% dense_backward wrong: dW transposed, dout.T @ x
def dense_backward(dout, x, W):
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


# %% dense_backward wrong: db not summed over the batch
def dense_backward(dout, x, W):
    return dout @ W.T, x.T @ dout, dout


# %% dense_backward wrong: db averaged over the batch instead of summed
def dense_backward(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


# %% dense_backward wrong: db kept as (1, out) with keepdims
def dense_backward(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0, keepdims=True)


# %% sgd_step alternate: a loop that builds a new dict
def sgd_step(params, grads, lr):
    new = {}
    for name in params:
        new[name] = np.subtract(params[name], lr * grads[name])
    return new


# %% sgd_step alternate: copy first, then update the copies in place
def sgd_step(params, grads, lr):
    new = {name: value.copy() for name, value in params.items()}
    for name in new:
        new[name] -= lr * grads[name]
    return new


# %% sgd_step wrong: updates the arrays in place and returns the same dict
def sgd_step(params, grads, lr):
    for name in params:
        params[name] -= lr * grads[name]
    return params


# %% sgd_step wrong: adds the gradient (gradient ascent)
def sgd_step(params, grads, lr):
    return {name: value + lr * grads[name] for name, value in params.items()}


# %% sgd_step wrong: replaces the entries of the caller's dict
def sgd_step(params, grads, lr):
    for name in list(params):
        params[name] = params[name] - lr * grads[name]
    return params


# %% sgd_step wrong: forgets the learning rate
def sgd_step(params, grads, lr):
    return {name: value - grads[name] for name, value in params.items()}
