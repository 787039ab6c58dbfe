"""The layer contract of `make lint` (tools/layers.py): it holds for the package, and it sees
an upward import hidden inside a function."""
from __future__ import annotations

import importlib.util
import tomllib

from conftest import ROOT

KIND = "unit"


def _layers():
    spec = importlib.util.spec_from_file_location("ketensim_layers", ROOT / "tools" / "layers.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


layers = _layers()
CONTRACT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ketensim"]["layers"]
ORDER, FORBIDDEN = CONTRACT["order"], CONTRACT["forbidden"]


def test_the_package_keeps_its_layers():
    assert layers.check(ROOT / "src" / "ketensim", ORDER, FORBIDDEN) == []


def test_an_upward_import_inside_a_function_is_named_with_its_line(tmp_path):
    pkg = tmp_path / "ketensim"
    for sub in ("report", "store"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "report" / "html.py").write_text("def render():\n    return 1\n")
    (pkg / "store" / "files.py").write_text("import os\n\n\ndef read():\n    from ..report.html import render\n"
                                            "    return render()\n")
    problems = layers.check(pkg, ORDER)
    assert len(problems) == 1
    assert "files.py:5: ketensim.store.files (ketensim.store) imports ketensim.report.html" in problems[0]
    (pkg / "store" / "files.py").write_text("def read():\n    return 1\n")
    (pkg / "report" / "html.py").write_text("def render():\n    from ..store.files import read\n    return read()\n")
    assert layers.check(pkg, ORDER) == []  # downward: the order allows it
    assert layers.check(pkg, ORDER, FORBIDDEN) == [  # but the report opens no file
        f"{pkg / 'report' / 'html.py'}:2: ketensim.report.html imports ketensim.store.files: "
        "ketensim.report may not import ketensim.store"]


def test_a_module_in_no_layer_is_refused(tmp_path):
    pkg = tmp_path / "other"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "x.py").write_text("")
    assert any("other.x: in no layer" in p for p in layers.check(pkg, ORDER))
