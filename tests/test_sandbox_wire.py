"""The data-only channel between the grader and a learner's kernel (classroom.sandbox).

Two endpoints talk over a real ZeroMQ socket pair, the "kernel" one served in a thread,
as the grader and the kernel do during autograde (tests/test_sandbox.py drives the whole).
"""

from __future__ import annotations

import ast
import itertools
import threading

import numpy as np
import pytest
import zmq

from classroom.sandbox import rpc, wire
from classroom.sandbox.kernel_side import GraderObject, from_the_grader
from classroom.sandbox.trusted import GraderSide, Handle, free_names


def _round_trip(value):
    node, buffers = wire.encode(value, lambda obj: pytest.fail(f"exported {obj!r}"))
    header, frames = wire.unpack(wire.pack({"v": node}, buffers))
    return wire.decode(header["v"], frames, lambda n: pytest.fail("proxy"),
                       lambda i: pytest.fail("ref"))


@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 2.5, float("inf"), complex(1, -2), "text", b"\x00bytes",
    [1, [2, (3, {"a": 4, 5: "b"})]], {1, 2}, frozenset({"x"}),
    np.arange(12, dtype=np.float32).reshape(3, 4), np.array([True, False]),
    np.array(["ab", "c"]), np.float32(1.5), np.int64(7), np.zeros((0, 3)), np.array(3.0),
    np.arange(6.0).reshape(2, 3).T, np.arange(10)[::3],
])
def test_plain_data_crosses_unchanged(value):
    back = _round_trip(value)
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
        assert back.flags.writeable
    else:
        assert back == value


def test_nan_crosses():
    assert np.isnan(_round_trip(float("nan")))


@pytest.mark.parametrize("node, buffers, message", [
    ({"$": "nd", "dtype": "O", "shape": [1], "b": 0}, [b"\0" * 8], "not plain"),
    ({"$": "nd", "dtype": "<f8", "shape": [4], "b": 0}, [b"\0" * 8], "wrong size"),
    ({"$": "nd", "dtype": "<f8", "shape": [1], "b": 3}, [b"\0" * 8], "out of range"),
    ({"$": "nd", "dtype": [("a", "O")], "shape": [1], "b": 0}, [b"\0" * 8], "dtype"),
    ({"$": "pickle", "v": "cos\nsystem\n"}, [], "unknown node"),
    ({"$": "dict", "v": [[1]]}, [], "bad dict"),
    ({"not": "a node"}, [], "not a value node"),
])
def test_anything_but_plain_data_is_refused(node, buffers, message):
    with pytest.raises(wire.WireError, match=message):
        wire.decode(node, buffers, lambda n: None, lambda i: None)


def test_deep_nesting_is_refused():
    node = 1
    for _ in range(100):
        node = [node]
    with pytest.raises(wire.WireError, match="deeply"):
        wire.decode(node, [], lambda n: None, lambda i: None)


class Anything:
    """A learner's object that claims to equal everything."""

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__

    def __bool__(self):
        return True

    def __float__(self):
        return 0.0


class LearnerPolicy(rpc.Policy):
    """A stand-in for the kernel's side: answers calls and attribute reads."""

    def handle(self, endpoint, op, target, header, args, kwargs):
        if op == "lookup":
            return {n: NAMESPACE[n] for n in header["names"] if n in NAMESPACE}
        if op == "call":
            before = repr(endpoint.encode([args, kwargs]))
            result = target(*args, **kwargs)
            if repr(endpoint.encode([args, kwargs])) != before:
                return rpc.Reply((result, [args, kwargs]))
            return result
        if op == "getattr":
            return getattr(target, header["name"])
        if op == "float":
            return float(target)
        raise TypeError(op)


def _double_in_place(x):
    x *= 2
    return None


def _calls_back(step, rng):
    return [step(i) for i in range(3)], float(rng.random())


NAMESPACE = {
    "scale": lambda x, k=2: x * k,
    "anything": lambda: Anything(),
    "double_in_place": _double_in_place,
    "calls_back": _calls_back,
    "fails": lambda: (_ for _ in ()).throw(ValueError("empty input")),
    "fmean": lambda values: __import__("statistics").fmean(values),
    "shuffles": lambda rng, x: (rng.shuffle(x), rng.gumbel())[1],
    "layer_name": lambda layer: (isinstance(layer, type), layer.__name__),
    "big": lambda: np.zeros(2**18),  # 2 MiB
    "leaks": lambda values: (_ for _ in ()).throw(ValueError(f"got {list(values)}")),
    "draws": lambda rng, name, *args: getattr(rng, name)(*args),
}


