# Variants of the graded functions of 06-deep-bidirectional, for the grading gate.
# Each block replaces the whole answer cell of its function (see docs/authoring.md).
# The notebook's earlier cells provide np and keras.

# %% bidirectional_rnn_forward alternate: one preallocated array, the backward loop runs t = T-1 .. 0
def bidirectional_rnn_forward(x, forward_weights, backward_weights):
    batch, time, _ = x.shape
    units = forward_weights[1].shape[0]
    out = np.zeros((batch, time, 2 * units), dtype=np.result_type(x, forward_weights[0]))
    W, U, b = forward_weights
    h = np.zeros((batch, units))
    for t in range(time):
        h = np.tanh(x[:, t] @ W + h @ U + b)
        out[:, t, :units] = h
    W, U, b = backward_weights
    h = np.zeros((batch, units))
    for t in reversed(range(time)):
        h = np.tanh(x[:, t] @ W + h @ U + b)
        out[:, t, units:] = h
    return out


# %% bidirectional_rnn_forward alternate: float32 throughout, np.flip and einsum
def bidirectional_rnn_forward(x, forward_weights, backward_weights):
    def states(seq, W, U, b):
        seq, W, U, b = (np.asarray(a, dtype=np.float32) for a in (seq, W, U, b))
        h = np.zeros((seq.shape[0], U.shape[1]), dtype=np.float32)
        out = []
        for x_t in np.moveaxis(seq, 1, 0):
            h = np.tanh(np.einsum("bd,dh->bh", x_t, W) + np.einsum("bk,kh->bh", h, U) + b)
            out.append(h)
        return np.stack(out, axis=1)

    forward = states(x, *forward_weights)
    backward = np.flip(states(np.flip(x, axis=1), *backward_weights), axis=1)
    return np.concatenate((forward, backward), axis=2)


# %% bidirectional_rnn_forward wrong: backward states left in reading order (not reversed back)
def bidirectional_rnn_forward(x, forward_weights, backward_weights):
    def run(sequence, W, U, b):
        h = np.zeros((sequence.shape[0], U.shape[0]))
        states = []
        for t in range(sequence.shape[1]):
            h = np.tanh(sequence[:, t] @ W + h @ U + b)
            states.append(h)
        return np.stack(states, axis=1)

    forward = run(x, *forward_weights)
    backward = run(x[:, ::-1], *backward_weights)
    return np.concatenate([forward, backward], axis=-1)


# %% bidirectional_rnn_forward wrong: halves in the wrong order, [backward, forward]
def bidirectional_rnn_forward(x, forward_weights, backward_weights):
    def run(sequence, W, U, b):
        h = np.zeros((sequence.shape[0], U.shape[0]))
        states = []
        for t in range(sequence.shape[1]):
            h = np.tanh(sequence[:, t] @ W + h @ U + b)
            states.append(h)
        return np.stack(states, axis=1)

    forward = run(x, *forward_weights)
    backward = run(x[:, ::-1], *backward_weights)[:, ::-1]
    return np.concatenate([backward, forward], axis=-1)


# %% bidirectional_rnn_forward wrong: the forward weights used for both directions
def bidirectional_rnn_forward(x, forward_weights, backward_weights):
    def run(sequence, W, U, b):
        h = np.zeros((sequence.shape[0], U.shape[0]))
        states = []
        for t in range(sequence.shape[1]):
            h = np.tanh(sequence[:, t] @ W + h @ U + b)
            states.append(h)
        return np.stack(states, axis=1)

    forward = run(x, *forward_weights)
    backward = run(x[:, ::-1], *forward_weights)[:, ::-1]
    return np.concatenate([forward, backward], axis=-1)


# %% bidirectional_rnn_forward wrong: zeroes the caller's x and weights in place and returns zeros
def bidirectional_rnn_forward(x, forward_weights, backward_weights):
    for array in (x, *forward_weights, *backward_weights):
        array[...] = 0.0
    return np.zeros((x.shape[0], x.shape[1], 2 * forward_weights[1].shape[0]))


