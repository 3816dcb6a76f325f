"""Calls across the wire: one ZeroMQ PAIR socket between the grader and the learner's kernel.

Both sides are an ``Endpoint``. A request is ``{"k": "req", "s": session, "id": n, "op": ...}``
and is answered by ``{"k": "rep", "s": session, "id": n, "ok": value}`` or ``..."err": {...}``.
While a side waits for its answer it serves the other side's requests, so the learner's code
can call back into a test (a ``step`` function handed to ``greedy_decode``) and the test can
read an object the learner's code handed back, to any depth. Messages of another session
(left over from a test cell that timed out) are dropped.

What a side lets the other do with its objects is its ``Policy``: the kernel's lets the tests
look at anything of the learner's; the grader's lets the learner's code only call the test
functions and random generators it was handed (see ``classroom.sandbox.executor``).
"""

from __future__ import annotations

import builtins
import itertools
import threading

import numpy as np
import zmq

from classroom.sandbox import wire

# Exceptions that keep their type when they cross: a test may expect a ValueError.
PORTABLE_ERRORS = {
    name: getattr(builtins, name) for name in (
        "ArithmeticError", "AssertionError", "AttributeError", "FloatingPointError",
        "IndexError", "KeyError", "LookupError", "MemoryError", "NameError",
        "NotImplementedError", "OverflowError", "RecursionError", "RuntimeError",
        "StopIteration", "TypeError", "UnboundLocalError", "ValueError", "ZeroDivisionError",
    )
}
MAX_MESSAGE = 64 * 2**20  # bytes in one frame; a larger one closes the connection (ZeroMQ)
RECEIVE_QUEUE = 2  # messages ZeroMQ may hold unread for the grader (its high-water mark)


class OverBudget(RuntimeError):
    """The other side sent more than a test cell or a notebook may (its grading ends)."""


class Budget:
    """How much the grader reads from the kernel: per test cell and per notebook, in bytes
    and in messages, counted before a message is decoded (and also when it is dropped)."""

    def __init__(self, cell_bytes: int = 256 * 2**20, cell_messages: int = 50_000,
                 notebook_bytes: int = 2 * 2**30, notebook_messages: int = 500_000):
        self.limits = {"cell": (cell_bytes, cell_messages),
                       "notebook": (notebook_bytes, notebook_messages)}
        self.used = {"cell": [0, 0], "notebook": [0, 0]}
        self.overrun = ""  # the message of the last overrun in this cell

    def new_cell(self) -> None:
        self.used["cell"] = [0, 0]
        self.overrun = ""

    def spend(self, frames) -> None:
        size = sum(len(f) for f in frames)
        for scope, (max_bytes, max_messages) in self.limits.items():
            used = self.used[scope]
            used[0] += size
            used[1] += 1
            if used[0] > max_bytes or used[1] > max_messages:
                self.overrun = (
                    f"the notebook's kernel sent more than a {scope} may ({max_bytes / 2**20:g} "
                    f"MiB or {max_messages:,} messages): the tests stopped reading it")
                raise OverBudget(self.overrun)

    def exhausted(self) -> bool:
        max_bytes, max_messages = self.limits["notebook"]
        return self.used["notebook"][0] > max_bytes or self.used["notebook"][1] > max_messages


class ChannelClosed(RuntimeError):
    """The other side stopped answering (its code ended, timed out, died or was changed)."""


class Policy:
    """What the other side may do with objects of this side (override in subclasses)."""

    def export_kind(self, obj) -> str:
        """How ``obj`` is described when it crosses as an object; raise TypeError to refuse."""
        return "function" if callable(obj) else "object"

    def handle(self, endpoint: Endpoint, op: str, target, header: dict, args, kwargs):
        raise TypeError(f"this side does not answer {op!r}")


