"""A real JupyterLab driven by a real, headless Chromium (Playwright for Python).

Shared by tests/test_browser.py and bench/first_cell_times.py: starting and stopping
JupyterLab servers, launching the browser, collecting console errors, screenshots, and
the gestures a learner makes (open a notebook, run cells, type an answer, Validate).

The browser is Debian's Chromium (``apt-get install chromium``): ``playwright install``
is never needed. ``COURSE_CHROMIUM`` points to another Chromium build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
# Generous: the machine running the tests may be busy with other notebooks.
TIMEOUT_MS = 180_000
SERVER_START_S = 180.0
# Set by the test process for itself (tests/conftest.py quiets TensorFlow) or by a class
# server; a learner's JupyterLab starts without them, so that what the notebook shows is
# what `import lessonkit` alone achieves.
_NOT_FROM_THE_TEST_PROCESS = (
    "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND", "MPLBACKEND",
    "NBGRADER_EXCHANGE", "NBGRADER_DB_URL", "JUPYTER_CONFIG_DIR", "JPY_SESSION_NAME",
)
# Lab settings of every test server: no "Would you like to get notified about official
# Jupyter news?" pop-up over the notebook (and no request for the news feed).
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}
STDERR_MIME = "application/vnd.jupyter.stderr"  # JupyterLab renders tracebacks with it too


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set COURSE_CHROMIUM)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_FROM_THE_TEST_PROCESS}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


class JupyterLab:
    """``jupyter lab`` as a learner or an instructor starts it, on loopback with a token.

    ``root`` is what the file browser shows; ``cwd`` is where the server runs (nbgrader's
    formgrader reads ``nbgrader_config.py`` from there); ``env``, variables for it. Lab
    settings and workspaces live in ``state``, fresh for every server, so that no tab of
    an earlier run comes back.
    ``launch()`` returns at once, ``wait()`` until the server answers; ``start()`` does both.
    """

    def __init__(self, root: Path, state: Path, *, cwd: Path | None = None, name: str = "lab",
                 env: dict[str, str] | None = None):
        self.root, self.state, self.cwd, self.name = Path(root), Path(state), cwd or root, name
        self.env = env or {}
        self.port = free_port()
        self.token = f"browser-test-{os.getpid()}-{self.port}"
        self.log_path = self.state / f"{name}-server.log"
        self.process: subprocess.Popen | None = None
        self._log = None

    def url(self, path: str = "lab", query: str = "") -> str:
        return (f"http://127.0.0.1:{self.port}/{path.lstrip('/')}?token={self.token}"
                + (f"&{query}" if query else ""))

    def launch(self) -> JupyterLab:
        settings, workspaces = self.state / "settings", self.state / "workspaces"
        for name, values in _LAB_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        workspaces.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
            "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            command, cwd=self.cwd, env={**server_environment(), **self.env}, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def wait(self) -> JupyterLab:
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: jupyter lab exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name}: jupyter lab did not answer within "
                           f"{SERVER_START_S:.0f} s:\n{self.log_tail()}")

    def start(self) -> JupyterLab:
        return self.launch().wait()

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel of this server (each lesson kernel holds TensorFlow: ~0.5 GB)."""
        for kernel in self.api("api/kernels") or []:
            try:
                self.api(f"api/kernels/{kernel['id']}", method="DELETE")
            except OSError:
                pass

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Shut the kernels down, then the server and everything in its process group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.shutdown_kernels()
            except OSError:
                pass
            for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self._log.close()
        self.process = None


def launch_browser(playwright, profile: Path):
    """Headless Chromium with a fresh profile: a BrowserContext to open pages in."""
    shutil.rmtree(profile, ignore_errors=True)
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1440, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


# Console errors that say nothing about the course: (pattern, why it is harmless). Keep
# this list short and explained; any other console error or page error fails a test.
# (None is needed with JupyterLab 4.6 and nbgrader 0.9.6: the news feed and the update
# check, the usual sources of failed requests without network, are switched off above.)
HARMLESS_CONSOLE_ERRORS: list[tuple[str, str]] = []


@dataclass
class ConsoleLog:
    """Every console error and uncaught exception of the pages it watches."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.errors.append(f"console error: {message.text} ({where})")

    def problems(self) -> list[str]:
        return [e for e in self.errors
                if not any(re.search(pattern, e) for pattern, _ in HARMLESS_CONSOLE_ERRORS)]


def screenshot(page, name: str) -> Path:
    """Save what the page shows now as test-artifacts/browser/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# --- JupyterLab gestures -------------------------------------------------------------

