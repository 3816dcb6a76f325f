"""The grader's end: test cells run here, never in the learner's kernel.

``TestRunner.run(source)`` executes one test cell in the grader's own Python, in a namespace
that persists from test cell to test cell but that learner code never touches. A name the
cell uses without defining or importing it is looked up in the learner's kernel: plain
data is copied, anything else becomes a ``Handle``. Modules are never taken from the kernel.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import io
import linecache
import sys
import traceback
import types
import warnings

import numpy as np

from classroom.sandbox import rpc

# What a handle may be asked for by name: any public attribute, and these dunders (others,
# such as numpy's __array_interface__, would let the learner's side describe raw memory).
REMOTE_DUNDERS = {"__class__", "__name__", "__qualname__", "__module__", "__doc__"}
# The methods the learner's code may call on a numpy Generator a test hands over (the ways
# to sample a token or a number), with the position of each one's ``size`` argument, and the
# most values one call may draw: a call costs the grader's time and memory, not the kernel's.
GENERATOR_METHODS = {
    "random": 0, "uniform": 2, "normal": 2, "standard_normal": 0, "integers": 2,
    "choice": 1, "gumbel": 2, "exponential": 1, "standard_exponential": 0,
    "multinomial": 2, "permutation": None, "shuffle": None,
}
MAX_DRAWS = 2**20


def _check_draw(name: str, args: list, kwargs: dict) -> None:
    """Refuse a Generator call that would draw more than MAX_DRAWS values."""
    position = GENERATOR_METHODS[name]
    if "out" in kwargs:
        raise TypeError(f"rng.{name}: out= is not supported here")
    sizes = [kwargs.get("size")]
    if position is not None and len(args) > position:
        sizes.append(args[position])
    if name in ("choice", "permutation") and args and type(args[0]) is int:
        sizes.append(args[0])  # choice(n) and permutation(n) make a range of n first
    for size in sizes:
        count = int(np.prod(size)) if size is not None and np.ndim(size) <= 1 else 0
        if np.ndim(size) > 1 or count > MAX_DRAWS or count < 0:
            raise ValueError(f"rng.{name}: at most {MAX_DRAWS:,} values per call in the tests")



class Handle:
    """An object of the learner's that stays in the kernel.

    Attributes, items, calls, ``len``, iteration and conversions (``np.asarray``, ``float``,
    ``int``, ``str``) ask the kernel and bring plain data back. Comparing, hashing or
    truth-testing a handle raises TypeError: what the learner's object says about itself
    (an ``__eq__`` that is always True) never decides a test.
    """

    __slots__ = ("_rpc_endpoint", "_rpc_id", "_rpc_kind", "_rpc_type")
    _LOCAL = frozenset(__slots__) | {"_ask", "__array__"}

    def __init__(self, endpoint, node):
        object.__setattr__(self, "_rpc_endpoint", endpoint)
        object.__setattr__(self, "_rpc_id", node["id"])
        object.__setattr__(self, "_rpc_kind", str(node.get("kind")))
        object.__setattr__(self, "_rpc_type", str(node.get("type"))[:80])

    def _ask(self, op, *args, **fields):
        value, after = self._rpc_endpoint.request(op, self, args=args, **fields)
        return value

    def __getattribute__(self, name):
        if name in Handle._LOCAL:
            return object.__getattribute__(self, name)
        if name.startswith("__") and name not in REMOTE_DUNDERS:
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name, value):
        raise TypeError("the tests do not change objects of the learner's")

    def __call__(self, *args, **kwargs):
        value, after = self._rpc_endpoint.request("call", self, args=args, kwargs=kwargs)
        rpc.apply_changes(args, kwargs, after)  # what the learner's code changed in place
        return value

    def __getitem__(self, key):
        return self._ask("getitem", key)

    def __len__(self):
        return _typed(self._ask("len"), int, "len()")

    def __iter__(self):
        return iter(_typed(self._ask("list"), list, "iter()"))

    def __array__(self, dtype=None, copy=None):
        array = _typed(self._ask("array"), np.ndarray, "np.asarray()")
        return array if dtype is None else array.astype(dtype)

    def __float__(self):
        return float(_typed(self._ask("float"), (float, int, np.floating, np.integer), "float()"))

    def __int__(self):
        return int(_typed(self._ask("int"), (int, np.integer), "int()"))

    __index__ = __int__

    def __str__(self):
        return str(_typed(self._ask("str"), str, "str()"))

    def __repr__(self):
        try:
            return str(_typed(self._ask("repr"), str, "repr()"))
        except Exception:
            return f"<{self._rpc_type} object of the learner's>"

    def __format__(self, spec):
        return format(float(self), spec) if spec else str(self)

    def _refuse(self, *args):
        raise TypeError(
            f"a {self._rpc_type} from your code is not plain data (a number, a string, a numpy "
            "array, or a list, tuple or dict of those), so the tests cannot compare it or "
            "test it as true or false: return plain data")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __contains__ = _refuse
    __hash__ = _refuse


def _typed(value, kinds, what):
    if type(value) is Handle or not isinstance(value, kinds):
        raise TypeError(f"{what} of an object from your code did not give plain data")
    return value


class GraderSide(rpc.Policy):
    """The learner's code may only call the test functions and generators it was handed."""

    def export_kind(self, obj) -> str:
        if isinstance(obj, (types.FunctionType, np.ufunc)):
            return "function"
        if isinstance(obj, functools.partial) and isinstance(obj.func, types.FunctionType):
            return "function"
        if isinstance(obj, np.random.Generator):
            return "generator"
        if _keras_layer_class(obj):  # the kernel uses its own class of that name
            return "keras-layer"
        if isinstance(obj, types.MethodType) and isinstance(obj.__self__, np.random.Generator) \
                and obj.__name__ in GENERATOR_METHODS:
            return "generator-method"
        raise TypeError(f"a test cannot hand a {type(obj).__name__} to the learner's code: "
                        "pass plain data, a function defined in the test, a numpy Generator, "
                        "or a Keras layer class")

    def handle(self, endpoint, op, target, header, args, kwargs):
        if op == "call" and not isinstance(target, np.random.Generator):
            if self.export_kind(target) == "generator-method":  # only what was handed over
                _check_draw(target.__name__, args, kwargs)
            return rpc.changed_arguments(endpoint, target, args, kwargs)
        if op == "getattr" and isinstance(target, np.random.Generator) \
                and header.get("name") in GENERATOR_METHODS:
            return getattr(target, header["name"])
        raise TypeError(f"the learner's code may only call what the test handed it, not {op!r}")


