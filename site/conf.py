"""Sphinx configuration of the course website (site/build.py runs Sphinx with it).

Sphinx reads only the folder site/build.py prepared: the learner notebooks with the
reference outputs grafted on, the landing page and the instructors' guides. myst-nb
renders the notebooks and never runs them. Everything a page needs is served with it:
MathJax from sphinx-mathjax-offline, the theme's fonts and icons from the theme.

Two additions to what myst-nb renders, on every lesson page:
- each figure's alt text, which lessonkit put in the output's metadata when it made the
  figure (``{"image/png": {"alt": ...}}``); myst-nb itself reads alt text only from cell
  metadata, so it is carried over here, matched by the image's content hash;
- the launch links (Binder, the class's JupyterHub through nbgitpuller, Colab), made
  from site/settings.toml.
"""

from __future__ import annotations

import base64
import hashlib
import html
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode, urlparse

import nbformat
from docutils import nodes

HERE = Path(__file__).resolve().parent
SETTINGS = tomllib.loads((HERE / "settings.toml").read_text())

project = "Recurrent neural networks, from the first neuron to attention and beyond"
author = "the course's authors"
copyright = "the course's authors, MIT licence"
html_title = "RNN course"

extensions = ["myst_nb", "sphinx-mathjax-offline", "sphinx.ext.githubpages"]
nb_execution_mode = "off"  # site/build.py ran the reference notebooks; never run here
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
exclude_patterns = ["**.ipynb_checkpoints"]
suppress_warnings = ["myst.xref_missing", "myst.header"]

html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": SETTINGS["repository"],
    "repository_branch": SETTINGS["branch"],
    "use_repository_button": True,
    "use_download_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
html_favicon = "static/favicon.svg"
html_context = {"default_mode": "auto"}  # light or dark, as the reader's system is
html_static_path = ["static"]
html_css_files = ["course.css"]
html_last_updated_fmt = None


# --- launch links ----------------------------------------------------------------------

def launch_links(lesson: str, settings: dict = SETTINGS) -> dict[str, str]:
    """Binder, JupyterHub and Colab links that open ``lesson`` (see settings.toml)."""
    repository, branch = settings["repository"].rstrip("/"), settings["branch"]
    place = urlparse(repository)
    owner_repo = place.path.strip("/").removesuffix(".git")
    notebook = f"course/{lesson}/{lesson}.ipynb"
    links = {}
    if place.netloc == "github.com":
        binder = f"{settings['binderhub'].rstrip('/')}/v2/gh/{owner_repo}/{branch}"
    else:
        binder = f"{settings['binderhub'].rstrip('/')}/v2/git/{quote(repository, safe='')}/{branch}"
    links["Binder"] = f"{binder}?urlpath={quote(f'lab/tree/{notebook}')}"
    # nbgitpuller clones into a folder of the learner's home; named here, since its own
    # default is the URL's last part, ".git" and all
    folder = owner_repo.rsplit("/", 1)[-1]
    query = urlencode({"repo": repository, "branch": branch, "targetpath": folder,
                       "urlpath": f"lab/tree/{folder}/{notebook}"})
    links["JupyterHub"] = f"{settings['jupyterhub'].rstrip('/')}/hub/user-redirect/git-pull?{query}"
    if place.netloc == "github.com":  # Colab opens notebooks from GitHub only
        links["Colab"] = (f"https://colab.research.google.com/github/{owner_repo}/blob/"
                          f"{settings['pages_branch']}/_sources/{notebook}")
    return links


def _launch_nav(lesson: str) -> nodes.raw:
    items = " ".join(
        f'<a class="launch-link launch-{name.lower()}" href="{html.escape(url)}">'
        f"Run on {name}</a>" for name, url in launch_links(lesson).items())
    markup = (f'<nav class="launch-links" aria-label="Run this lesson">'
              f"<span>Run this lesson:</span> {items}</nav>")
    return nodes.raw("", markup, format="html")


# --- figures' alt text -----------------------------------------------------------------

def figure_alt_texts(notebook: Path) -> dict[str, str]:
    """sha256 of each image's bytes -> the alt text its output's metadata carries."""
    texts = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            png, alt = output.get("data", {}).get("image/png"), \
                output.get("metadata", {}).get("image/png", {}).get("alt")
            if png and alt:
                texts[hashlib.sha256(base64.b64decode(png)).hexdigest()] = alt
    return texts


def _lesson_page(app, doctree) -> None:
    """On a lesson's page: the figures' alt text, and the launch links under the title."""
    docname = app.env.docname
    if not docname.startswith("course/"):
        return
    texts = figure_alt_texts(Path(app.srcdir) / f"{docname}.ipynb")
    for image in doctree.findall(nodes.image):
        alt = texts.get(Path(image["uri"]).stem)
        if alt and not image.get("alt"):
            image["alt"] = alt
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None:
        section.insert(1, _launch_nav(docname.split("/")[1]))


def setup(app):
    app.connect("doctree-read", _lesson_page)
