"""``SandboxedExecute``: nbgrader's Execute step, with the kernel sandboxed and the tests trusted.

nbgrader_config.py puts it in place of ``nbgrader.preprocessors.Execute`` in the autograde
preprocessors, so every way of autograding uses it (``nbgrader autograde``,
``python -m classroom.autograde``, the formgrader on the hub). Learners' own Validate keeps
nbgrader's plain Execute: there the tests run in their kernel, as they always did.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import secrets
import shutil
import stat
import tempfile
import threading
import time
from concurrent.futures import Executor, Future
from pathlib import Path

import zmq
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from classroom.sandbox import rpc
from classroom.sandbox.bwrap import KERNEL_DIR, Sandbox
from classroom.sandbox.trusted import GraderSide, Handle, TestRunner

OPEN_CHANNEL = "import classroom.sandbox.kernel_side as _k; _k.start({address!r}); del _k"
SERVE = "__import__('classroom.sandbox.kernel_side', fromlist=['serve']).serve({session!r})"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
# Jupyter messages from the kernel: the largest frame, and how many messages ZeroMQ may hold
# unread (a kernel that floods its channels cannot fill the grader's memory)
JUPYTER_MAX_FRAME = 32 * 2**20
JUPYTER_QUEUE = 1000
SOCKET_WAIT = 120  # seconds for a sandboxed kernel to open its sockets


def hold_socket(path: str) -> int:
    """An O_PATH descriptor of the UNIX socket at ``path`` (never a link to elsewhere).

    The grader connects to ``/proc/self/fd/N`` of it, so the kernel's socket is reached by
    its inode: graded code may later remove or replace the path (with a link to a socket on
    the host, say), and a reconnection still goes to the same socket or fails.
    """
    fd = os.open(path, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC)
    if not stat.S_ISSOCK(os.fstat(fd).st_mode):
        os.close(fd)
        raise RuntimeError(f"{path} is not the kernel's socket")
    return fd


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _import_test_modules(nb) -> None:
    """Import the heavy modules the notebook's test cells use, ahead of the first test."""
    text = "\n".join(cell.source for cell in nb.cells if is_test_cell(cell))
    for module in ("lessonkit", "tensorflow", "keras"):  # lessonkit first: quiet TensorFlow
        if f"import {module}" in text or f"from {module}" in text or module == "lessonkit":
            try:
                __import__(module)
            except Exception:  # the test cell will say what is wrong
                pass


class DaemonWorker(Executor):
    """One daemon thread that runs the tests of a notebook in order. A test stuck in it (it
    cannot be stopped) does not keep the grading process alive at exit."""

    def __init__(self):
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._loop, daemon=True, name="trusted-tests").start()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        self._calls.put((future, fn, args, kwargs))
        return future

    def _loop(self) -> None:
        while (call := self._calls.get()) is not None:
            future, fn, args, kwargs = call
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as error:  # noqa: BLE001 - it goes to the caller
                    future.set_exception(error)

    def shutdown(self, wait=True, *, cancel_futures=False) -> None:
        self._calls.put(None)


