"""The notebooks run top to bottom (short version: 20 weeks, 2 replications); a failing cell
fails the test with the cell's error."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ROOT

KIND = "integration"

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_notebooks_exist():
    assert [p.name for p in NOTEBOOKS][:2] == ["01-quickstart.ipynb", "02-what-if.ipynb"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[dev]' installs nbformat")
    nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[dev]' installs nbclient")
    monkeypatch.setenv("KETENSIM_NB_QUICK", "1")
    src = ROOT / "src"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError naming the cell and its traceback
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "the plots should display inline"
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
