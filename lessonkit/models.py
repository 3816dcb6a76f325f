"""A learner's trained model as plain data: what outcome tests judge.

An outcome test ("the forecaster beats the baseline") must not trust the learner's model
object: during grading it lives in the learner's kernel, and an object of any class can
answer ``predict`` with whatever it likes. ``rebuilt_model`` asks the model only for plain
data, its Keras configuration (JSON text) and its weights (numpy arrays), and builds a
fresh Keras model from them with Keras' own layers and the course's layers
(``lessonkit.layers``), in safe mode. The test then predicts with the copy, on data it
makes itself. The same call works in a learner's own notebook (Validate), where the model
is a real Keras model.

What cannot be rebuilt that way earns nothing, with a message that says why: a model of a
class defined in the notebook, a ``Lambda`` layer, an object that is no Keras model.
"""

from __future__ import annotations

import json

import numpy as np

MAX_CONFIG_CHARS = 2_000_000
MAX_PARAMETERS = 20_000_000
MAX_SIZE_IN_CONFIG = 1_000_000  # no layer of the course has a size near this
# modules a configuration may name (Keras' own), and the kinds of object each may give
_MODULE_PREFIXES = ("keras.layers", "keras.initializers", "keras.regularizers",
                    "keras.constraints", "keras.activations", "keras.optimizers",
                    "keras.losses", "keras.metrics", "keras.src.layers.",
                    "keras.src.models.", "keras.src.initializers.", "keras.src.regularizers.",
                    "keras.src.constraints.", "keras.src.optimizers.", "keras.src.losses.",
                    "keras.src.metrics.", "keras.src.activations.")
_FUNCTION_MODULES = ("keras.activations", "keras.losses", "keras.metrics",
                     "keras.src.activations.", "keras.src.losses.", "keras.src.metrics.")
_REFUSED = {"Lambda", "__lambda__", "TFSMLayer", "function"}


class NotRebuildable(AssertionError):
    """The object cannot be rebuilt from plain data as a Keras model (a failed test)."""


def course_layers() -> dict[str, type]:
    """The course's own Keras layers (trusted code), by the names a configuration uses."""
    from lessonkit import layers

    found = {}
    for name in getattr(layers, "__all__", []):
        cls = getattr(layers, name)
        found[name] = cls
        found[f"lessonkit>{name}"] = cls
    return found


def _check_config(node, custom: dict, path: str = "config") -> None:
    """Refuse anything in a Keras configuration that is not Keras' own or the course's."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check_config(item, custom, f"{path}[{i}]")
        return
    if isinstance(node, bool) or node is None or isinstance(node, (str, float)):
        return
    if isinstance(node, int):
        if abs(node) > MAX_SIZE_IN_CONFIG and not path.endswith("seed"):
            raise NotRebuildable(f"{path} is {node}: a layer that large is not part of a "
                                 "model of this course")
        return
    if not isinstance(node, dict):
        raise NotRebuildable(f"{path} is not JSON data")
    name = node.get("class_name")
    if name is not None and name != "__keras_tensor__":
        module = node.get("module")
        registered = node.get("registered_name")
        is_function = name == "function" and isinstance(module, str) \
            and module.startswith(_FUNCTION_MODULES)
        if registered in custom or name in custom and module in (None, "lessonkit.layers"):
            pass
        elif name in _REFUSED and not is_function:
            raise NotRebuildable(
                f"{path} is a {name} layer: the grader rebuilds models only from Keras' own "
                "layers and the course's (no Lambda layers or layers defined in the notebook)")
        elif not (isinstance(module, str) and (module == "keras" or
                                               module.startswith(_MODULE_PREFIXES))):
            raise NotRebuildable(
                f"{path} is a {name} from {module!r}: the grader rebuilds models only from "
                "Keras' own layers and the course's (lessonkit.layers), not from classes "
                "defined in the notebook")
        elif registered not in (None, name) and not str(registered).startswith("keras"):
            raise NotRebuildable(f"{path} names the registered object {registered!r}")
    for key, value in node.items():
        _check_config(value, custom, f"{path}.{key}")


def rebuilt_model(model, what: str = "the model", compiled: bool = False,
                  max_parameters: int = MAX_PARAMETERS):
    """A fresh Keras model made from ``model``'s configuration and weights (plain data only).

    ``compiled=True`` also restores its compile settings (optimizer, loss, metrics), for a
    test that checks them. Raises ``NotRebuildable`` (an AssertionError, so the test fails
    with the message) when ``model`` is not a Keras model this course's layers can rebuild.
    """
    import keras

    try:
        text = model.to_json()
        weights = model.get_weights()
    except Exception as error:
        raise NotRebuildable(
            f"{what} is not a Keras model: asking for its configuration and weights "
            f"(to_json(), get_weights()) failed with {type(error).__name__}: {error}") from None
    if type(text) is not str or len(text) > MAX_CONFIG_CHARS:
        raise NotRebuildable(f"{what}.to_json() did not give a Keras configuration (JSON text)")
    if type(weights) is not list or not all(type(w) is np.ndarray and w.dtype.kind in "fiub"
                                            for w in weights):
        raise NotRebuildable(f"{what}.get_weights() did not give a list of numpy arrays")
    if sum(w.size for w in weights) > max_parameters:
        raise NotRebuildable(f"{what} has more than {max_parameters:,} parameters")
    try:
        config = json.loads(text)
    except ValueError as error:
        raise NotRebuildable(f"{what}.to_json() is not JSON ({error})") from None
    custom = course_layers()
    # compile settings matter only to a copy that is compiled: a model trained with a loss
    # written in the notebook can still be rebuilt for its predictions
    compile_config = config.pop("compile_config", None) if isinstance(config, dict) else None
    _check_config(config, custom)
    if compiled and compile_config is not None:
        _check_config(compile_config, custom, "compile_config")
    try:
        rebuilt = keras.saving.deserialize_keras_object(config, custom_objects=custom,
                                                         safe_mode=True)
    except Exception as error:
        raise NotRebuildable(f"{what} could not be rebuilt from its configuration: "
                             f"{type(error).__name__}: {error}") from None
    if not isinstance(rebuilt, keras.Model):
        raise NotRebuildable(f"{what}'s configuration does not describe a Keras model")
    expected = [tuple(v.shape) for v in rebuilt.weights]
    if [w.shape for w in weights] != expected:
        raise NotRebuildable(f"{what}'s weights do not fit its configuration: shapes "
                             f"{[w.shape for w in weights]}, expected {expected}")
    rebuilt.set_weights(weights)
    if compiled:
        if not isinstance(compile_config, dict):
            raise NotRebuildable(f"{what} is not compiled: call model.compile(...) first")
        try:
            rebuilt.compile_from_config(compile_config)
        except Exception as error:
            raise NotRebuildable(f"{what}'s compile settings could not be restored: "
                                 f"{type(error).__name__}: {error}") from None
    return rebuilt
