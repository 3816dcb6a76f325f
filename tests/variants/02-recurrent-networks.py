# Variants of the graded functions of 02-recurrent-networks, for the grading gate.
# Each block replaces the whole answer cell of its function (see docs/authoring.md).
# ruff: noqa

# %% make_windows alternate: sliding_window_view, dropping the last window (it has no target)
def make_windows(series, window):
    series = np.asarray(series)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], window)
    return X.reshape(len(X), window, 1).copy(), series[window:]


# %% make_windows alternate: preallocated float32 arrays filled in a loop
def make_windows(series, window):
    n = len(series) - window
    X = np.zeros((n, window, 1), dtype=np.float32)
    y = np.zeros(n, dtype=np.float32)
    for i in range(n):
        for j in range(window):
            X[i, j, 0] = series[i + j]
        y[i] = series[i + window]
    return X, y


# %% make_windows wrong: the target is the last value of the window, y[i] = series[i + window - 1]
def make_windows(series, window):
    series = np.asarray(series)
    n = len(series) - window
    X = np.stack([series[i : i + window] for i in range(n)])
    y = series[window - 1 : -1]
    return X[:, :, np.newaxis], y


# %% make_windows wrong: off by one, the last window is lost (range(n - window - 1))
def make_windows(series, window):
    series = np.asarray(series)
    n = len(series) - window - 1
    X = np.stack([series[i : i + window] for i in range(n)])
    y = np.array([series[i + window] for i in range(n)])
    return X[:, :, np.newaxis], y


# %% make_windows wrong: no feature axis, X is (n - window, window)
def make_windows(series, window):
    series = np.asarray(series)
    X = np.stack([series[i : i + window] for i in range(len(series) - window)])
    return X, series[window:]


# %% make_windows wrong: centres the caller's series in place first (series -= mean), so every window is shifted
def make_windows(series, window):
    series -= series.mean()
    n = len(series) - window
    X = np.stack([series[i : i + window] for i in range(n)])
    return X[:, :, np.newaxis], series[window:].copy()


# %% chronological_split alternate: np.split at the index of the first test example
def chronological_split(X, y, train_fraction=0.8):
    k = int(len(X) * train_fraction)
    X_train, X_test = np.split(np.asarray(X), [k])
    y_train, y_test = np.split(np.asarray(y), [k])
    return X_train, X_test, y_train, y_test


# %% chronological_split wrong: shuffles before splitting (a random split, like train_test_split)
def chronological_split(X, y, train_fraction=0.8):
    order = np.random.default_rng(0).permutation(len(X))
    X, y = X[order], y[order]
    k = int(len(X) * train_fraction)
    return X[:k], X[k:], y[:k], y[k:]


# %% chronological_split wrong: rounds the split index instead of int()
def chronological_split(X, y, train_fraction=0.8):
    k = round(len(X) * train_fraction)
    return X[:k], X[k:], y[:k], y[k:]


# %% chronological_split wrong: returns X_train, y_train, X_test, y_test
def chronological_split(X, y, train_fraction=0.8):
    k = int(len(X) * train_fraction)
    return X[:k], y[:k], X[k:], y[k:]


# %% scale_train_test alternate: np.ptp, float64 copies, explicit check
def scale_train_test(train, test):
    train = np.array(train, dtype=np.float64)
    test = np.array(test, dtype=np.float64)
    lo, span = train.min(), np.ptp(train)
    if span == 0:
        raise ValueError("train is constant")
    train -= lo
    train /= span
    test -= lo
    test /= span
    return train, test, (lo, lo + span)


# %% scale_train_test wrong: min and max of all the data (train and test together): a leak
def scale_train_test(train, test):
    everything = np.concatenate([np.ravel(train), np.ravel(test)])
    lo, hi = everything.min(), everything.max()
    if hi == lo:
        raise ValueError("constant data")
    return (train - lo) / (hi - lo), (test - lo) / (hi - lo), (lo, hi)


# %% scale_train_test wrong: scales in place, changing the caller's arrays
def scale_train_test(train, test):
    lo, hi = train.min(), train.max()
    if hi == lo:
        raise ValueError("constant data")
    train -= lo
    train /= hi - lo
    test -= lo
    test /= hi - lo
    return train, test, (lo, hi)


# %% scale_train_test wrong: no ValueError for a constant train (divides by zero)
def scale_train_test(train, test):
    lo, hi = np.min(train), np.max(train)
    return (train - lo) / (hi - lo), (test - lo) / (hi - lo), (lo, hi)


# %% scale_train_test wrong: one lo and hi per column (axis 0) instead of for the whole array
def scale_train_test(train, test):
    lo, hi = np.min(train, axis=0), np.max(train, axis=0)
    if np.any(hi == lo):
        raise ValueError("constant data")
    return (train - lo) / (hi - lo), (test - lo) / (hi - lo), (lo, hi)


# %% rnn_cell_forward alternate: one matmul on the concatenated [x_t, h_prev] and [W; U]
def rnn_cell_forward(x_t, h_prev, W, U, b):
    stacked_inputs = np.concatenate([x_t, h_prev], axis=1)
    stacked_weights = np.concatenate([W, U], axis=0)
    return np.tanh(stacked_inputs @ stacked_weights + b)


