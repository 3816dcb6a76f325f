"""The course website, built by `quickstart.py site` and read in a real (headless) Chromium.

One build for the module: every lesson is on the site, the first two are run
(``RUN``: the reference notebooks, outputs grafted onto the learner copies), the others
are shown as learners receive them, without outputs (running all ten takes minutes; the
cache is the test's own, so this is the same on every machine). Then:

- no line that stands only in solutions/ (answers, hidden tests) is anywhere in the
  build folder: pages, downloads, search index, ``_sources/``, Sphinx's own files;
- the grafted notebooks carry outputs only where the learner's cell is the reference's
  and is neither an answer nor a test;
- served on 127.0.0.1, every page loads without a console error and without a request to
  any other server; maths is typeset by MathJax; every figure is loaded and has the alt
  text lessonkit gave it; headings go down one level at a time; axe-core finds no
  serious or critical violation;
- the search page finds every lesson; each lesson page has well-formed Binder,
  JupyterHub (nbgitpuller) and Colab links, made from site/settings.toml, and the
  notebook Colab opens installs lessonkit when it is missing;
- learners' servers on the class hub have nbgitpuller's server extension enabled.

``COURSE_SITE_BUILD=<folder>`` checks an earlier build instead of building (for working on
this test). Screenshots of the landing page and of lesson 01, on a desktop (1280x800) and a phone
(390x844), go to test-artifacts/site/screenshots/ (printed).

Needs playwright (test extras) and Debian's chromium; without them the browser tests
skip, unless COURSE_REQUIRE_BROWSER is set (.ci/run): then they fail.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest
from browser import ConsoleLog, browser_missing, launch_browser
from grading import ROOT

pytestmark = pytest.mark.xdist_group("site")

LESSONS = sorted(p.name for p in (ROOT / "course").iterdir()
                 if (p / f"{p.name}.ipynb").is_file())
RUN = ["00-welcome", "01-neural-networks"]
ARTIFACTS = ROOT / "test-artifacts" / "site"
SCREENSHOTS = ARTIFACTS / "screenshots"
SETTINGS = tomllib.loads((ROOT / "site" / "settings.toml").read_text())
MIN_SECRET_CHARS = 12  # shorter lines ("x = 1", "return h") say nothing of an answer
BLOCKS = [("### BEGIN SOLUTION", "### END SOLUTION"),
          ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")]


# --- the build -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """`quickstart.py site` into test-artifacts/site/build (kept for a human to open)."""
    if os.environ.get("COURSE_SITE_BUILD"):  # check an earlier build (debugging the test)
        return Path(os.environ["COURSE_SITE_BUILD"])
    out = ARTIFACTS / "build"
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    cache = tmp_path_factory.mktemp("site-cache")
    env = dict(os.environ, COURSE_VENV=sys.prefix)
    result = subprocess.run(
        [sys.executable, "quickstart.py", "site", "--no-install", "--out", str(out),
         "--cache", str(cache), "--execute", ",".join(RUN)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"open {out / 'html' / 'index.html'}" in result.stdout  # says how to open it
    return out


def page_files(html_dir: Path) -> list[str]:
    """Every page of the site (not the theme's template fragments in _static/)."""
    return sorted(str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html")
                  if p.relative_to(html_dir).parts[0] != "_static")


# --- nothing of solutions/ but outputs ---------------------------------------------------

def secret_lines() -> set[str]:
    """Lines of answers and hidden tests that stand only in solutions/: not anywhere in
    the learner notebooks (course/) or the guides (docs/), which are public."""
    inside, public = set(), [p.read_text() for p in sorted((ROOT / "docs").glob("*.md"))]
    for lesson in LESSONS:
        for cell in nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", 4).cells:
            keep = None
            for line in cell.source.splitlines():
                stripped = line.strip()
                begins = [end for begin, end in BLOCKS if stripped.startswith(begin)]
                if begins:
                    keep = begins[0]
                elif keep and stripped.startswith(keep):
                    keep = None
                elif keep and len(stripped) >= MIN_SECRET_CHARS:
                    inside.add(stripped)
        public += [c.source for c in
                   nbformat.read(ROOT / "course" / lesson / f"{lesson}.ipynb", 4).cells]
    public_text = "\n".join(public)
    return {line for line in inside if line not in public_text}


def readable_text(path: Path) -> str:
    """A file's text as a reader would see it: HTML without tags and entities, JSON
    strings decoded (a notebook's lines are JSON strings), anything else as it is."""
    raw = path.read_bytes().decode("utf-8", errors="replace")
    views = [raw]
    if path.suffix == ".html":
        views.append(html.unescape(re.sub(r"<[^>]+>", "", raw)))
    if path.suffix in {".ipynb", ".json"}:
        try:
            views.extend(json_strings(json.loads(raw)))
        except ValueError:
            pass
    return "\n".join(views)


def json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) \
        else []
    return [text for item in items for text in json_strings(item)]