def _keras_layer_class(obj) -> bool:
    keras = sys.modules.get("keras")
    return (isinstance(obj, type) and keras is not None
            and getattr(keras.layers, obj.__name__, None) is obj)


def free_names(tree: ast.AST) -> set[str]:
    """Names a cell reads but never binds (its own assignments, imports, defs, arguments)."""
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound - set(dir(builtins))


class TestRunner:
    """Runs a notebook's test cells in the grader, one after the other."""

    def __init__(self, endpoint: rpc.Endpoint):
        self.endpoint = endpoint
        self.namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
        self.fetched: set[str] = set()
        self.count = 0

    def run(self, source: str, label: str, session: str, hidden: bool = False) -> list[dict]:
        """The outputs of one test cell: what it printed, and its error if it failed.

        In a ``hidden`` cell, an error raised by the learner's code keeps its type but not its
        message: the learner's code could have written a hidden input into it.
        """
        self.endpoint.session = session
        budget = self.endpoint.budget
        if budget is not None:
            budget.new_cell()
        stdout, stderr = io.StringIO(), io.StringIO()
        error = None
        try:
            # catch_warnings: each test cell starts with the same warning filters and no
            # memory of warnings shown before, whichever notebook the grader ran first
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), \
                    warnings.catch_warnings():
                self._execute(source, label)
        except BaseException as exc:  # noqa: BLE001 - a failed test, whatever it raised
            error = exc
        finally:
            try:
                self.endpoint.send({"k": "done"})
            except Exception:
                pass
        if budget is not None and budget.overrun and not isinstance(error, rpc.OverBudget):
            error = rpc.OverBudget(budget.overrun)  # whatever the test did with the first one
        outputs = [{"output_type": "stream", "name": name, "text": text}
                   for name, text in (("stdout", stdout.getvalue()), ("stderr", stderr.getvalue()))
                   if text]
        if error is not None:
            outputs.append(_error_output(_without_learner_words(error) if hidden else error))
        return outputs

    def _execute(self, source: str, label: str) -> None:
        for name in self.fetched:  # what the kernel had then; ask again
            self.namespace.pop(name, None)
        self.fetched = set()
        tree = ast.parse(source)
        wanted = sorted(free_names(tree) - set(self.namespace))
        if wanted:
            found, _ = self.endpoint.request("lookup", names=wanted)
            if type(found) is not dict:
                raise TypeError("the kernel's answer is not a dict of names")
            for name, value in found.items():
                if type(value) is Handle and value._rpc_kind == "module":
                    raise NameError(
                        f"the test uses the module {name!r} from the notebook: a test cell must "
                        f"import what it uses itself (e.g. `import numpy as np`)")
                if type(name) is str and name in wanted:
                    self.namespace[name] = value
                    self.fetched.add(name)
        self.count += 1
        filename = f"<test cell {self.count}: {label}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(tree, filename, "exec"), self.namespace)  # noqa: S102 - the course's own tests


def _without_learner_words(error: BaseException) -> BaseException:
    """The error to show for a hidden test: one from the learner's code loses its message."""
    if not getattr(error, "from_other_side", False):
        return error
    shown = type(error)(f"your code raised {type(error).__name__} during the hidden tests (its "
                        "message is not shown: it could hold a hidden input)")
    shown.__traceback__ = error.__traceback__
    return shown


def _error_output(error: BaseException) -> dict:
    frames = traceback.extract_tb(error.__traceback__)
    keep = [f for f in frames if f.filename.startswith("<test cell") or
            ("classroom" not in f.filename and "nbclient" not in f.filename)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(keep),
             *traceback.format_exception_only(type(error), error)]
    return {"output_type": "error", "ename": type(error).__name__, "evalue": str(error),
            "traceback": ["".join(lines)]}