_ADDRESSES = itertools.count()


@pytest.fixture
def grader():
    context = zmq.Context.instance()
    kernel_socket, grader_socket = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
    address = f"inproc://wire-test-{next(_ADDRESSES)}"
    kernel_socket.bind(address)
    grader_socket.connect(address)
    kernel = rpc.Endpoint(kernel_socket, LearnerPolicy(), GraderObject, from_the_grader)
    endpoint = rpc.Endpoint(grader_socket, GraderSide(), Handle)
    kernel.session = endpoint.session = "s"
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            message = kernel.receive(50)
            if message and message[0].get("k") == "req":
                kernel.serve_one(*message)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield endpoint
    stop.set()
    thread.join(5)
    kernel_socket.close(0)
    grader_socket.close(0)


def _lookup(endpoint, name):
    found, _ = endpoint.request("lookup", names=[name])
    return found[name]


def test_functions_are_called_across_with_plain_data(grader):
    scale = _lookup(grader, "scale")
    assert type(scale) is Handle
    result = scale(np.arange(3.0), k=3)
    assert type(result) is np.ndarray and result.tolist() == [0.0, 3.0, 6.0]


def test_an_object_equal_to_everything_is_a_handle_that_cannot_be_compared(grader):
    thing = _lookup(grader, "anything")()
    assert type(thing) is Handle
    for attempt in (lambda: thing == 2.5, lambda: bool(thing), lambda: hash(thing),
                    lambda: thing != 2.5, lambda: 2.5 == thing):
        with pytest.raises(TypeError, match="not plain data"):
            attempt()
    assert float(thing) == 0.0  # what it says it is, as a number the grader compares
    assert not isinstance(thing, float)
    with pytest.raises(AttributeError):
        _ = thing.__array_interface__  # numpy must never read raw memory descriptions


def test_changes_to_arguments_come_back(grader):
    x = np.ones(4)
    _lookup(grader, "double_in_place")(x)
    assert x.tolist() == [2.0] * 4


def test_learner_code_calls_back_into_test_functions_and_generators(grader):
    rng = np.random.default_rng(5)
    values, draw = _lookup(grader, "calls_back")(lambda i: i * 10, rng)
    assert values == [0, 10, 20]
    assert draw == np.random.default_rng(5).random()
    assert rng.random() == pytest.approx(np.random.default_rng(5).random(2)[1])


def test_exceptions_keep_their_builtin_type(grader):
    with pytest.raises(ValueError, match="empty input"):
        _lookup(grader, "fails")()
    with pytest.raises(ValueError, match="StatisticsError"):  # a subclass of ValueError
        _lookup(grader, "fmean")([])


def test_generator_methods_work_like_the_real_thing(grader):
    x = np.arange(10.0)
    rng = np.random.default_rng(3)
    draw = _lookup(grader, "shuffles")(rng, x)
    same, y = np.random.default_rng(3), np.arange(10.0)
    same.shuffle(y)
    assert x.tolist() == y.tolist() and draw == same.gumbel()


def test_a_test_cannot_hand_over_anything_but_data_functions_and_generators():
    with pytest.raises(TypeError, match="cannot hand"):
        GraderSide().export_kind(open)
    assert GraderSide().export_kind(lambda: 1) == "function"
    assert GraderSide().export_kind(np.random.default_rng(0)) == "generator"


def test_free_names_are_what_a_cell_takes_from_the_notebook():
    source = "import numpy as np\nx = np.ones(3)\ndef f(y):\n    return relu(y) + z\nf(x)\n"
    assert free_names(ast.parse(source)) == {"relu", "z"}


def test_a_keras_layer_class_arrives_as_the_kernels_own_class(grader):
    import keras

    assert _lookup(grader, "layer_name")(keras.layers.GRU) == (True, "GRU")


# --- the grader's bounds (issue 18) ----------------------------------------------------

