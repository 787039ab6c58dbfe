"""Reports written from stored results: the workflow reads the result folder or sweep store
(the storage layer) and hands the tables to ``report``, which renders them and opens no file.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..experiment.sweep_results import is_sweep_store, read_sweep
from ..report.html import build_report
from ..report.sweep_html import build_sweep_report
from ..scenario.errors import ScenarioError
from ..store.files import atomic_write, read_results

if TYPE_CHECKING:
    import pandas as pd

    from ..analysis.targets import Targets


def _read(path: str | os.PathLike[str], point: int | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    if is_sweep_store(path):
        if point is None:
            raise ValueError("a sweep store needs a point")
        res = read_sweep(path).point(point)
        return res.weekly, res.manifest
    return read_results(path)


def check_report_out(out: str | os.PathLike[str] | None) -> None:
    """A report is one file: ``--out`` naming a folder is refused before anything is read
    or rendered (not after the work is done)."""
    if out is None:
        return
    path = Path(out)
    if path.is_dir():
        raise ScenarioError("--out", str(path), f"is a folder; the report is one file: give its name "
                            f"(e.g. {path / 'report.html'})")


def write_report(results_dir: str | os.PathLike[str], baseline: str | os.PathLike[str] | None = None,
                 out: str | os.PathLike[str] | None = None, targets: Targets | None = None, *,
                 lang: str = "en", windows: Any = None, stat: str = "mean", chain: Any = None,
                 point: int | None = None, baseline_point: int | None = None) -> Path:
    """Read stored results (and a baseline's), write the report; returns its path (default
    ``RESULTS_DIR/report.html``). A sweep store gives its overview report, or one point's
    report with ``point`` (against ``baseline_point`` of the same store, or ``baseline``)."""
    check_report_out(out)  # before the work, not after it
    if is_sweep_store(results_dir) and point is None:
        return write_sweep_report(results_dir, out=out, lang=lang)
    weekly, manifest = _read(results_dir, point)
    base_weekly = base_manifest = None
    if baseline_point is not None:
        base_weekly, base_manifest = _read(baseline or results_dir, baseline_point)
    elif baseline is not None:
        base_weekly, base_manifest = _read(baseline, None)
    page_ = build_report(weekly, manifest, baseline=base_weekly, base_manifest=base_manifest, targets=targets,
                         sources=(str(results_dir), None if baseline is None and baseline_point is None
                                  else str(baseline or results_dir)),
                         lang=lang, windows=windows, stat=stat, chain=chain)
    default = f"report-point{point}.html" if point is not None else "report.html"
    if lang != "en":
        default = default.replace(".html", f".{lang}.html")
    path = Path(out) if out else Path(results_dir) / default
    atomic_write(path, lambda p: p.write_text(page_, encoding="utf-8"))  # no .tmp left on a full disk
    return path


def write_sweep_report(store: str | os.PathLike[str], out: str | os.PathLike[str] | None = None,
                       lang: str = "en") -> Path:
    """The overview report of a sweep store (``STORE/report.html`` unless ``out``)."""
    sweep = read_sweep(store)
    path = Path(out) if out else Path(store) / ("report.html" if lang == "en" else f"report.{lang}.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_sweep_report(sweep, lang), encoding="utf-8")
    return path