# %% build_stacked_model alternate: functional API, loss object, explicit Adam
def build_stacked_model(timesteps, features, units=(32, 32), n_outputs=1,
                        layer=keras.layers.SimpleRNN):
    inputs = keras.Input(shape=(timesteps, features))
    h = inputs
    for i, size in enumerate(units):
        last = i == len(units) - 1
        h = layer(size, return_sequences=not last)(h)
    outputs = keras.layers.Dense(n_outputs)(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.MeanSquaredError())
    return model


# %% build_stacked_model alternate: a list of layers, loss given by its long name
def build_stacked_model(timesteps, features, units=(32, 32), n_outputs=1,
                        layer=keras.layers.SimpleRNN):
    lower = [layer(u, return_sequences=True) for u in units[:-1]]
    model = keras.Sequential(
        [keras.Input((timesteps, features)), *lower, layer(units[-1]),
         keras.layers.Dense(n_outputs)])
    model.compile(optimizer="adam", loss="mean_squared_error")
    return model


# %% build_stacked_model wrong: the top layer also returns sequences (output keeps the time axis)
def build_stacked_model(timesteps, features, units=(32, 32), n_outputs=1,
                        layer=keras.layers.SimpleRNN):
    model = keras.Sequential([keras.Input((timesteps, features))])
    for size in units:
        model.add(layer(size, return_sequences=True))
    model.add(keras.layers.Dense(n_outputs))
    model.compile(optimizer="adam", loss="mse")
    return model


# %% build_stacked_model wrong: the lower layers do not return sequences (fails to build)
def build_stacked_model(timesteps, features, units=(32, 32), n_outputs=1,
                        layer=keras.layers.SimpleRNN):
    model = keras.Sequential([keras.Input((timesteps, features))])
    for size in units:
        model.add(layer(size))
    model.add(keras.layers.Dense(n_outputs))
    model.compile(optimizer="adam", loss="mse")
    return model


# %% build_stacked_model wrong: ignores the layer argument (always SimpleRNN)
def build_stacked_model(timesteps, features, units=(32, 32), n_outputs=1,
                        layer=keras.layers.SimpleRNN):
    model = keras.Sequential([keras.Input((timesteps, features))])
    for i, size in enumerate(units):
        model.add(keras.layers.SimpleRNN(size, return_sequences=i < len(units) - 1))
    model.add(keras.layers.Dense(n_outputs))
    model.compile(optimizer="adam", loss="mse")
    return model


# %% build_bidirectional_model alternate: functional API, explicit backward layer, TimeDistributed head
def build_bidirectional_model(timesteps, features, units=16, layer=keras.layers.SimpleRNN,
                              learning_rate=0.01):
    inputs = keras.Input(shape=(timesteps, features))
    both = keras.layers.Bidirectional(
        layer(units, return_sequences=True),
        backward_layer=layer(units, return_sequences=True, go_backwards=True),
    )(inputs)
    outputs = keras.layers.TimeDistributed(keras.layers.Dense(1, activation="sigmoid"))(both)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.BinaryCrossentropy(), metrics=["binary_accuracy"])
    return model


# %% build_bidirectional_model alternate: linear Dense followed by a sigmoid Activation layer
def build_bidirectional_model(timesteps, features, units=16, layer=keras.layers.SimpleRNN,
                              learning_rate=0.01):
    model = keras.Sequential()
    model.add(keras.Input((timesteps, features)))
    model.add(keras.layers.Bidirectional(layer(units, return_sequences=True)))
    model.add(keras.layers.Dense(1))
    model.add(keras.layers.Activation("sigmoid"))
    model.compile(keras.optimizers.Adam(learning_rate), "binary_crossentropy",
                  metrics=["accuracy"])
    return model


