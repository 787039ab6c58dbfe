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

from ..scenario.errors import ScenarioError
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
        frames = [pd.read_parquet(f) for f in files]
        metas = [self.store.run_meta(f) for f in files]
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
        except (ScenarioError, KeyError, OSError) as exc:
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
        if sweep_file and Path(sweep_file).exists():
            try:
                return summarise(self.store, plan_sweep(sweep_file, self.manifest.get("replications")))
            except ScenarioError as exc:
                log.info("sweep file not usable (%s); using the stored summary", exc)
        path = self.store.root / "summary.csv"
        return pd.read_csv(path) if path.exists() else pd.DataFrame()

    def __repr__(self) -> str:
        return f"<SweepResults {self.name!r}: {len(self.points)} design points in {self.store.root}>"


def read_sweep(path: str | os.PathLike[str]) -> SweepResults:
    store = RunStore(path)
    manifest = store.read_manifest()
    if not manifest or manifest.get("kind") != "sweep":
        raise ScenarioError(str(path), "manifest.json", "not a sweep store (written by `ketensim sweep`)")
    return SweepResults(store, manifest)
