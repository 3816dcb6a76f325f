"""The kernel's end of the test channel: it runs inside the learner's (sandboxed) kernel.

The grader runs ``start(address)`` once, before the learner's first cell, and
``serve(session)`` in place of every test cell: while the grader runs the test, this loop
answers its questions (look up a name, call a function, read an attribute) about the
learner's objects. Learner code can change or break anything here: that only ever makes
the learner's own tests fail, because every verdict is computed in the grader.
"""

from __future__ import annotations

import numpy as np
import zmq

from classroom.sandbox import rpc, wire

_endpoint: rpc.Endpoint | None = None


class GraderObject:
    """In the kernel, a function or random generator the test handed to the learner's code."""

    __slots__ = ("_rpc_endpoint", "_rpc_id", "_rpc_kind", "_rpc_type")

    def __init__(self, endpoint, node):
        self._rpc_endpoint = endpoint
        self._rpc_id = node["id"]
        self._rpc_kind = str(node.get("kind"))
        self._rpc_type = str(node.get("type"))

    def __call__(self, *args, **kwargs):
        value, after = self._rpc_endpoint.request("call", self, args=args, kwargs=kwargs)
        rpc.apply_changes(args, kwargs, after)
        return value

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value, _ = self._rpc_endpoint.request("getattr", self, name=name)
        return value

    def __repr__(self):
        return f"<{self._rpc_type} from the test>"


class LearnerSide(rpc.Policy):
    """The tests may look at any object of the learner's; results go back as plain data."""

    def export_kind(self, obj) -> str:
        if type(obj).__name__ == "module":
            return "module"
        return "function" if callable(obj) else "object"

    def handle(self, endpoint, op, target, header, args, kwargs):
        if op == "lookup":
            namespace = get_ipython().user_ns  # noqa: F821 (the kernel's IPython)
            names = header.get("names") or []
            return {n: namespace[n] for n in names if type(n) is str and n in namespace}
        if op == "getattr":
            return getattr(target, str(header.get("name")))
        if op == "getitem":
            return target[args[0]]
        if op == "call":
            return rpc.changed_arguments(endpoint, target, args, kwargs)
        if op == "len":
            return len(target)
        if op == "list":
            return list(target)
        if op == "array":
            array = np.asarray(wire.tensor_to_array(target))
            if array.dtype.kind not in wire.PLAIN_KINDS:
                raise TypeError(f"a {type(target).__name__} is not an array of numbers")
            return array
        if op == "float":
            return float(target)
        if op == "int":
            return int(target)
        if op == "str":
            return str(target)
        if op == "repr":
            return repr(target)[:1000]
        raise TypeError(f"unknown request {op!r}")


def from_the_grader(endpoint, node):
    """What an object of the grader's becomes here: a Keras layer class is the kernel's own
    class of that name; anything else a ``GraderObject`` the learner's code can call."""
    if node.get("kind") == "keras-layer":
        import keras

        layer = getattr(keras.layers, str(node.get("name")), None)
        if isinstance(layer, type):
            return layer
    return GraderObject(endpoint, node)


def start(address: str) -> None:
    """Open the kernel's end of the channel (the grader connects to it)."""
    global _endpoint
    socket = zmq.Context.instance().socket(zmq.PAIR)
    socket.setsockopt(zmq.MAXMSGSIZE, rpc.MAX_MESSAGE)
    socket.setsockopt(zmq.LINGER, 0)
    socket.bind(address)
    _endpoint = rpc.Endpoint(socket, LearnerSide(), GraderObject, from_the_grader)


def serve(session: str) -> None:
    """Answer the grader until it says the test cell is done."""
    endpoint = _endpoint
    endpoint.session = session
    while True:
        message = endpoint.receive(200)
        if message is None:
            continue
        header, buffers = message
        if header.get("s") != session:
            continue
        if header.get("k") == "req":
            endpoint.serve_one(header, buffers)
        elif header.get("k") == "done":
            return
