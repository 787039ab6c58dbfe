"""The README is a short entry point whose commands run as written: the quick start is the
two commands, and its copy-paste examples (```sh and ```python blocks) run from a scratch
folder that sees the repository's scenarios, so results/ of the checkout stays clean."""
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


def test_readme_is_short_and_the_quick_start_is_two_commands():
    assert len(README.splitlines()) <= 150
    quick = re.search(r"^## Quick start\n.*?^```\n(.*?)^```", README, flags=re.S | re.M)
    assert quick is not None and quick.group(1).split("\n")[:-1] == ["make run", "make test"]
    assert [lang for lang, _ in BLOCKS].count("python") >= 1 and "sh" in [lang for lang, _ in BLOCKS]
    for target in ("run", "test", "docs"):  # the make targets the README names exist
        assert re.search(rf"^{target}:", (ROOT / "Makefile").read_text(), flags=re.M)


@pytest.mark.parametrize("index", [i for i, (lang, _) in enumerate(BLOCKS)],
                         ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(BLOCKS)])
@pytest.mark.slow
def test_readme_example_runs(index, tmp_path):
    lang, code = BLOCKS[index]
    cwd, env = _scratch(tmp_path)
    (cwd / "results/guide").mkdir(parents=True)
    if lang == "python":
        proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)
    else:
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=cwd, env=env, capture_output=True,
                              text=True)
    assert proc.returncode == 0, f"README {lang} block {index} failed:\n{code}\n{proc.stderr[-3000:]}"
    if lang == "sh":
        assert (cwd / "results/guide/telehoren.html").stat().st_size > 100_000
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.load_workbook(cwd / "results/guide/telehoren/telehoren-permanent.xlsx")
        assert "Key figures" in book.sheetnames and book["Key figures"].max_row > 10
        assert "`ind.hearings_video`" in (cwd / "results/guide/metrics.md").read_text()
    if "savefig" in code:
        assert (cwd / "hearings.png").stat().st_size > 10_000
