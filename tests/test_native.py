"""The compiled model (ketensim.native, tools/build_native.py): it runs only where its build
matches the source on disk, and it gives the pure-Python model's results to the bit."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ketensim import native

KIND = "unit"

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = "KETENSIM_NATIVE_REQUIRED"  # CI sets it: a missing build fails instead of skipping


def _package(tmp_path: Path) -> Path:
    """A package tree shaped like ketensim's: two model modules, a parameter block, the chain
    and the recorder."""
    pkg = tmp_path / "ketensim"
    for rel in ("model/__init__.py", "model/ind.py", "model/hearings.py", "model/ind_params.py",
                "model/chain.py", "metrics/recorder.py"):
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(f"# {rel}\n")
    return pkg


def _record(pkg: Path, **changes: object) -> None:
    hashes = {native.module_name(p, pkg): native.source_hash(p) for p in native.compiled_sources(pkg)}
    payload = {"built": True, "python": native.python_tag(), "modules": hashes, **changes}
    (pkg / native.MANIFEST.name).write_text(json.dumps(payload))


def test_the_compiled_modules_are_the_models_apart_from_its_parameter_blocks_and_chain(tmp_path: Path) -> None:
    pkg = _package(tmp_path)
    names = [native.module_name(p, pkg) for p in native.compiled_sources(pkg)]
    assert names == ["ketensim.model.hearings", "ketensim.model.ind", "ketensim.metrics.recorder"]


def test_a_build_runs_only_while_every_source_is_the_one_compiled(tmp_path: Path) -> None:
    pkg = _package(tmp_path)
    assert not native.status(pkg, {}).built  # no record: pure Python
    _record(pkg)
    assert native.status(pkg, {}).compiled
    (pkg / "model" / "hearings.py").write_text("# edited after the build\n")
    st = native.status(pkg, {})
    assert st.built and not st.compiled and st.stale == ("ketensim.model.hearings",)
    assert "make native" in st.describe()
    (pkg / "model" / "ind_params.py").write_text("# a parameter block is not compiled\n")
    assert native.status(pkg, {}).stale == ("ketensim.model.hearings",)


def test_the_pure_model_can_be_chosen_and_a_foreign_or_failed_build_is_not_used(tmp_path: Path) -> None:
    pkg = _package(tmp_path)
    _record(pkg)
    forced = native.status(pkg, {native.PURE_ENV: "1"})
    assert forced.built and forced.forced_pure and not forced.compiled
    assert native.status(pkg, {native.PURE_ENV: "0"}).compiled
    _record(pkg, python="cpython-27-sunos")
    assert not native.status(pkg, {}).built
    _record(pkg, built=False, note="the build failed")
    st = native.status(pkg, {})
    assert not st.compiled and "the build failed" in st.describe()
    (pkg / native.MANIFEST.name).write_text("{not json")
    assert not native.status(pkg, {}).built


def test_a_stale_build_imports_the_modules_from_their_source(tmp_path: Path) -> None:
    finder = native._SourceFirst({"ketensim.model.ind": tmp_path / "ind.py"})
    spec = finder.find_spec("ketensim.model.ind")
    assert spec is not None and spec.origin == str(tmp_path / "ind.py")
    assert finder.find_spec("ketensim.model.hearings") is None


_CHILD = """
import hashlib, sys
from ketensim import native
from ketensim.experiment.runner import simulate
from ketensim.scenario.loader import load_scenario
sc = load_scenario(sys.argv[1], ["horizon.end=2020-W13-7"])
w = simulate(sc, 3).weekly
w = w.sort_values(list(w.columns)).reset_index(drop=True)
print(native.status().compiled, hashlib.sha256(w.to_csv(index=False).encode()).hexdigest(), len(w))
"""


def _child(pure: bool) -> tuple[str, str, int]:
    env = {k: v for k, v in os.environ.items() if k != native.PURE_ENV}
    if pure:
        env[native.PURE_ENV] = "1"
    out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT / "scenarios" / "baseline-2020.yaml")],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=True).stdout.split()
    return out[0], out[1], int(out[2])


@pytest.mark.integration
def test_the_compiled_model_gives_the_pure_models_weekly_table_to_the_bit() -> None:
    # Whether a current build exists, whatever this process runs (``make test-pure`` sets
    # KETENSIM_PURE=1 here; each child below chooses its own model).
    built = native.status(environ={})
    if not built.compiled:
        if os.environ.get(REQUIRED):
            pytest.fail(f"{REQUIRED} is set but the model is not compiled: {built.describe()}")
        pytest.skip(f"the model is not compiled here ({built.describe()}; `make native` builds it)")
    compiled, pure = _child(pure=False), _child(pure=True)
    assert (compiled[0], pure[0]) == ("True", "False")
    assert compiled[2] > 1000
    assert compiled[1] == pure[1], "the compiled model's weekly table differs from the pure-Python one"
