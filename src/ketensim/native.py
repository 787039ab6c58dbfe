"""The compiled model: which modules are compiled, whether the build is current, and the way
back to the pure-Python source.

``make`` compiles the model's modules with mypyc (``tools/build_native.py``) into extension
modules next to their sources, and Python imports an extension before a ``.py`` file of the
same name. The simulation logic is then C, the same code path for path: the weekly tables are
bit-identical to the pure-Python package's (``tests/test_native.py``), which stays the
fallback that installs anywhere. An extension built from other source than the file on disk
would run old code, so when ketensim is imported this module compares every compiled
module's source with the hash recorded at build time; if one differs, or ``KETENSIM_PURE=1``
is set, every compiled module is imported from its source instead (one warning when stale).
"""
from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Sequence

__all__ = ["COMPILED", "MANIFEST", "PURE_ENV", "Status", "compiled_sources", "install", "module_name", "running", "status"]

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent
MANIFEST = PACKAGE / "_native.json"
"""Written by the build: the Python it was built for and the sha256 of every compiled source."""
COMPILED = "compiled model (mypyc)"
PURE_ENV = "KETENSIM_PURE"
"""``KETENSIM_PURE=1``: run the pure-Python model although a current build exists."""


_PURE = ("__init__.py", "chain.py")
"""Model modules kept in Python: the package, and the chain that builds, runs and collects a
replication (once per run, not per event; tests replace its methods to inject failures)."""


def compiled_sources(package: Path = PACKAGE) -> list[Path]:
    """The modules that are compiled: the model's, apart from its parameter blocks (pydantic
    models, which mypyc does not compile and which run once per scenario, not per event) and
    ``_PURE``, plus the metrics recorder that the model calls on every event."""
    model = sorted(p for p in (package / "model").glob("*.py")
                   if p.name not in _PURE and not p.name.endswith("_params.py"))
    return [*model, package / "metrics" / "recorder.py"]


def module_name(source: Path, package: Path = PACKAGE) -> str:
    """``.../ketensim/model/ind.py`` -> ``ketensim.model.ind``."""
    return ".".join(("ketensim", *source.relative_to(package).with_suffix("").parts))


def source_hash(source: Path) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()


def python_tag() -> str:
    """The interpreter a build is for (an extension only loads into the one it was built for)."""
    return f"{sys.implementation.cache_tag}-{sys.platform}"


@dataclass(frozen=True)
class Status:
    """What runs: ``built`` (a build for this Python exists), ``stale`` (its compiled modules
    whose source changed since), ``forced_pure`` (``KETENSIM_PURE=1``) and so ``compiled``."""

    built: bool
    stale: tuple[str, ...]
    forced_pure: bool
    note: str = ""

    @property
    def compiled(self) -> bool:
        return self.built and not self.stale and not self.forced_pure

    def describe(self) -> str:
        if self.compiled:
            return COMPILED
        if self.forced_pure:
            return f"pure-Python model ({PURE_ENV}=1)"
        if self.stale:
            return f"pure-Python model (the compiled build is older than {len(self.stale)} of its sources; `make native` rebuilds)"
        return f"pure-Python model ({self.note or 'not compiled'})"


def status(package: Path = PACKAGE, environ: "os._Environ[str] | dict[str, str] | None" = None) -> Status:
    """The build's state for the package at ``package`` (cheap: one small JSON file and a
    hash of some 30 sources, about a millisecond)."""
    env = os.environ if environ is None else environ
    forced = env.get(PURE_ENV, "") not in ("", "0")
    manifest = package / MANIFEST.name
    try:
        recorded = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return Status(False, (), forced, "not compiled")
    if not isinstance(recorded, dict) or not recorded.get("built"):
        note = recorded.get("note", "the build failed") if isinstance(recorded, dict) else "unreadable build record"
        return Status(False, (), forced, str(note))
    if recorded.get("python") != python_tag():
        return Status(False, (), forced, f"built for {recorded.get('python')}, not {python_tag()}")
    hashes = recorded.get("modules", {})
    stale = []
    for source in compiled_sources(package):
        name = module_name(source, package)
        try:
            current = source_hash(source)
        except OSError:
            current = ""
        if hashes.get(name) != current:
            stale.append(name)
    return Status(True, tuple(stale), forced)


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Imports the named modules from their ``.py`` source even where an extension exists."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def install(package: Path = PACKAGE) -> Status:
    """Called once when ketensim is imported: where the build is not current (or
    ``KETENSIM_PURE=1``), import the compiled modules from their sources."""
    st = status(package)
    if st.built and not st.compiled:
        if st.stale and not st.forced_pure:
            log.warning("ketensim: %s", st.describe())
        sources = {module_name(p, package): p for p in compiled_sources(package)}
        if not any(isinstance(f, _SourceFirst) for f in sys.meta_path):
            sys.meta_path.insert(0, _SourceFirst(sources))
    return st


def running() -> str:
    """What this process runs, read from an imported model module rather than the build
    record (which may have changed since the import): for manifests and test selection."""
    from .model import reception

    compiled = not (reception.__file__ or "").endswith(".py")
    return COMPILED if compiled else "pure-Python model"
