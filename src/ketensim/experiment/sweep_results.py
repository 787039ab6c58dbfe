"""A sweep store read back: its design points open as ``Results`` like any run.

``read_sweep(store)`` gives a ``SweepResults``: the design (levers and uncertainties per
point), the outcome summary (recomputed from the stored runs, so it is never stale) and
``point(n)``, the ``Results`` of design point n with a manifest of its own (resolved
scenario, seed, per-run provenance), which the report and the API treat as a run.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..scenario.errors import ResultsError, ScenarioError, short
from .results import Results
from .store import RunStore

log = logging.getLogger(__name__)


def is_sweep_store(path: str | os.PathLike[str]) -> bool:
    """A folder with a sweep manifest (``kind: sweep``) written by ``ketensim sweep``."""
    m = RunStore(path).read_manifest() if (Path(path) / "manifest.json").exists() else None
    return bool(m and m.get("kind") == "sweep")


@dataclass
class SweepResults:
    """A sweep store: ``design`` (one row per point: levers, uncertainties), ``manifest``,
    and ``point(n)`` -> ``Results``."""

    store: RunStore
    manifest: dict[str, Any]
    _cache: dict[int, Results] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", self.store.root.name))

    @property
    def points(self) -> list[int]:
        return [int(d["point"]) for d in self.manifest.get("design", [])]

    @property
    def levers(self) -> list[str]:
        return list((self.manifest.get("sweep") or {}).get("levers") or {})

    @property
    def design(self) -> pd.DataFrame:
        rows = []
        for d in self.manifest.get("design", []):
            row: dict[str, Any] = {"point": d["point"]}
            row.update({f"lever:{k}": v for k, v in (d.get("levers") or {}).items()})
            row.update({f"uncertainty:{k}": v for k, v in (d.get("uncertainties") or {}).items()})
            rows.append(row)
        return pd.DataFrame(rows)

    def overrides(self, point: int) -> list[str]:
        """The point's ``--set`` overrides (the sweep's fixed ones first)."""
        from .design import DesignPoint

        d = self._design(point)
        fixed = list((self.manifest.get("sweep") or {}).get("set") or [])
        dp = DesignPoint(point=point, levers=d.get("levers") or {}, uncertainties=d.get("uncertainties") or {})
        return fixed + dp.overrides()

    def _design(self, point: int) -> dict[str, Any]:
        if isinstance(point, bool) or not isinstance(point, int):  # True is not point 1
            raise ScenarioError(str(self.store.root), "--point", f"must be a whole number, got {point!r}")
        for d in self.manifest.get("design", []):
            if int(d["point"]) == point:
                return d
        raise ScenarioError(str(self.store.root), "--point",
                            f"no design point {point}; the sweep has points 0..{len(self.points) - 1}")

    def point(self, point: int) -> Results:
        """The ``Results`` of one design point (its stored replications)."""
        if point in self._cache:
            return self._cache[point]
        d = self._design(point)
        files = [f for f in self.store.files() if self.store.key_of(f)[0] == point]
        loaded = [self.store.load(f) for f in files]  # verified: a damaged file is a ResultsError
        frames = [f for f, _ in loaded]
        metas = [m for _, m in loaded]
        frames = [f.drop(columns=["point"], errors="ignore") for f in frames if len(f)]
        if not frames:
            raise ScenarioError(str(self.store.root), "--point", f"design point {point} has no finished runs")
        weekly = pd.concat(frames, ignore_index=True).sort_values(
            ["replication", "week_start", "metric"], kind="stable", ignore_index=True)
        label = f"{self.name} #{point}"
        weekly["scenario"] = label
        scenario = None
        try:
            from ..scenario.loader import load_scenario

            scenario = load_scenario(self.manifest["base"], self.overrides(point))
        except (ScenarioError, KeyError, OSError, TypeError, ValueError) as exc:  # optional: the rows stand alone
            log.info("design point %d: scenario not reloaded (%s)", point, exc)
        manifest = {
            "scenario_name": label,
            "scenario_hash": d.get("scenario_hash"),
            "scenario": scenario.model_dump(mode="json") if scenario is not None else {},
            "seed": self.manifest.get("seed"),
            "replications": [{"replication": m.get("replication"), "runtime_s": m.get("runtime_s"),
                              "events": m.get("events"), "error": m.get("error")} for m in metas],
            "package_version": (self.manifest.get("code") or {}).get("package"),
            "sweep": {"name": self.name, "point": point, "levers": d.get("levers"),
                      "uncertainties": d.get("uncertainties"), "store": str(self.store.root)},
            "overrides": self.overrides(point),
        }
        res = Results(weekly, manifest, scenario, point=point)
        self._cache[point] = res
        return res

    def summary(self, outcomes: Any = None) -> pd.DataFrame:
        """Per design point: levers, uncertainties, each outcome's mean and ± half-width
        (the sweep file's outcomes and statistics)."""
        from .sweep import plan_sweep, summarise

        sweep_file = self.manifest.get("sweep_file")
        if isinstance(sweep_file, str) and sweep_file and Path(sweep_file).exists():
            try:
                plan = plan_sweep(sweep_file, self.manifest.get("replications"))
            except ScenarioError as exc:
                log.info("sweep file not usable (%s); using the stored summary", exc)
            else:
                return summarise(self.store, plan)  # a damaged run file is a ResultsError
        path = self.store.root / "summary.csv"
        if not path.exists():
            return pd.DataFrame()
        try:
            return pd.read_csv(path)
        except Exception as exc:  # noqa: BLE001 - pandas raises several types for a damaged file
            raise ResultsError(str(path), "", f"damaged ({short(str(exc), 80, quote=False)}); rerun the "
                               "sweep to write it again") from None

    def __repr__(self) -> str:
        return f"<SweepResults {self.name!r}: {len(self.points)} design points in {self.store.root}>"


def read_sweep(path: str | os.PathLike[str]) -> SweepResults:
    """A sweep store, its manifest checked for the shape the readers rely on (whatever the
    folder holds, a bad one is a ResultsError, not a TypeError further on)."""
    store = RunStore(path)
    manifest = store.read_manifest()
    if not manifest or manifest.get("kind") != "sweep":
        raise ScenarioError(str(path), "manifest.json", "not a sweep store (written by `ketensim sweep`)")
    design = manifest.get("design", [])
    bad = "damaged: design must be a list of points ({point: n, levers: {...}, uncertainties: {...}})"
    if not isinstance(design, list):
        raise ResultsError(str(path), "manifest.json", bad)
    for d in design:
        if not isinstance(d, dict) or isinstance(d.get("point"), bool) or not isinstance(d.get("point"), int) \
                or not all(isinstance(d.get(k) or {}, dict) for k in ("levers", "uncertainties")):
            raise ResultsError(str(path), "manifest.json", bad)
    for key in ("sweep", "code"):
        if not isinstance(manifest.get(key) or {}, dict):
            raise ResultsError(str(path), "manifest.json", f"damaged: {key} must be a mapping")
    reps = manifest.get("replications")
    if reps is not None and (isinstance(reps, bool) or not isinstance(reps, int)):
        raise ResultsError(str(path), "manifest.json", "damaged: replications must be a whole number")
    return SweepResults(store, manifest)