def _anchor(line: str) -> str | None:
    """The longest word inside ``line`` (not at either end): wherever the line is, this
    word is there as a whole word too. Used to skip files that cannot hold the line."""
    inner = [m.group() for m in re.finditer(r"\w+", line) if 0 < m.start() and m.end() < len(line)]
    return max(inner, key=len) if inner else None


def leaks(folder: Path, secrets: set[str]) -> dict[str, list[str]]:
    """{file: secret lines in it} for every file under ``folder`` (searched as text)."""
    anchors = {line: _anchor(line) for line in secrets}
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = readable_text(path)
        words = set(re.findall(r"\w+", text))
        hits = [line for line, anchor in anchors.items()
                if (anchor is None or anchor in words) and line in text]
        if hits:
            found[str(path.relative_to(folder))] = hits[:5]
    return found


def test_the_leak_check_sees_an_answer_line_in_a_page_and_a_notebook(tmp_path):
    """The check below can fail: an answer line in highlighted HTML and in a notebook."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    secrets = secret_lines()
    assert len(secrets) > 50, "too few answer lines found: is the marker syntax right?"
    line = max(sorted(secrets), key=len)
    (tmp_path / "page.html").write_text(highlight(line, PythonLexer(), HtmlFormatter()))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = 1\n    {line}\n")])
    nbformat.write(nb, tmp_path / "copy.ipynb")
    (tmp_path / "clean.html").write_text("<p>nothing here</p>")
    assert set(leaks(tmp_path, {line})) == {"page.html", "copy.ipynb"}


def test_no_answer_or_hidden_test_anywhere_in_the_build(build):
    found = leaks(build, secret_lines())
    assert found == {}, f"lines that stand only in solutions/ are in the build: {found}"


def test_outputs_only_on_given_cells_and_the_run_lessons_have_them(build):
    for lesson in LESSONS:
        site_nb = nbformat.read(build / "source" / "course" / lesson / f"{lesson}.ipynb", 4)
        reference = {c.id: c for c in nbformat.read(
            ROOT / "solutions" / lesson / f"{lesson}.ipynb", 4).cells}
        with_outputs = 0
        for cell in site_nb.cells:
            if cell.cell_type != "code" or not cell.outputs:
                continue
            meta = cell.metadata.get("nbgrader", {})
            assert not (meta.get("solution") or meta.get("grade")), (lesson, cell.source)
            assert cell.source == reference[cell.id].source, (lesson, cell.source)
            with_outputs += 1
        assert (with_outputs > 0) == (lesson in RUN), (lesson, with_outputs)


# --- served, in a browser --------------------------------------------------------------

@pytest.fixture(scope="module")
def server(build):
    """The built site on 127.0.0.1, from a thread of this process."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(build / "html"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = browser_missing()
    if reason:
        if os.environ.get("COURSE_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = launch_browser(playwright, tmp_path_factory.mktemp("chromium") / "profile")
        yield context
        context.close()


def axe_violations(axe, page, full: bool) -> list[dict]:
    """axe-core's violations on a page. Its colour-contrast rule takes minutes on a long
    lesson (one check per highlighted token): on lesson pages but the first it skips the
    code cells' input, whose highlighting is the same Pygments style on every page and
    is checked in full on lesson 00 and the instructors' pages. (``preload`` off: axe
    would fetch the theme's imported style sheets from a wrong address.)"""
    options = {"resultTypes": ["violations"], "preload": False}
    if full:
        return axe.run(page, options=options).response["violations"]
    rest = axe.run(page, options={**options, "rules": {"color-contrast": {"enabled": False}}})
    contrast = axe.run(page, context={"exclude": [[".cell_input"]]},
                       options={**options, "runOnly": ["color-contrast"]})
    return rest.response["violations"] + contrast.response["violations"]


@pytest.fixture(scope="module")
def visits(build, server, browser):
    """Every page of the site opened once: what it requested, logged and showed."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    results = {}
    for name in page_files(build / "html"):
        console, requests = ConsoleLog(), []
        page = browser.new_page()
        console.watch(page)
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.goto(f"{server}/{name}", wait_until="networkidle")
        page.wait_for_function(  # MathJax has typeset the page, where it is loaded
            "() => !window.MathJax || !MathJax.startup || !MathJax.startup.promise"
            " || MathJax.startup.promise.then(() => true)")
        found = page.evaluate("""() => {
            const article = document.querySelector('article') || document.body;
            return {
              math: article.querySelectorAll('.math').length,
              typeset: article.querySelectorAll('mjx-container').length,
              images: [...article.querySelectorAll('img')].map(img => ({
                  src: img.getAttribute('src'), alt: img.getAttribute('alt'),
                  loaded: img.complete && img.naturalWidth > 0,
                  output: !!img.closest('.cell_output')})),
              headings: [...article.querySelectorAll('h1, h2, h3, h4, h5, h6')]
                  .map(h => Number(h.tagName[1])),
              launch: Object.fromEntries([...document.querySelectorAll(
                  'nav.launch-links a')].map(a => [a.textContent.trim(), a.href])),
            }; }""")
        violations = axe_violations(axe, page, full=not name.startswith("course/")
                                    or name.startswith(f"course/{RUN[0]}/"))
        found["axe"] = [(v["id"], v["impact"], len(v["nodes"])) for v in violations
                        if v["impact"] in ("serious", "critical")]
        found["requests"], found["console"] = requests, console.problems()
        results[name] = found
        page.close()
    return results


def test_every_page_loads_with_no_console_error_and_no_request_elsewhere(visits, server):
    assert "index.html" in visits and "search.html" in visits
    for lesson in LESSONS:
        assert f"course/{lesson}/{lesson}.html" in visits
    assert any(name.startswith("instructors/") for name in visits)
    for name, found in visits.items():
        assert found["console"] == [], (name, found["console"])
        elsewhere = [url for url in found["requests"]
                     if not url.startswith(server + "/") and not url.startswith("data:")]
        assert elsewhere == [], (name, elsewhere)


def test_maths_is_typeset_by_mathjax(visits):
    with_maths = [name for name, found in visits.items() if found["math"]]
    assert "course/01-neural-networks/01-neural-networks.html" in with_maths
    for name in with_maths:
        assert visits[name]["typeset"] >= visits[name]["math"], (name, visits[name])


def test_every_figure_is_loaded_with_the_alt_text_lessonkit_gave_it(visits, build):
    for lesson in LESSONS:
        nb = nbformat.read(build / "source" / "course" / lesson / f"{lesson}.ipynb", 4)
        given = [o.metadata.get("image/png", {}).get("alt") for c in nb.cells
                 if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
        assert all(given), f"{lesson}: a figure without alt text in its output's metadata"
        shown = [img for img in visits[f"course/{lesson}/{lesson}.html"]["images"]
                 if img["output"]]
        assert [img["alt"] for img in shown] == given, lesson
        assert (len(shown) > 0) == (lesson in RUN), lesson
    for name, found in visits.items():
        for img in found["images"]:
            assert img["loaded"], (name, img["src"])
            assert img["alt"] and img["src"] not in img["alt"], (name, img)


def test_headings_go_down_one_level_at_a_time(visits):
    """A page starts with its h1 and never skips a level going down (h2 -> h4). (Lesson
    08 has three projects, each an h1 of its own.)"""
    for name, found in visits.items():
        levels = found["headings"]
        if name in ("search.html", "genindex.html"):
            assert levels[:1] == [1], (name, levels)
            continue
        assert levels and levels[0] == 1, (name, levels)
        skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert skips == [], (name, skips)


def test_axe_core_finds_no_serious_or_critical_violation(visits):
    bad = {name: found["axe"] for name, found in visits.items() if found["axe"]}
    assert bad == {}, bad


def test_launch_links_open_the_lesson_on_binder_jupyterhub_and_colab(visits, build):
    repository, branch = SETTINGS["repository"], SETTINGS["branch"]
    owner_repo = urlparse(repository).path.strip("/")
    folder = owner_repo.split("/")[-1]
    for lesson in LESSONS:
        notebook = f"course/{lesson}/{lesson}.ipynb"
        links = visits[f"course/{lesson}/{lesson}.html"]["launch"]
        assert set(links) == {"Run on Binder", "Run on JupyterHub", "Run on Colab"}, links

        binder = urlparse(links["Run on Binder"])
        assert f"{binder.scheme}://{binder.netloc}" == SETTINGS["binderhub"]
        assert binder.path == f"/v2/gh/{owner_repo}/{branch}"
        assert parse_qs(binder.query) == {"urlpath": [f"lab/tree/{notebook}"]}

        hub = urlparse(links["Run on JupyterHub"])
        assert f"{hub.scheme}://{hub.netloc}" == SETTINGS["jupyterhub"]
        assert hub.path == "/hub/user-redirect/git-pull"
        assert parse_qs(hub.query) == {"repo": [repository], "branch": [branch],
                                       "targetpath": [folder],
                                       "urlpath": [f"lab/tree/{folder}/{notebook}"]}

        colab = urlparse(links["Run on Colab"])
        assert colab.netloc == "colab.research.google.com"
        prefix = f"/github/{owner_repo}/blob/{SETTINGS['pages_branch']}/"
        assert colab.path.startswith(prefix)
        # Colab opens the site's own copy, published with the site: it installs lessonkit
        # first where it is missing, and is the learner's notebook otherwise.
        copy = build / "html" / colab.path.removeprefix(prefix)
        assert copy.is_file(), copy
        cells = nbformat.read(copy, 4).cells
        first = next(c for c in cells if c.cell_type == "code")
        assert "import lessonkit" in first.source and "except ImportError" in first.source
        assert f"%pip install --quiet --no-deps \"git+{repository}@{branch}\"" in first.source
        learner = nbformat.read(ROOT / notebook, 4).cells
        assert [c.source for c in cells if c is not first] == [c.source for c in learner]


def test_the_install_cell_does_nothing_where_lessonkit_is_installed(build):
    """The Colab cell, run here (lessonkit installed): no pip, no output, no error."""
    from nbclient import NotebookClient

    site_nb = nbformat.read(build / "html" / "_sources" / "course" / RUN[0] /
                            f"{RUN[0]}.ipynb", 4)
    first = next(c for c in site_nb.cells if c.cell_type == "code")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(first.source)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert nb.cells[0].outputs == []


def test_search_finds_every_lesson(build, server, browser):
    for lesson in LESSONS:
        nb = nbformat.read(build / "source" / "course" / lesson / f"{lesson}.ipynb", 4)
        title = nb.cells[0].source.splitlines()[0]
        term = max(re.findall(r"[A-Za-z]{4,}", title), key=len).lower()
        page = browser.new_page()
        page.goto(f"{server}/search.html?q={term}")
        results = page.locator("#search-results li a")
        results.first.wait_for()
        hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
        page.close()
        assert any(f"course/{lesson}/{lesson}.html" in h for h in hrefs), (term, hrefs)


def test_screenshots_of_the_landing_page_and_a_lesson(build, server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = []
    for width, height, device in ((1280, 800, "desktop"), (390, 844, "phone")):
        for name, path in (("landing", "index.html"),
                           ("lesson-01", f"course/{RUN[1]}/{RUN[1]}.html")):
            page = browser.new_page()
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{server}/{path}", wait_until="networkidle")
            shot = SCREENSHOTS / f"{name}-{device}.png"
            page.screenshot(path=str(shot))
            shots.append(shot)
            if name.startswith("lesson"):  # and its first figure, with the code above it
                page.locator(".cell_output img").first.scroll_into_view_if_needed()
                shots.append(SCREENSHOTS / f"{name}-figure-{device}.png")
                page.screenshot(path=str(shots[-1]))
            page.close()
    print(f"\nscreenshots of the website: {SCREENSHOTS}")
    assert all(s.stat().st_size > 10_000 for s in shots)


# --- the class hub runs the JupyterHub link ----------------------------------------------

def test_learner_servers_on_the_hub_enable_nbgitpuller():
    """The link's git-pull handler is there for learners (deploy/jupyterhub/learner), as
    their servers read their configuration, and the formgrader is not."""
    program = ("import json; from jupyter_core.paths import jupyter_config_path; "
               "from jupyter_server.extension.config import ExtensionConfigManager; "
               "print(json.dumps(ExtensionConfigManager(read_config_path=jupyter_config_path())"
               ".get_jpserver_extensions()))")
    learner = os.pathsep.join(p for p in (str(ROOT / "deploy" / "jupyterhub" / "learner"),
                                          os.environ.get("JUPYTER_CONFIG_PATH")) if p)
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            env=dict(os.environ, JUPYTER_CONFIG_PATH=learner), timeout=120)
    extensions = json.loads(result.stdout)
    assert extensions.get("nbgitpuller") is True, extensions
    assert extensions.get("nbgrader.server_extensions.formgrader") is False, extensions
    from nbgitpuller import _jupyter_server_extension_points

    assert [p["module"] for p in _jupyter_server_extension_points()] == ["nbgitpuller"]


def test_the_landing_page_lists_every_lesson_with_its_study_time(build):
    page = (build / "html" / "index.html").read_text()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)
    for lesson in LESSONS:
        row = next((r for r in rows if f'href="course/{lesson}/{lesson}.html"' in r), None)
        assert row is not None, f"{lesson} is not in the landing page's table"
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        source = (ROOT / "course" / lesson / f"{lesson}.ipynb").read_text()
        estimate = re.search(r"\*\*Estimated time:\*\* (.+?)\.(?:\s|\\n)", source).group(1)
        assert cells[2] == estimate, (lesson, cells)