# %% rnn_cell_forward wrong: W and U swapped
def rnn_cell_forward(x_t, h_prev, W, U, b):
    return np.tanh(x_t @ U + h_prev @ W + b)


# %% rnn_cell_forward wrong: no tanh
def rnn_cell_forward(x_t, h_prev, W, U, b):
    return x_t @ W + h_prev @ U + b


# %% rnn_cell_forward wrong: column-vector habit, U transposed
def rnn_cell_forward(x_t, h_prev, W, U, b):
    return np.tanh(x_t @ W + h_prev @ U.T + b)


# %% rnn_forward alternate: the step written inline with einsum, states preallocated
def rnn_forward(x, h0, W, U, b):
    batch, T, _ = x.shape
    H = np.empty((batch, T, U.shape[0]))
    h = h0
    for t in range(T):
        h = np.tanh(np.einsum("bd,dh->bh", x[:, t], W) + np.einsum("bk,kh->bh", h, U) + b)
        H[:, t] = h
    return H


# %% rnn_forward wrong: returns only the last state
def rnn_forward(x, h0, W, U, b):
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t, :] @ W + h @ U + b)
    return h


# %% rnn_forward wrong: time-major output (time, batch, units)
def rnn_forward(x, h0, W, U, b):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t, :] @ W + h @ U + b)
        states.append(h)
    return np.stack(states)


# %% rnn_forward wrong: the state is never carried forward (h0 used at every step)
def rnn_forward(x, h0, W, U, b):
    states = [np.tanh(x[:, t, :] @ W + h0 @ U + b) for t in range(x.shape[1])]
    return np.stack(states, axis=1)


# %% rnn_forward wrong: ignores h0 and starts from zeros
def rnn_forward(x, h0, W, U, b):
    h, states = np.zeros_like(h0), []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t, :] @ W + h @ U + b)
        states.append(h)
    return np.stack(states, axis=1)


# %% build_rnn_model alternate: functional API, loss and optimiser given as objects
def build_rnn_model(window, units=50):
    inputs = keras.Input(shape=(window, 1))
    last_state = keras.layers.SimpleRNN(units, activation="tanh")(inputs)
    outputs = keras.layers.Dense(1)(last_state)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE),
                  loss=keras.losses.MeanSquaredError(), metrics=["mae"])
    return model


# %% build_rnn_model wrong: return_sequences=True, so the output has a time axis
def build_rnn_model(window, units=50):
    model = keras.Sequential([
        keras.Input(shape=(window, 1)),
        keras.layers.SimpleRNN(units, return_sequences=True),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mse")
    return model


# %% build_rnn_model wrong: forgets to compile
def build_rnn_model(window, units=50):
    return keras.Sequential([
        keras.Input(shape=(window, 1)),
        keras.layers.SimpleRNN(units),
        keras.layers.Dense(1),
    ])


# %% build_rnn_model wrong: mean absolute error instead of mean squared error
def build_rnn_model(window, units=50):
    model = keras.Sequential([
        keras.Input(shape=(window, 1)),
        keras.layers.SimpleRNN(units),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mae")
    return model


# %% build_rnn_model wrong: relu recurrent activation instead of tanh
def build_rnn_model(window, units=50):
    model = keras.Sequential([
        keras.Input(shape=(window, 1)),
        keras.layers.SimpleRNN(units, activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mse")
    return model


# %% forecast alternate: model.predict on a copy of the window, shifted with np.roll
def forecast(model, last_window, steps):
    window = np.array(last_window, dtype=np.float64).reshape(1, -1, 1)
    out = []
    for _ in range(steps):
        value = float(model.predict(window, verbose=0)[0, 0])
        out.append(value)
        window = np.roll(window, -1, axis=1)
        window[0, -1, 0] = value
    return np.array(out)


# %% forecast wrong: predictions are not fed back (every step reads the same window)
def forecast(model, last_window, steps):
    window = np.asarray(last_window, dtype=np.float32).reshape(1, -1, 1)
    return np.array([float(model.predict_on_batch(window)[0, 0]) for _ in range(steps)])


# %% forecast wrong: the prediction enters at the front, the newest value is dropped
def forecast(model, last_window, steps):
    window = np.asarray(last_window, dtype=np.float32).reshape(-1)
    out = []
    for _ in range(steps):
        value = float(model.predict_on_batch(window.reshape(1, -1, 1))[0, 0])
        out.append(value)
        window = np.append(value, window[:-1]).astype(np.float32)
    return np.array(out)


# %% forecast wrong: shifts the caller's window in place (a reshape is a view)
def forecast(model, last_window, steps):
    window = np.asarray(last_window).reshape(-1)
    out = []
    for _ in range(steps):
        value = float(model.predict_on_batch(window.reshape(1, -1, 1))[0, 0])
        out.append(value)
        window[:-1] = window[1:]
        window[-1] = value
    return np.array(out)


# %% forecast wrong: returns shape (steps, 1)
def forecast(model, last_window, steps):
    window = np.asarray(last_window, dtype=np.float32).reshape(-1)
    out = []
    for _ in range(steps):
        value = model.predict_on_batch(window.reshape(1, -1, 1))
        out.append(value[0])
        window = np.append(window[1:], value[0, 0]).astype(np.float32)
    return np.array(out)
