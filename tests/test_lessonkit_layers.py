"""Unit tests for the course's Keras layers (lessonkit.layers): each computes what the
numpy it stands for computes, and a model made of them survives lessonkit.models.rebuilt_model."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from lessonkit import layers as course_layers
from lessonkit.models import NotRebuildable, rebuilt_model


def min_gru_loop(x, W_z, b_z, W_h, b_h):
    """The minGRU's three equations, one step at a time, in float64, from h0 = 0."""
    x = np.asarray(x, dtype=np.float64)
    h, states = np.zeros((x.shape[0], W_z.shape[1])), []
    for t in range(x.shape[1]):
        z = 1.0 / (1.0 + np.exp(-(x[:, t] @ W_z + b_z)))
        h = (1.0 - z) * h + z * (x[:, t] @ W_h + b_h)
        states.append(h)
    return np.stack(states, axis=1)


@pytest.mark.parametrize("T", [1, 2, 5, 8, 37])
def test_min_gru_matches_the_loop(T):
    rng = np.random.default_rng(T)
    layer = course_layers.MinGRU(4, return_sequences=True)
    x = rng.normal(size=(3, T, 2)).astype("float32")
    layer.build(x.shape)
    weights = [rng.normal(scale=0.8, size=w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    states = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(states, min_gru_loop(x, *weights), rtol=1e-4, atol=1e-5)
    last = course_layers.MinGRU(4)
    last.build(x.shape)
    last.set_weights(weights)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(last(x)), states[:, -1],
                               rtol=1e-5, atol=1e-6)


def test_min_gru_weights_and_initial_gate():
    layer = course_layers.MinGRU(5)
    layer.build((None, 7, 3))
    assert [tuple(w.shape) for w in layer.get_weights()] == [(3, 5), (5,), (3, 5), (5,)]
    assert [w.name for w in layer.weights] == ["W_z", "b_z", "W_h", "b_h"]
    np.testing.assert_allclose(layer.get_weights()[1], -2.0)
    np.testing.assert_allclose(layer.get_weights()[3], 0.0)
    assert layer.compute_output_shape((None, 7, 3)) == (None, 5)
    assert course_layers.MinGRU(5, return_sequences=True).compute_output_shape(
        (None, 7, 3)) == (None, 7, 5)


def test_add_positions_adds_its_table():
    table = np.arange(12, dtype="float32").reshape(4, 3)
    layer = course_layers.AddPositions(table)
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), x + table, rtol=1e-6)
    assert not layer.trainable_weights and len(layer.weights) == 1
    with pytest.raises(ValueError):
        course_layers.AddPositions(np.zeros(4))


def test_last_step_position_indices_and_padding_mask():
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(course_layers.LastStep()(x)),
                                  x[:, -1])
    tokens = np.array([[4, 2, 0, 0], [1, 0, 3, 0]], dtype="int32")
    positions = keras.ops.convert_to_numpy(course_layers.PositionIndices()(tokens))
    np.testing.assert_array_equal(positions, [[0, 1, 2, 3], [0, 1, 2, 3]])
    mask = keras.ops.convert_to_numpy(course_layers.PaddingMask(0)(tokens))
    np.testing.assert_array_equal(mask, tokens != 0)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(course_layers.PaddingMask(pad_id=3)(tokens)), tokens != 3)


def _lesson_09_models():
    inputs = keras.Input((6, 2))
    min_gru = keras.Model(inputs, keras.layers.Dense(1, name="readout")(
        course_layers.MinGRU(4, name="min_gru")(inputs)))
    h = keras.layers.Dense(4, name="embed")(inputs)
    h = course_layers.AddPositions(np.random.default_rng(2).normal(size=(6, 4)),
                                   name="positions")(h)
    h = keras.layers.MultiHeadAttention(2, 2, use_bias=False, name="attention")(
        h, h, use_causal_mask=True)
    attention = keras.Model(inputs, keras.layers.Dense(1, name="readout")(
        course_layers.LastStep()(h)))
    return min_gru, attention


def _lesson_07_model():
    tokens = keras.Input((None,), dtype="int32")
    mask = course_layers.PaddingMask(0)(tokens)
    keys = keras.layers.GRU(4, return_sequences=True)(
        keras.layers.Embedding(6, 3)(tokens), mask=mask)
    queries = keras.layers.Embedding(5, 4)(course_layers.PositionIndices()(tokens))
    context = keras.layers.Attention()([queries, keys], mask=[None, mask])
    return keras.Model(tokens, keras.layers.Dense(6, activation="softmax")(context))


@pytest.mark.parametrize("which", ["min_gru", "attention", "translator-like"])
def test_models_of_course_layers_are_rebuilt_exactly(which):
    model = {"min_gru": lambda: _lesson_09_models()[0], "attention": lambda: _lesson_09_models()[1],
             "translator-like": _lesson_07_model}[which]()
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(size=w.shape).astype(w.dtype) for w in model.get_weights()])
    if which == "translator-like":
        x = np.array([[1, 2, 3, 0, 0], [5, 4, 0, 0, 0]], dtype="int32")
    else:
        x = rng.normal(size=(3, 6, 2)).astype("float32")
    copy = rebuilt_model(model)
    assert copy is not model
    np.testing.assert_allclose(copy.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_a_loss_written_in_the_notebook_does_not_stop_a_prediction_copy():
    model = _lesson_07_model()

    def my_loss(y_true, y_pred):
        return keras.ops.mean((y_true - y_pred) ** 2)

    model.compile(optimizer="adam", loss=my_loss)
    rebuilt_model(model)  # predictions only: the compile settings are not used
    with pytest.raises(NotRebuildable, match="function"):
        rebuilt_model(model, compiled=True)


def test_a_layer_defined_elsewhere_is_refused():
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return 2 * x

    inputs = keras.Input((3,))
    with pytest.raises(NotRebuildable):
        rebuilt_model(keras.Model(inputs, Doubler()(inputs)))
