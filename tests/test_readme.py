"""The README's copy-paste examples run as written (```python and ```sh blocks), from a
scratch folder that sees the repository's scenarios, so results/ of the checkout stays clean."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

KIND = "integration"

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(python|sh)\n(.*?)^```", README, flags=re.S | re.M)


def _scratch(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["MPLBACKEND"] = "Agg"
    return tmp_path, env


def test_readme_has_guides_for_the_three_kinds_of_users():
    for heading in ("## Policy staff: the command line", "## Researchers: the Python API", "## Batch sweeps"):
        assert heading in README
    assert [lang for lang, _ in BLOCKS].count("python") >= 2 and "sh" in [lang for lang, _ in BLOCKS]


@pytest.mark.parametrize("index", [i for i, (lang, _) in enumerate(BLOCKS)],
                         ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(BLOCKS)])
@pytest.mark.slow
def test_readme_example_runs(index, tmp_path):
    lang, code = BLOCKS[index]
    cwd, env = _scratch(tmp_path)
    if lang == "python":
        proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)
    else:
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=cwd, env=env, capture_output=True,
                              text=True)
    assert proc.returncode == 0, f"README {lang} block {index} failed:\n{code}\n{proc.stderr[-3000:]}"
    if lang == "sh":
        assert (cwd / "results/guide/telehoren.html").stat().st_size > 100_000
    if "html_report" in code:
        assert (cwd / "results/guide/api-tele/report.html").exists()
