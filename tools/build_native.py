"""Compile the model with mypyc (``make native``; ``make run`` and ``make test`` call it).

The model's modules (``ketensim.native.compiled_sources``) are compiled in place: each gets an
extension module next to its source, which Python imports instead of the ``.py``. The build
records the hash of every source it compiled in ``src/ketensim/_native.json``; ketensim runs
the pure-Python model wherever that record does not match the source on disk, so a build that
fails or goes stale never runs old code. A failed build (no compiler, no mypyc) is not an
error: the record says why and the pure-Python package runs (``--strict`` makes it one).

    python tools/build_native.py            # build (or record why not)
    python tools/build_native.py --clean    # remove the build: pure Python
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

from ketensim.native import MANIFEST, compiled_sources, module_name, python_tag, source_hash  # noqa: E402  (the source tree, not an installed copy)

# The type checker's view for the compiler: the project's own mypy settings are strict and
# checked in `make lint`; these are what mypyc needs to resolve the types.
MYPY_INI = """[mypy]
python_version = {major}.{minor}
plugins = pydantic.mypy
check_untyped_defs = True
ignore_missing_imports = True
"""


def clean() -> None:
    """Remove every extension and the record (the package is pure Python again)."""
    for so in [*SRC.glob("*__mypyc*.so"), *(SRC / "ketensim").rglob("*.so")]:
        so.unlink()
    MANIFEST.unlink(missing_ok=True)
    shutil.rmtree(SRC / "build", ignore_errors=True)


def record(built: bool, hashes: dict[str, str], note: str = "") -> None:
    """Write the build record atomically (ketensim reads it on import)."""
    payload = {"built": built, "python": python_tag(), "modules": hashes, "note": note}
    tmp = MANIFEST.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, MANIFEST)


SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify

setup(name="ketensim_native", ext_modules=mypycify(
    ["--config-file", {ini!r}, *{sources!r}], opt_level={opt!r}, separate={separate!r}))
"""


def build(opt_level: str, verbose: bool, jobs: int, separate: bool) -> tuple[bool, str]:
    """Compile the sources in place; (succeeded, the compiler's last lines on failure).
    ``separate``: one extension per module, compiled ``jobs`` at a time (else one shared
    library for all, compiled by one compiler process)."""
    sources = compiled_sources()
    hashes = {module_name(p): source_hash(p) for p in sources}
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp) / "mypy.ini"
        ini.write_text(MYPY_INI.format(major=sys.version_info.major, minor=sys.version_info.minor))
        setup = Path(tmp) / "setup.py"
        setup.write_text(SETUP.format(ini=str(ini), sources=[str(p.relative_to(SRC)) for p in sources],
                                      opt=opt_level, separate=separate))
        cmd = [sys.executable, str(setup), "build_ext", "--inplace", "--build-temp", str(Path(tmp) / "temp"),
               "-j", str(jobs)]
        proc = subprocess.run(cmd, cwd=SRC, capture_output=not verbose, text=True)
    if proc.returncode != 0:
        tail = "\n".join(((proc.stdout or "") + (proc.stderr or "")).strip().splitlines()[-15:])
        return False, tail
    changed = [name for name, h in hashes.items()
               if source_hash(SRC / (name.replace(".", "/") + ".py")) != h]
    if changed:
        return False, f"sources changed during the build: {', '.join(changed)}"
    record(True, hashes)
    shutil.rmtree(SRC / "build", ignore_errors=True)
    return True, ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clean", action="store_true", help="remove the build (pure Python)")
    ap.add_argument("--strict", action="store_true", help="a failed build is an error (exit 1)")
    ap.add_argument("--opt-level", default="3", choices=["0", "1", "2", "3"], help="the C compiler's level")
    ap.add_argument("--verbose", action="store_true", help="show the compiler's output")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="compilers run at once (default: the cores)")
    ap.add_argument("--shared", action="store_true",
                    help="one shared library for all modules (one compiler process) instead of one per module")
    args = ap.parse_args(argv)
    clean()
    if args.clean:
        print("ketensim: compiled model removed; the pure-Python model runs")
        return 0
    try:
        import mypyc  # noqa: F401
    except ImportError:
        record(False, {}, "mypyc is not installed (pip install mypy)")
        print("ketensim: mypyc is not installed: the pure-Python model runs")
        return 1 if args.strict else 0
    print(f"ketensim: compiling {len(compiled_sources())} model modules with mypyc (about 2 minutes) ...",
          flush=True)
    ok, tail = build(args.opt_level, args.verbose, args.jobs, separate=not args.shared)
    if not ok:
        clean()
        record(False, {}, "the build failed: python tools/build_native.py --verbose shows why")
        print(f"ketensim: the compiled build failed; the pure-Python model runs.\n{tail}", file=sys.stderr)
        return 1 if args.strict else 0
    print("ketensim: compiled model built (KETENSIM_PURE=1 runs the pure-Python one)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