class Endpoint:
    def __init__(self, socket: zmq.Socket, policy: Policy, proxy_class, make_proxy=None,
                 budget: Budget | None = None):
        self.socket = socket
        self.budget = budget
        self.policy = policy
        self.proxy_class = proxy_class  # what the other side's objects are here
        self.make_proxy = make_proxy or proxy_class
        self.session = ""
        self.exports: dict[int, object] = {}
        self._export_ids: dict[int, int] = {}
        self._ids = itertools.count(1)
        self.abort = threading.Event()

    # --- encoding -------------------------------------------------------------------

    def export(self, obj) -> dict:
        if type(obj) is self.proxy_class:  # the other side's own object goes back to it
            return {"$": "ref", "id": obj._rpc_id}
        kind = self.policy.export_kind(obj)
        key = id(obj)
        if key not in self._export_ids or self.exports.get(self._export_ids[key]) is not obj:
            new_id = next(self._ids)
            self._export_ids[key] = new_id
            self.exports[new_id] = obj
        label = getattr(type(obj), "__qualname__", "object")
        name = obj.__name__ if kind == "keras-layer" else ""
        return {"$": "obj", "id": self._export_ids[key], "kind": kind, "type": str(label)[:80],
                "name": name}

    def encode(self, value):
        return wire.encode(value, self.export)

    def decode(self, node, buffers):
        return wire.decode(node, buffers, lambda n: self.make_proxy(self, n), self._ref)

    def _ref(self, object_id: int):
        if object_id not in self.exports:
            raise wire.WireError("a reference to an object this side never sent")
        return self.exports[object_id]

    # --- messages -------------------------------------------------------------------

    def send(self, header: dict, buffers=()) -> None:
        header["s"] = self.session
        self.socket.send_multipart(wire.pack(header, list(buffers)), copy=False)

    def receive(self, timeout_ms: int) -> tuple[dict, list[bytes]] | None:
        if not self.socket.poll(timeout_ms):
            return None
        frames = self.socket.recv_multipart(copy=False)
        if self.budget is not None:
            self.budget.spend([f.buffer for f in frames])
        return wire.unpack([f.buffer for f in frames])

    def request(self, op: str, target=None, *, args=(), kwargs=None, **fields):
        """Ask the other side for ``op`` and wait, serving its requests meanwhile."""
        request_id = next(self._ids)
        node, buffers = self.encode([target, list(args), dict(kwargs or {})])
        self.send({"k": "req", "id": request_id, "op": op, "v": node, **fields}, buffers)
        while True:
            if self.abort.is_set():
                raise ChannelClosed(
                    "the notebook's kernel stopped answering the tests (it was interrupted, "
                    "timed out, died, or its code was changed)")
            message = self.receive(100)
            if message is None:
                continue
            header, buffers = message
            if header.get("s") != self.session:
                continue  # left over from an earlier test cell
            if header.get("k") == "req":
                self.serve_one(header, buffers)
            elif header.get("k") == "rep" and header.get("id") == request_id:
                return self._answer(header, buffers)
            elif header.get("k") == "done":
                raise ChannelClosed("the other side ended the conversation")

    def _answer(self, header, buffers):
        if "err" in header:
            error = header["err"] if type(header["err"]) is dict else {}
            kind = str(error.get("type", "Error"))[:100]
            base = str(error.get("base", ""))
            message = str(error.get("message", ""))[:10_000]
            if kind in PORTABLE_ERRORS:
                raised = PORTABLE_ERRORS[kind](message)
            elif base in PORTABLE_ERRORS:  # e.g. statistics.StatisticsError, a ValueError
                raised = PORTABLE_ERRORS[base](f"{kind}: {message}")
            else:
                raised = RuntimeError(f"{kind}: {message}")
            raised.from_other_side = True  # its message is the other side's words
            raise raised
        value = self.decode(header.get("ok"), buffers)
        if "after" in header:  # arguments the other side's code changed in place
            return value, self.decode(header["after"], buffers)
        return value, None

    def serve_one(self, header: dict, buffers: list[bytes]) -> None:
        """Answer one request of the other side (errors go back as errors)."""
        request_id = header.get("id")
        try:
            target, args, kwargs = self.decode(header.get("v"), buffers)
            if type(args) is not list or type(kwargs) is not dict \
                    or not all(type(k) is str for k in kwargs):
                raise wire.WireError("bad call arguments")
            result = self.policy.handle(self, str(header.get("op")), target, header, args, kwargs)
        except BaseException as error:  # noqa: BLE001 - everything goes back to the caller
            if isinstance(error, (SystemExit, GeneratorExit)):
                raise
            self.send({"k": "rep", "id": request_id,
                       "err": {"type": type(error).__name__, "base": _portable_base(error),
                               "message": str(error)[:10_000]}})
            if isinstance(error, KeyboardInterrupt):
                raise
            return
        value, after = result if type(result) is Reply else (result, None)
        try:
            node, out = self.encode(value)
            reply = {"k": "rep", "id": request_id, "ok": node}
            if after is not None:
                after_node, after_buffers = wire.encode(after, self.export)
                reply["after"] = _shift(after_node, len(out))
                out = out + after_buffers
        except Exception as error:  # a result that cannot cross
            self.send({"k": "rep", "id": request_id,
                       "err": {"type": "TypeError", "message": str(error)[:10_000]}})
            return
        self.send(reply, out)


