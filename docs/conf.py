"""Sphinx configuration of the mbl documentation.

Build: ``python3 -m sphinx -W -b html docs docs/_build`` (warnings are errors; CI runs it).
Generated at build time, never edited by hand: the study-file reference (from the config
schema and the kind declarations), the export-variable table, the reproductions gallery
(from ``data/reproductions``) and the executed tutorials (from ``examples/``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")
# The tutorials run in this process: one BLAS/OpenMP/numba thread each, set before numpy loads
# (on two cores, unpinned OpenBLAS and numba threads fight: the tutorials ran 15x slower).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import mbl  # noqa: E402

project = "mbl"
author = "the mbl developers"
copyright = "2026, the mbl developers"  # noqa: A001
release = mbl.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "README.md", "generated/gallery/*.md.txt"]
myst_enable_extensions = ["dollarmath", "amsmath", "deflist", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

# API reference: only the curated public names (each module's __all__).
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "tutorials",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_signature": False,
}

# Math renders with MathJax from its CDN; for offline viewing point MBL_DOCS_MATHJAX at a local
# copy, e.g. Debian's libjs-mathjax: file:///usr/share/javascript/mathjax/MathJax.js?config=TeX-AMS_CHTML
if os.environ.get("MBL_DOCS_MATHJAX"):
    mathjax_path = os.environ["MBL_DOCS_MATHJAX"]
    myst_update_mathjax = False  # (MathJax 2 reads \\( \\) and \\[ \\] as they are)

html_theme = "alabaster"
html_title = f"mbl {release}"
html_static_path: list[str] = []
html_theme_options = {"description": "Localization in disordered electron systems",
                      "page_width": "1100px", "sidebar_width": "240px"}


def _generate(app, config) -> None:  # noqa: ARG001 (Sphinx hook signature)
    """Write the generated pages before Sphinx looks for sources."""
    import studyref

    from mbl.reproduce.report import write_gallery
    from mbl.study.variables import variables_markdown

    out = HERE / "generated"
    studyref.write(out / "study-file.md")
    _write(out / "variables.md", variables_markdown())
    write_gallery(ROOT / "data" / "reproductions", out / "gallery")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def setup(app):
    app.connect("config-inited", _generate)
    return {"parallel_read_safe": True}
