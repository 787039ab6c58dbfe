"""Sphinx configuration of the ketensim documentation (`make docs` -> docs/_build/html).

The reference pages (command line, scenario file, metrics) are generated from the code at
build time by ``_ext/ketensim_reference.py``; the tutorials are the notebooks in
``notebooks/``, executed by myst-nb (cached in ``docs/_build/.jupyter_cache``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent / "src"))

import ketensim  # noqa: E402

# The notebooks run their short version at build time (20 weeks, 2 replications) so the site
# builds in a few minutes; KETENSIM_NB_QUICK=0 make docs runs the full-length version.
os.environ.setdefault("KETENSIM_NB_QUICK", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

project = "ketensim"
author = "the ketensim authors"
copyright = "2020–2026, the ketensim authors (EUPL-1.2)"
release = ketensim.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "ketensim_reference",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "notebooks/README*"]

myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "fieldlist"]
myst_heading_anchors = 3

# Notebooks: executed at build time, results cached between builds (a changed notebook or a
# changed cell runs again); a cell that raises fails the build.
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"undoc-members": False, "show-inheritance": False}
napoleon_google_docstring = False
napoleon_numpy_docstring = True

nitpicky = False
suppress_warnings = ["myst.header"]

html_theme = "furo"
html_title = f"ketensim {release}"
html_short_title = "ketensim"
html_static_path: list[str] = []
html_theme_options = {
    "source_edit_link": None,
    "navigation_with_keys": True,
}
html_show_sourcelink = False
html_last_updated_fmt = None
