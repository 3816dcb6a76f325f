"""The course's own Keras layers: trusted code the grader may rebuild a learner's model from.

``lessonkit.models.rebuilt_model`` resolves a configuration's classes only among Keras' own
layers and the ones listed in ``__all__`` here, so a lesson whose model needs a layer Keras
does not have defines it in this module (and the lesson imports it from here).

- ``PositionIndices``, ``PaddingMask`` (lesson 07): the positions 0 .. T-1 of a batch of
  token ids, and where its real tokens are;
- ``AddPositions`` (lesson 10): a fixed table of positional encodings added to the input;
- ``MinGRU``, ``LastStep`` (lesson 11): the minGRU of Feng et al. (2024) with a doubling
  scan, and the last time step of a sequence.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

__all__ = ["AddPositions", "LastStep", "MinGRU", "PaddingMask", "PositionIndices"]


@keras.saving.register_keras_serializable(package="lessonkit")
class PositionIndices(keras.layers.Layer):
    """The position of every entry of a (batch, T) input: (batch, T) int32, 0 .. T-1 per row."""

    def call(self, tokens):
        return ops.zeros_like(tokens, dtype="int32") + ops.arange(ops.shape(tokens)[1],
                                                                   dtype="int32")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@keras.saving.register_keras_serializable(package="lessonkit")
class PaddingMask(keras.layers.Layer):
    """True where a token id differs from ``pad_id`` (a real token), False at padding."""

    def __init__(self, pad_id=0, **kwargs):
        super().__init__(**kwargs)
        self.pad_id = int(pad_id)

    def call(self, tokens):
        return ops.not_equal(tokens, self.pad_id)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "pad_id": self.pad_id}


@keras.saving.register_keras_serializable(package="lessonkit")
class MinGRU(keras.layers.Layer):
    """A minGRU layer (Feng et al., 2024), the states computed by a doubling scan; h0 = 0.

    z_t = sigmoid(x_t W_z + b_z), h~_t = x_t W_h + b_h, h_t = (1 - z_t) h_{t-1} + z_t h~_t.
    Weights, in the order of ``get_weights()``: W_z (D, units), b_z (units,), W_h (D, units),
    b_h (units,). The gate bias starts at ``gate_bias`` (-2: z about 0.12, so every unit
    keeps most of its state at first). Returns the last state (batch, units), or every
    state (batch, T, units) with ``return_sequences=True``.
    """

    def __init__(self, units, return_sequences=False, gate_bias=-2.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.return_sequences = int(units), bool(return_sequences)
        self.gate_bias = float(gate_bias)

    def build(self, input_shape):
        D = input_shape[-1]
        self.W_z = self.add_weight(shape=(D, self.units), initializer="glorot_uniform", name="W_z")
        self.b_z = self.add_weight(shape=(self.units,), name="b_z",
                                   initializer=keras.initializers.Constant(self.gate_bias))
        self.W_h = self.add_weight(shape=(D, self.units), initializer="glorot_uniform", name="W_h")
        self.b_h = self.add_weight(shape=(self.units,), initializer="zeros", name="b_h")

    def call(self, x):
        z = ops.sigmoid(ops.matmul(x, self.W_z) + self.b_z)
        a, b = 1.0 - z, z * (ops.matmul(x, self.W_h) + self.b_h)
        step = 1
        while step < x.shape[1]:  # ceil(log2(T)) rounds
            earlier_a = ops.pad(a[:, :-step], ((0, 0), (step, 0), (0, 0)), constant_values=1.0)
            earlier_b = ops.pad(b[:, :-step], ((0, 0), (step, 0), (0, 0)))
            a, b = a * earlier_a, a * earlier_b + b  # both from the old a
            step *= 2
        return b if self.return_sequences else b[:, -1]

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (*input_shape[:-1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "return_sequences": self.return_sequences, "gate_bias": self.gate_bias}


@keras.saving.register_keras_serializable(package="lessonkit")
class AddPositions(keras.layers.Layer):
    """Adds a fixed (T, d) table of positional encodings to (batch, T, d) inputs.

    The table is a non-trainable weight named ``positions`` (its only weight).
    """

    def __init__(self, table, **kwargs):
        super().__init__(**kwargs)
        self.table = np.asarray(table, dtype="float32")
        if self.table.ndim != 2:
            raise ValueError(f"the table should have shape (T, d), got {self.table.shape}")

    def build(self, input_shape):
        self.positions = self.add_weight(shape=self.table.shape, trainable=False, name="positions",
                                         initializer=keras.initializers.Constant(self.table))

    def call(self, x):
        return x + ops.cast(self.positions, x.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "table": self.table.tolist()}


@keras.saving.register_keras_serializable(package="lessonkit")
class LastStep(keras.layers.Layer):
    """The last time step of a sequence: (batch, T, d) -> (batch, d)."""

    def call(self, x):
        return x[:, -1]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *input_shape[2:])