def open_lab(context, lab: JupyterLab, path: str = "", console: ConsoleLog | None = None):
    """A new page with JupyterLab, opening ``path`` (a notebook) if given. ``reset``
    starts from an empty workspace: no tab of an earlier page comes back."""
    page = context.new_page()
    if console is not None:
        console.watch(page)
    page.goto(lab.url(f"lab/tree/{path}" if path else "lab", query="reset"))
    page.locator("#jp-main-dock-panel").wait_for()
    if path.endswith(".ipynb"):
        page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for()
        wait_kernel_idle(page)
    return page


def open_in_file_browser(page, name: str):
    """Double-click ``name`` in the file browser's current folder. For a notebook, return
    its panel (it opens in a new tab, which becomes the current one)."""
    item = page.locator(".jp-DirListing-item").filter(
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(name)}$")))
    item.dblclick()
    if not name.endswith(".ipynb"):
        page.locator(".jp-BreadCrumbs", has_text=name).wait_for()
        return None
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text=name)
    panel = page.locator(f"[id='{tab.get_attribute('data-id')}']")
    panel.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
    return panel


def activate_tab(page, panel) -> None:
    """Bring the tab of a panel (a notebook, the Assignments...) to the front."""
    page.locator(f"#jp-main-dock-panel .lm-TabBar-tab[data-id='{panel.get_attribute('id')}']"
                 ).click()
    panel.wait_for()


def wait_kernel_idle(page, panel=None) -> None:
    """The kernel of the current notebook (``panel``, or the only one) has started and is
    idle. Run a cell before that and JupyterLab asks the learner to select a kernel."""
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle\s*$")).wait_for()
    (panel or page).locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        state="attached")


def menu(page, top: str, item: str) -> None:
    """Click ``top`` in the menu bar, then ``item`` in that menu."""
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel",
                 has_text=re.compile(rf"^{re.escape(top)}$")).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def code_cells(page):
    return page.locator(".jp-Notebook .jp-CodeCell")


def code_cell(page, containing: str):
    """The code cell whose code contains ``containing`` (one line at most), by position,
    so that the locator keeps pointing at it after its code is replaced."""
    texts = code_cells(page).locator(".jp-InputArea-editor").all_text_contents()
    matches = [i for i, text in enumerate(texts) if containing in text]
    assert len(matches) == 1, f"{len(matches)} code cells contain {containing!r}"
    return code_cells(page).nth(matches[0])


def prompt(cell) -> str:
    return (cell.locator(".jp-InputArea-prompt").text_content() or "").strip()


def outputs(cell) -> list[tuple[str, str]]:
    """(mime type, text) of each output of a cell; textContent, so that cells scrolled
    out of view (not rendered by the browser) are read too."""
    items = cell.locator(".jp-OutputArea-output")
    return [(items.nth(i).get_attribute("data-mime-type") or "", items.nth(i).text_content())
            for i in range(items.count())]


def run_cell(page, cell) -> float:
    """Run one cell (Ctrl+Enter in its editor); wait for its new execution count.

    Returns the seconds from the key press to the cell's completion.
    """
    prompt_area = cell.locator(".jp-InputArea-prompt")
    before = prompt(cell)
    cell.locator(".cm-content").click()
    start = time.perf_counter()
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "([el, before]) => { const t = el.textContent.trim();"
        " return t !== before && /\\[\\d+\\]/.test(t); }",
        arg=[prompt_area.element_handle(), before], polling=100, timeout=TIMEOUT_MS)
    return time.perf_counter() - start


def wait_cells_finished(page) -> None:
    """No cell is running or waiting to run (``[*]``) and the kernel is idle."""
    page.wait_for_function(
        "() => { const p = [...document.querySelectorAll("
        "'.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent);"
        " return p.length > 0 && !p.some(t => t.includes('*')); }",
        polling=250, timeout=TIMEOUT_MS)
    wait_kernel_idle(page)


def set_source(cell, source: str) -> None:
    """Replace the text of a cell, as a learner selecting it all and typing would."""
    cell.locator(".cm-content").fill(source)


def save(page) -> None:
    """Ctrl+S, then wait until the notebook's tab no longer shows unsaved changes."""
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 3, "y": 3})
    page.keyboard.press("Control+s")
    page.locator(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)").first.wait_for()


def validate(page) -> tuple[str, str]:
    """Press the notebook's Validate button; return ("success" | "failure", dialog text).

    The dialog stays open (for a screenshot); ``close_dialog`` closes it.
    """
    page.locator("jp-button.validate-button").click()
    dialog = page.locator(".nbgrader-SuccessDialog, .nbgrader-ErrorDialog")
    dialog.wait_for()
    kind = "success" if "nbgrader-SuccessDialog" in (dialog.get_attribute("class") or "") \
        else "failure"
    return kind, dialog.text_content()


def close_dialog(page) -> None:
    dialog = page.locator(".jp-Dialog")
    dialog.locator("button.jp-Dialog-button").last.click()
    dialog.wait_for(state="detached")