class SandboxKernelManager(AsyncKernelManager):
    """A kernel started inside bubblewrap, reached over IPC sockets in the sandbox's /run."""

    sandbox: Sandbox
    workdir: Path
    folder: str
    cgroups: list[str]
    root = ""  # /proc/<pid>/root: the sandbox's files, seen from the grader

    def format_kernel_cmd(self, extra_arguments=None):
        argv = super().format_kernel_cmd(extra_arguments)
        host_file = os.path.realpath(self.connection_file)
        info = json.loads(Path(host_file).read_text())
        (self.workdir / "connection.json").write_text(json.dumps(info))
        argv = [f"{KERNEL_DIR}/connection.json" if a == host_file else a for a in argv]
        return self.sandbox.command(argv, self.workdir, self.folder, self.cgroups)

    held: list[int]

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        kw["cwd"] = str(self.workdir)
        await super()._async_launch_kernel(kernel_cmd, **kw)
        process = self.provisioner.process
        deadline = time.monotonic() + 30
        child = ""
        while not child and time.monotonic() < deadline and process.poll() is None:
            try:
                child = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
                child = child[0] if child else ""
            except OSError:
                child = ""
            if not child:
                await asyncio.sleep(0.01)
        if not child:
            raise RuntimeError(f"the sandbox did not start (bwrap exited with {process.poll()})")
        self.root = f"/proc/{child}/root"
        await self._hold_kernel_sockets(process)

    async def _hold_kernel_sockets(self, process) -> None:
        """Wait for the kernel's five sockets, hold each by descriptor, and point the client at
        them through links in a folder of the grader's that the sandbox cannot see. This runs
        before any learner code: what the paths are now is the kernel's own sockets."""
        inside = f"{self.root}{KERNEL_DIR}/k"
        held = self.workdir / "held"
        held.mkdir(exist_ok=True)
        ports = [self.shell_port, self.iopub_port, self.stdin_port, self.control_port,
                 self.hb_port]
        self.held = []
        deadline = time.monotonic() + SOCKET_WAIT
        for port in ports:
            while not os.path.exists(f"{inside}-{port}"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the grading kernel did not open its sockets")
                await asyncio.sleep(0.02)
            fd = hold_socket(f"{inside}-{port}")
            self.held.append(fd)
            (held / f"k-{port}").symlink_to(f"/proc/{os.getpid()}/fd/{fd}")
        self.ip = str(held / "k")

    def release_sockets(self) -> None:
        for fd in getattr(self, "held", []):
            os.close(fd)
        self.held = []

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        # the client's sockets are made from its context: bound them all
        kc.context.setsockopt(zmq.MAXMSGSIZE, JUPYTER_MAX_FRAME)
        kc.context.setsockopt(zmq.RCVHWM, JUPYTER_QUEUE)
        return kc


class SandboxedExecute(Execute):
    """Execute a submission: learner cells in the (sandboxed) kernel, test cells in the grader."""

    trusted_tests = Bool(True, help="""Run test cells in the grader (they call the learner's
        functions across a data-only channel). False runs them in the learner's kernel, as
        plain nbgrader does.""").tag(config=True)
    max_cell_outputs = Integer(1000, help="""Outputs kept per cell; later ones are dropped
        and the problem is reported.""").tag(config=True)
    max_cell_output_bytes = Integer(4 * 2**20, help="""Bytes of output kept per cell (as the
        kernel sent them); later outputs are dropped and the problem is
        reported.""").tag(config=True)
    max_notebook_output_bytes = Integer(16 * 2**20, help="""Bytes of output kept per
        notebook.""").tag(config=True)
    max_test_bytes = Integer(256 * 2**20, help="""Bytes the tests of one cell may read from
        the kernel (the test then fails).""").tag(config=True)
    max_notebook_test_bytes = Integer(2 * 2**30, help="""Bytes the tests of one notebook
        may read from the kernel.""").tag(config=True)

    # set when a test ran past its time in the grader: its thread cannot be stopped, so
    # ``python -m classroom.autograde`` ends this grading process after the notebook
    verdict_timed_out = False

    def preprocess(self, nb, resources=None, km=None):
        self.sandbox = Sandbox(parent=self)
        if self.sandbox.enabled:
            self.sandbox.check()
        else:
            self.log.warning("Grading WITHOUT the sandbox (Sandbox.enabled = False): the "
                             "learner's code runs with this account's rights.")
        self._workdir = Path(tempfile.mkdtemp(prefix="classroom-grading-"))
        self._cgroups = self.sandbox.cgroups(self._workdir.name) if self.sandbox.enabled else []
        self._worker = DaemonWorker()
        self._runner: TestRunner | None = None
        self._runner_stuck = False
        self._problems: list[str] = []
        self._output_used = {"notebook": 0}
        # cell index -> [outputs kept, bytes kept, outputs dropped, bytes dropped]
        self._output_counts: dict[int, list[int]] = {}
        self._held: list[int] = []  # descriptors of the test channel's socket
        self._sandbox_km = None
        if self.trusted_tests:  # the grader imports what the tests need while the kernel starts
            self._worker.submit(_import_test_modules, nb)
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            if self._runner is not None and not self._runner_stuck:
                self._worker.submit(self._runner.endpoint.socket.close, 0)
            self._worker.shutdown(wait=False)
            if self._sandbox_km is not None:
                self._sandbox_km.release_sockets()
            for fd in self._held:
                os.close(fd)
            self.sandbox.remove_cgroups(self._cgroups)
            shutil.rmtree(self._workdir, ignore_errors=True)
        if self._runner is not None and self._runner.endpoint.budget.exhausted():
            self._problems.append(self._runner.endpoint.budget.overrun
                                  or "the kernel sent the tests more than a notebook may")
        nb.metadata["classroom"] = {
            "sandbox": "bubblewrap: " + self.sandbox.describe() if self.sandbox.enabled else "off",
            "tests": "run by the grader" if self.trusted_tests else "run in the learner's kernel",
        }
        if self._problems:
            nb.metadata["classroom"]["problems"] = self._problems
        return nb, resources

    # --- the kernel -------------------------------------------------------------------

    def create_kernel_manager(self):
        if not self.sandbox.enabled:
            return super().create_kernel_manager()
        self.kernel_manager_class = SandboxKernelManager
        km = super().create_kernel_manager()
        km.sandbox, km.workdir, km.cgroups = self.sandbox, self._workdir, self._cgroups
        km.transport, km.ip = "ipc", f"{KERNEL_DIR}/k"
        km.kernel_spec.interrupt_mode = "message"  # no signal crosses into the sandbox
        self._sandbox_km = km
        return km

    async def async_start_new_kernel(self, **kwargs):
        source = Path(self.resources.get("metadata", {}).get("path") or ".")
        staged = self._workdir / "submission"
        shutil.copytree(source, staged, ignore=shutil.ignore_patterns("*.ipynb", ".*"),
                        symlinks=False, ignore_dangling_symlinks=True)
        (self._workdir / "passwd").write_text(
            "learner:x:1000:1000:learner:/home/learner:/bin/sh\n")
        (self._workdir / "group").write_text("learner:x:1000:\n")
        if self.sandbox.enabled:
            self.km.folder = source.name or "submission"
        self._channel_open = False
        await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)

    async def _open_channel(self) -> None:
        """Start the kernel's end of the test channel (before any learner code runs), and
        hold its socket by descriptor."""
        if self.sandbox.enabled:
            kernel_address = f"ipc://{KERNEL_DIR}/tests"
            path = f"{self.km.root}{KERNEL_DIR}/tests"
        else:
            kernel_address = f"ipc://{self._workdir}/tests"
            path = f"{self._workdir}/tests"
        msg_id = self.kc.execute(OPEN_CHANNEL.format(address=kernel_address), silent=True,
                                 store_history=False)
        reply = await self.async_wait_for_reply(msg_id)
        if reply is None or reply["content"]["status"] != "ok":
            detail = reply["content"].get("evalue", "") if reply else "no reply"
            raise RuntimeError(f"the grading kernel could not open the test channel: {detail}")
        fd = hold_socket(path)
        self._held.append(fd)
        budget = rpc.Budget(cell_bytes=self.max_test_bytes,
                            notebook_bytes=self.max_notebook_test_bytes)

        def connect():
            socket = zmq.Context.instance().socket(zmq.PAIR)
            socket.setsockopt(zmq.MAXMSGSIZE, rpc.MAX_MESSAGE)
            socket.setsockopt(zmq.RCVHWM, rpc.RECEIVE_QUEUE)
            socket.setsockopt(zmq.LINGER, 0)
            socket.connect(f"ipc:///proc/{os.getpid()}/fd/{fd}")
            return TestRunner(rpc.Endpoint(socket, GraderSide(), Handle, budget=budget))

        self._runner = await asyncio.get_running_loop().run_in_executor(self._worker, connect)
        self._channel_open = True

    # --- the cells --------------------------------------------------------------------

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        if self.trusted_tests and not self._channel_open:
            await self._open_channel()
        if not (self.trusted_tests and is_test_cell(cell)):
            cell = await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        else:
            cell = await self._execute_test_cell(cell, cell_index, execution_count)
        await self._async_cell_outputs_done(cell, cell_index)
        return cell

    execute_cell = run_sync(async_execute_cell)

    async def _execute_test_cell(self, cell, cell_index, execution_count):
        """Run the test in the grader while the kernel answers its questions."""
        if self._runner_stuck:  # an earlier test never finished: nothing more is graded
            cell.outputs = [NotebookNode(output_type="error", ename="CellTimeoutError",
                                         evalue="not run: an earlier test ran too long in the "
                                                "grader", traceback=[])]
            return cell
        runner = self._runner
        session = secrets.token_hex(8)
        label = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {cell_index}")
        hidden = HIDDEN_BEGIN in cell.source
        loop = asyncio.get_running_loop()
        verdict = loop.run_in_executor(self._worker, runner.run, cell.source, label, session,
                                       hidden)
        source = cell.source
        cell.source = SERVE.format(session=session)
        try:
            await super().async_execute_cell(cell, cell_index, execution_count,
                                             store_history=False)
        finally:
            cell.source = source
            # the kernel has stopped answering: a test still waiting for it gets an error
            runner.endpoint.abort.set()
        try:
            outputs = await asyncio.wait_for(asyncio.shield(verdict), timeout=self.timeout or 60)
        except TimeoutError:
            outputs = [{"output_type": "error", "ename": "CellTimeoutError",
                        "evalue": "the test ran too long in the grader", "traceback": []}]
            self._runner_stuck = True
            SandboxedExecute.verdict_timed_out = True
            self._problems.append(f"{label}: a test ran too long in the grader (the grading "
                                  "process was replaced)")
        else:
            runner.endpoint.abort.clear()
        kept = list(cell.outputs)
        if hidden and kept:  # what the learner's code printed could hold a hidden input
            kept = [NotebookNode(output_type="stream", name="stdout",
                                 text="(what your code printed during the hidden tests is not "
                                      "shown)\n")]
        cell.outputs = kept + [NotebookNode(o) for o in outputs]
        return cell

    # --- output limits ------------------------------------------------------------------

    def _keep(self, msg, cell_index: int) -> bool:
        """Count an output against the cell's and the notebook's limits; False drops it."""
        size = len(json.dumps(msg.get("content", {}), default=str))
        cell_used = self._output_counts.setdefault(cell_index, [0, 0, 0, 0])
        if cell_used[0] >= self.max_cell_outputs \
                or cell_used[1] + size > self.max_cell_output_bytes \
                or self._output_used["notebook"] + size > self.max_notebook_output_bytes:
            cell_used[2] += 1
            cell_used[3] += size
            return False
        cell_used[0] += 1
        cell_used[1] += size
        self._output_used["notebook"] += size
        return True

    def output(self, outs, msg, display_id, cell_index):
        if not self._keep(msg, cell_index):
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id, msg):
        if self._keep(msg, -1):
            super()._update_display_id(display_id, msg)

    async def _async_cell_outputs_done(self, cell, cell_index) -> None:
        used = self._output_counts.get(cell_index)
        if used and used[2]:
            note = (f"[output limit: {used[2]:,} more outputs ({used[3] / 2**20:.1f} MiB) were "
                    "not kept]\n")
            cell.outputs.append(NotebookNode(output_type="stream", name="stdout", text=note))
            label = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {cell_index}")
            self._problems.append(f"{label}: output over the limit ({used[2]:,} outputs, "
                                  f"{used[3] / 2**20:.1f} MiB not kept)")