def test_a_header_over_the_limit_is_refused_before_it_is_parsed():
    bomb = b"[" + b"[]," * (2 * 2**20) + b"[]]"  # 6 MiB of nested empty lists
    with pytest.raises(wire.WireError, match="size limits"):
        wire.unpack([bomb])
    with pytest.raises(wire.WireError, match="size limits"):
        wire.unpack([b"{}"] + [b""] * (wire.MAX_FRAMES + 1))


def test_the_grader_reads_no_more_than_its_budget(grader):
    big = _lookup(grader, "big")  # answers with 2 MiB
    grader.budget = rpc.Budget(cell_bytes=2**20)
    with pytest.raises(rpc.OverBudget, match="more than a cell may"):
        big()
    grader.budget = rpc.Budget(cell_bytes=3 * 2**20, notebook_bytes=5 * 2**20)
    for _ in range(2):
        grader.budget.new_cell()
        assert big().nbytes == 2**21
    grader.budget.new_cell()
    with pytest.raises(rpc.OverBudget, match="more than a notebook may"):
        big()
    assert grader.budget.exhausted()


def test_messages_nobody_asked_for_count_against_the_budget(grader):
    grader.budget = rpc.Budget(cell_messages=10)
    sender = zmq.Context.instance().socket(zmq.PAIR)
    # the kernel's socket is served by the fixture; speak to the grader through a new pair
    grader.socket.close(0)
    address = f"inproc://unasked-{next(_ADDRESSES)}"
    sender.bind(address)
    grader.socket = zmq.Context.instance().socket(zmq.PAIR)
    grader.socket.connect(address)
    for _ in range(20):
        sender.send_multipart(wire.pack({"k": "rep", "s": "old session", "id": 0}, []))
    with pytest.raises(rpc.OverBudget):
        grader.request("lookup", names=["big"])
    sender.close(0)


def test_a_tests_generator_refuses_draws_that_would_exhaust_the_grader(grader):
    draws = _lookup(grader, "draws")
    rng = np.random.default_rng(0)
    assert draws(rng, "random", 5).shape == (5,)
    with pytest.raises(ValueError, match="at most"):
        draws(rng, "random", 2**28)
    with pytest.raises(ValueError, match="at most"):
        draws(rng, "permutation", 2**28)
    with pytest.raises(TypeError, match="may only call"):
        draws(rng, "multivariate_normal", np.zeros(1200), np.eye(1200))


def test_a_hidden_test_does_not_show_what_the_learners_error_says(grader):
    from classroom.sandbox.trusted import TestRunner

    runner = TestRunner(grader)
    source = "leaks([1.25, 2.5])"
    shown = runner.run(source, "test_x_hidden", "s", hidden=True)[-1]
    assert shown["ename"] == "ValueError" and "1.25" not in shown["evalue"]
    visible = runner.run(source, "test_x", "s")[-1]
    assert "1.25" in visible["evalue"]


def test_the_grader_holds_a_socket_by_descriptor_and_never_follows_a_link(tmp_path):
    import os
    import socket

    from classroom.sandbox.executor import hold_socket

    kernel = zmq.Context.instance().socket(zmq.PAIR)
    kernel.bind(f"ipc://{tmp_path}/tests")
    (tmp_path / "file").write_text("not a socket")
    (tmp_path / "link").symlink_to(tmp_path / "tests")
    for wrong in ("file", "link"):
        with pytest.raises(RuntimeError, match="not the kernel's socket"):
            hold_socket(str(tmp_path / wrong))
    fd = hold_socket(str(tmp_path / "tests"))
    grader = zmq.Context.instance().socket(zmq.PAIR)
    grader.setsockopt(zmq.RECONNECT_IVL, 50)
    grader.connect(f"ipc:///proc/{os.getpid()}/fd/{fd}")
    grader.send(b"ping")
    assert kernel.poll(5000) and kernel.recv() == b"ping"
    # graded code closes its end and puts a link to a socket on the host in its place
    kernel.close(0)
    os.unlink(tmp_path / "tests")
    host = socket.socket(socket.AF_UNIX)
    host.bind(str(tmp_path / "host.sock"))
    host.listen()
    host.settimeout(1.0)
    os.symlink(tmp_path / "host.sock", tmp_path / "tests")
    with pytest.raises(TimeoutError):
        host.accept()  # the grader's reconnections go to the old socket, never to the link
    grader.close(0)
    host.close()
    os.close(fd)
