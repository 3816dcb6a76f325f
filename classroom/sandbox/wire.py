"""Plain data on the wire between the trusted grader and the learner's kernel.

A message is a list of frames: a JSON header, then one raw buffer per numpy array or
bytes object it carries. Only data crosses: None, bool, int, float, complex, str, bytes,
numpy arrays and scalars of a plain dtype (bool, int, uint, float, complex, str), and
lists, tuples, dicts and sets of those. There is no pickle and nothing that names a
class to build, so decoding a message can only ever make those types, or the proxies
the endpoint gives it for objects that stay on the other side (``{"$": "obj"}``).

    encode(value, export) -> (node, buffers)      export(obj) -> node for other objects
    decode(node, buffers, proxy, ref) -> value    proxy(node) / ref(id) for object nodes
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np

PLAIN_KINDS = "biufcUS"  # numpy dtype kinds that are data and nothing else
MAX_DEPTH = 64
MAX_HEADER = 4 * 2**20  # bytes of JSON header; a larger one is refused before it is parsed
MAX_FRAMES = 4096  # buffers in one message


class WireError(ValueError):
    """A message that is not plain data as this module defines it."""


def plain_dtype(text: str) -> np.dtype:
    """The numpy dtype named by ``text`` if it is a plain one, else WireError."""
    try:
        dtype = np.dtype(text)
    except TypeError as error:
        raise WireError(f"not a dtype: {text!r}") from error
    if dtype.kind not in PLAIN_KINDS or dtype.hasobject or dtype.fields is not None:
        raise WireError(f"dtype {dtype} is not plain data")
    return dtype


def _plain(dtype: np.dtype) -> bool:
    return dtype.kind in PLAIN_KINDS and not dtype.hasobject and dtype.fields is None


def tensor_to_array(value):
    """A TensorFlow / Keras tensor or variable as a numpy array; anything else unchanged."""
    module = type(value).__module__ or ""
    if module.startswith(("tensorflow", "keras")) and hasattr(value, "numpy") \
            and hasattr(value, "shape") and hasattr(value, "dtype"):
        try:
            return np.asarray(value.numpy())
        except Exception:  # not a concrete tensor (a symbolic one): stays an object
            return value
    return value


def encode(value, export: Callable[[object], dict]) -> tuple[object, list[bytes]]:
    """``value`` as a JSON-able node and its buffers; ``export`` turns other objects into nodes."""
    buffers: list[bytes] = []

    def buffer(data: bytes) -> int:
        buffers.append(data)
        return len(buffers) - 1

    def walk(item, depth):
        # type() only, never isinstance(): an object of the other side must not be asked
        # what it is (isinstance() reads __class__, which a proxy forwards)
        if depth > MAX_DEPTH:
            raise WireError("data nested too deeply")
        kind = type(item)
        if item is None or kind in (bool, str, int):
            return item
        if kind is float:
            return item if math.isfinite(item) else {"$": "float", "v": repr(item)}
        if kind is complex:
            return {"$": "complex", "v": [repr(item.real), repr(item.imag)]}
        if kind is bytes:
            return {"$": "bytes", "b": buffer(item)}
        if kind is np.ndarray and _plain(item.dtype):
            return {"$": "nd", "dtype": item.dtype.str, "shape": list(item.shape),
                    "b": buffer(item.tobytes())}  # tobytes(): C order, any layout, 0-d too
        if issubclass(kind, np.generic) and _plain(item.dtype):
            return {"$": "np", "dtype": item.dtype.str, "b": buffer(item.tobytes())}
        if kind is list:
            return [walk(x, depth + 1) for x in item]
        if kind is tuple:
            return {"$": "tuple", "v": [walk(x, depth + 1) for x in item]}
        if kind is dict:
            return {"$": "dict", "v": [[walk(k, depth + 1), walk(v, depth + 1)]
                                      for k, v in item.items()]}
        if kind in (set, frozenset):
            return {"$": kind.__name__, "v": [walk(x, depth + 1) for x in item]}
        converted = tensor_to_array(item)
        if converted is not item:
            return walk(converted, depth)
        return export(item)

    return walk(value, 0), buffers


def decode(node, buffers: list[bytes], proxy: Callable[[dict], object],
           ref: Callable[[int], object]):
    """The value a node stands for; ``proxy`` makes object nodes, ``ref`` finds our own."""

    def take(index) -> bytes:
        if type(index) is not int or not 0 <= index < len(buffers):
            raise WireError("a buffer index out of range")
        return buffers[index]

    def walk(item, depth):
        if depth > MAX_DEPTH:
            raise WireError("data nested too deeply")
        if item is None or type(item) in (bool, int, float, str):
            return item
        if type(item) is list:
            return [walk(x, depth + 1) for x in item]
        if type(item) is not dict or not isinstance(item.get("$"), str):
            raise WireError("not a value node")
        tag = item["$"]
        if tag == "nd":
            dtype = plain_dtype(item.get("dtype"))
            shape = item.get("shape")
            if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
                raise WireError("a bad array shape")
            data = take(item.get("b"))
            if len(data) != math.prod(shape) * dtype.itemsize:
                raise WireError("array data of the wrong size")
            return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
        if tag == "np":
            dtype = plain_dtype(item.get("dtype"))
            data = take(item.get("b"))
            if len(data) != dtype.itemsize:
                raise WireError("scalar data of the wrong size")
            return np.frombuffer(data, dtype=dtype)[0]
        if tag == "float":
            value = float(item.get("v"))
            return value
        if tag == "complex":
            real, imag = item.get("v")
            return complex(float(real), float(imag))
        if tag == "bytes":
            return bytes(take(item.get("b")))
        if tag in ("tuple", "set", "frozenset"):
            values = item.get("v")
            if type(values) is not list:
                raise WireError(f"a bad {tag}")
            items = [walk(x, depth + 1) for x in values]
            return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
        if tag == "dict":
            pairs = item.get("v")
            if type(pairs) is not list or not all(type(p) is list and len(p) == 2 for p in pairs):
                raise WireError("a bad dict")
            return {walk(k, depth + 1): walk(v, depth + 1) for k, v in pairs}
        if tag == "obj":
            if type(item.get("id")) is not int:
                raise WireError("a bad object reference")
            return proxy(item)
        if tag == "ref":
            if type(item.get("id")) is not int:
                raise WireError("a bad object reference")
            return ref(item["id"])
        raise WireError(f"unknown node {tag!r}")

    return walk(node, 0)


def pack(header: dict, buffers: list[bytes]) -> list[bytes]:
    """The frames of one message."""
    return [json.dumps(header, allow_nan=False).encode(), *buffers]


def unpack(frames: list[bytes]) -> tuple[dict, list[bytes]]:
    """The header and buffers of one message, or WireError."""
    if not frames:
        raise WireError("an empty message")
    if len(frames[0]) > MAX_HEADER or len(frames) > MAX_FRAMES + 1:
        raise WireError(f"a message over the size limits (header {len(frames[0]):,} bytes, "
                        f"{len(frames) - 1:,} buffers)")
    try:
        header = json.loads(bytes(frames[0]))
    except (ValueError, RecursionError) as error:
        raise WireError("a header that is not JSON") from error
    if type(header) is not dict:
        raise WireError("a header that is not an object")
    return header, [bytes(f) for f in frames[1:]]
