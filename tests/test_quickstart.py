"""The quick start's `lab` command really opens the course (without a browser, on loopback)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from grading import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_copies_the_lessons_and_serves_them(tmp_path):
    work = tmp_path / "my-work"
    (work / "01-neural-networks").mkdir(parents=True)
    mine = work / "01-neural-networks" / "01-neural-networks.ipynb"
    mine.write_text("my own work")  # must survive
    port = _free_port()
    env = dict(os.environ, COURSE_VENV=sys.prefix, COURSE_WORK=str(work),
               NBGRADER_EXCHANGE=str(tmp_path / "exchange"))
    server = subprocess.Popen(
        [sys.executable, "quickstart.py", "lab", "--no-install", "--no-browser",
         "--ip=127.0.0.1", f"--port={port}", "--IdentityProvider.token=quickstart-test"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/contents/?token=quickstart-test"
        listing = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    listing = json.load(response)
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        assert listing is not None, server.stdout.read().decode()[-3000:] if server.poll() \
            is not None else "JupyterLab did not answer within 60 s"
        served = sorted(item["name"] for item in listing["content"]
                        if item["type"] == "directory")
        assert "c.Exchange.root" in (work / "nbgrader_config.py").read_text()
        lessons = sorted(p.name for p in (ROOT / "course").iterdir() if p.is_dir())
        assert served == sorted(set(lessons) | {"01-neural-networks"})
        assert mine.read_text() == "my own work"
        for lesson in lessons:
            copied = work / lesson / f"{lesson}.ipynb"
            if lesson != "01-neural-networks":
                assert copied.read_bytes() == (ROOT / "course" / lesson / copied.name).read_bytes()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