def _portable_base(error: BaseException) -> str:
    """The nearest built-in exception class of ``error`` that keeps its type across."""
    for cls in type(error).__mro__:
        if PORTABLE_ERRORS.get(cls.__name__) is cls:
            return cls.__name__
    return ""


def changed_arguments(endpoint: Endpoint, call, args, kwargs):
    """Call, and send the arguments back too if the call changed them in place."""
    before = _encoded(endpoint, args, kwargs)
    result = call(*args, **kwargs)
    if _encoded(endpoint, args, kwargs) != before:
        return Reply((result, [args, kwargs]))
    return result


def _encoded(endpoint, args, kwargs):
    try:
        node, buffers = endpoint.encode([args, kwargs])
    except Exception:
        return None
    return repr(node), buffers


def apply_changes(args, kwargs, after) -> None:
    """Make the caller's arguments what the other side's code left them as."""
    if after is None:
        return
    new_args, new_kwargs = after
    for old, new in zip(args, new_args, strict=False):
        sync_in_place(old, new)
    for key, old in kwargs.items():
        if key in new_kwargs:
            sync_in_place(old, new_kwargs[key])


class Reply(tuple):
    """A result with the arguments as they are after the call: ``Reply((value, after))``."""


def _shift(node, offset: int):
    """The node with its buffer indices moved by ``offset`` (two encodings, one message)."""
    if type(node) is list:
        return [_shift(x, offset) for x in node]
    if type(node) is dict:
        moved = {k: _shift(v, offset) if k == "v" else v for k, v in node.items()}
        if "b" in node:
            moved["b"] = node["b"] + offset
        return moved
    return node


def sync_in_place(original, changed) -> None:
    """Copy what the other side's code changed in an argument back into the original."""
    if isinstance(original, np.ndarray) and type(changed) is np.ndarray:
        if original.shape == changed.shape and original.flags.writeable \
                and not np.array_equal(original, changed, equal_nan=original.dtype.kind in "fc"):
            np.copyto(original, changed, casting="unsafe")
    elif type(original) is list and type(changed) is list:
        merged = []
        for i, new in enumerate(changed):
            old = original[i] if i < len(original) else None
            merged.append(_merged(old, new))
        original[:] = merged
    elif type(original) is dict and type(changed) is dict:
        for key in [k for k in original if k not in changed]:
            del original[key]
        for key, new in changed.items():
            original[key] = _merged(original.get(key), new)
    elif type(original) is tuple and type(changed) is tuple and len(original) == len(changed):
        for old, new in zip(original, changed, strict=True):
            sync_in_place(old, new)


def _merged(old, new):
    """``old`` updated in place if it can be (keeps its identity), else ``new``."""
    if isinstance(old, np.ndarray) and type(new) is np.ndarray \
            and old.shape == new.shape and old.dtype == new.dtype:
        sync_in_place(old, new)
        return old
    if type(old) is type(new) and type(new) in (list, dict):
        sync_in_place(old, new)
        return old
    return new