# %% build_bidirectional_model wrong: merge_mode="sum" instead of concat
def build_bidirectional_model(timesteps, features, units=16, layer=keras.layers.SimpleRNN,
                              learning_rate=0.01):
    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.Bidirectional(layer(units, return_sequences=True), merge_mode="sum"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


# %% build_bidirectional_model wrong: forgets return_sequences (one output per sequence)
def build_bidirectional_model(timesteps, features, units=16, layer=keras.layers.SimpleRNN,
                              learning_rate=0.01):
    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.Bidirectional(layer(units)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


# %% build_bidirectional_model wrong: one direction only, with twice the units
def build_bidirectional_model(timesteps, features, units=16, layer=keras.layers.SimpleRNN,
                              learning_rate=0.01):
    model = keras.Sequential([
        keras.Input((timesteps, features)),
        layer(2 * units, return_sequences=True),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


# %% build_bidirectional_model wrong: ignores the layer argument (always SimpleRNN)
def build_bidirectional_model(timesteps, features, units=16, layer=keras.layers.SimpleRNN,
                              learning_rate=0.01):
    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.Bidirectional(keras.layers.SimpleRNN(units, return_sequences=True)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


# %% build_regularised_tagger alternate: functional API, rates passed by keyword to a helper
def build_regularised_tagger(timesteps, features, units=32, dropout=0.3, recurrent_dropout=0.3,
                             layer=keras.layers.SimpleRNN, learning_rate=0.01):
    rates = {"dropout": dropout, "recurrent_dropout": recurrent_dropout}
    inputs = keras.Input(shape=(timesteps, features))
    h = inputs
    for _ in range(2):
        h = keras.layers.Bidirectional(layer(units, return_sequences=True, **rates))(h)
    outputs = keras.layers.TimeDistributed(keras.layers.Dense(1, activation="sigmoid"))(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.BinaryCrossentropy(), metrics=["binary_accuracy"])
    return model


# %% build_regularised_tagger alternate: a loop adding the layers, sigmoid as its own layer
def build_regularised_tagger(timesteps, features, units=32, dropout=0.3, recurrent_dropout=0.3,
                             layer=keras.layers.SimpleRNN, learning_rate=0.01):
    model = keras.Sequential()
    model.add(keras.Input((timesteps, features)))
    for _ in range(2):
        model.add(keras.layers.Bidirectional(
            layer(units, dropout=dropout, recurrent_dropout=recurrent_dropout,
                  return_sequences=True), merge_mode="concat"))
    model.add(keras.layers.Dense(1))
    model.add(keras.layers.Activation("sigmoid"))
    model.compile(keras.optimizers.Adam(learning_rate), "binary_crossentropy",
                  metrics=["accuracy"])
    return model


# %% build_regularised_tagger wrong: a Dropout layer between the layers (a fresh mask every step, no recurrent dropout)
def build_regularised_tagger(timesteps, features, units=32, dropout=0.3, recurrent_dropout=0.3,
                             layer=keras.layers.SimpleRNN, learning_rate=0.01):
    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.Bidirectional(layer(units, return_sequences=True)),
        keras.layers.Dropout(dropout),
        keras.layers.Bidirectional(layer(units, return_sequences=True)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


# %% build_regularised_tagger wrong: recurrent_dropout forgotten (inputs only)
def build_regularised_tagger(timesteps, features, units=32, dropout=0.3, recurrent_dropout=0.3,
                             layer=keras.layers.SimpleRNN, learning_rate=0.01):
    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.Bidirectional(layer(units, return_sequences=True, dropout=dropout)),
        keras.layers.Bidirectional(layer(units, return_sequences=True, dropout=dropout)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


# %% build_regularised_tagger wrong: the two rates swapped
def build_regularised_tagger(timesteps, features, units=32, dropout=0.3, recurrent_dropout=0.3,
                             layer=keras.layers.SimpleRNN, learning_rate=0.01):
    def recurrent():
        return layer(units, return_sequences=True, dropout=recurrent_dropout,
                     recurrent_dropout=dropout)

    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.Bidirectional(recurrent()),
        keras.layers.Bidirectional(recurrent()),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


# %% build_regularised_tagger wrong: one bidirectional layer only
def build_regularised_tagger(timesteps, features, units=32, dropout=0.3, recurrent_dropout=0.3,
                             layer=keras.layers.SimpleRNN, learning_rate=0.01):
    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.Bidirectional(layer(units, return_sequences=True, dropout=dropout,
                                         recurrent_dropout=recurrent_dropout)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model
