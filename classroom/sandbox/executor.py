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
import secrets
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import zmq
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool

from classroom.sandbox import rpc
from classroom.sandbox.bwrap import KERNEL_DIR, Sandbox
from classroom.sandbox.trusted import GraderSide, Handle, TestRunner

OPEN_CHANNEL = "import classroom.sandbox.kernel_side as _k; _k.start({address!r}); del _k"
SERVE = "__import__('classroom.sandbox.kernel_side', fromlist=['serve']).serve({session!r})"


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
        self.ip = f"{self.root}{KERNEL_DIR}/k"  # the grader's way to the kernel's sockets


class SandboxedExecute(Execute):
    """Execute a submission: learner cells in the (sandboxed) kernel, test cells in the grader."""

    trusted_tests = Bool(True, help="""Run test cells in the grader (they call the learner's
        functions across a data-only channel). False runs them in the learner's kernel, as
        plain nbgrader does.""").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self.sandbox = Sandbox(parent=self)
        if self.sandbox.enabled:
            self.sandbox.check()
        else:
            self.log.warning("Grading WITHOUT the sandbox (Sandbox.enabled = False): the "
                             "learner's code runs with this account's rights.")
        self._workdir = Path(tempfile.mkdtemp(prefix="classroom-grading-"))
        self._cgroups = self.sandbox.cgroups(self._workdir.name) if self.sandbox.enabled else []
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trusted-tests")
        self._runner: TestRunner | None = None
        if self.trusted_tests:  # the grader imports what the tests need while the kernel starts
            self._worker.submit(_import_test_modules, nb)
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            if self._runner is not None:
                self._worker.submit(self._runner.endpoint.socket.close, 0)
            self._worker.shutdown(wait=False)
            self.sandbox.remove_cgroups(self._cgroups)
            shutil.rmtree(self._workdir, ignore_errors=True)
        nb.metadata["classroom"] = {
            "sandbox": "bubblewrap: " + self.sandbox.describe() if self.sandbox.enabled else "off",
            "tests": "run by the grader" if self.trusted_tests else "run in the learner's kernel",
        }
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
        """Start the kernel's end of the test channel (before any learner code runs)."""
        if self.sandbox.enabled:
            kernel_address = f"ipc://{KERNEL_DIR}/tests"
            grader_address = f"ipc://{self.km.root}{KERNEL_DIR}/tests"
        else:
            kernel_address = grader_address = f"ipc://{self._workdir}/tests"
        msg_id = self.kc.execute(OPEN_CHANNEL.format(address=kernel_address), silent=True,
                                 store_history=False)
        reply = await self.async_wait_for_reply(msg_id)
        if reply is None or reply["content"]["status"] != "ok":
            detail = reply["content"].get("evalue", "") if reply else "no reply"
            raise RuntimeError(f"the grading kernel could not open the test channel: {detail}")

        def connect():
            socket = zmq.Context.instance().socket(zmq.PAIR)
            socket.setsockopt(zmq.MAXMSGSIZE, rpc.MAX_MESSAGE)
            socket.setsockopt(zmq.LINGER, 0)
            socket.connect(grader_address)
            return TestRunner(rpc.Endpoint(socket, GraderSide(), Handle))

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
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        return await self._execute_test_cell(cell, cell_index, execution_count)

    execute_cell = run_sync(async_execute_cell)

    async def _execute_test_cell(self, cell, cell_index, execution_count):
        """Run the test in the grader while the kernel answers its questions."""
        runner = self._runner
        session = secrets.token_hex(8)
        label = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {cell_index}")
        loop = asyncio.get_running_loop()
        verdict = loop.run_in_executor(self._worker, runner.run, cell.source, label, session)
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
        else:
            runner.endpoint.abort.clear()
        cell.outputs = list(cell.outputs) + [NotebookNode(o) for o in outputs]
        return cell
