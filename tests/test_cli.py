"""The command line end to end on a short scenario."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from conftest import BASELINE

KIND = "integration"

CONTRACT_COLUMNS = ["scenario", "replication", "iso_year", "iso_week", "week_start", "metric", "value"]


def ketensim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ketensim.cli", *args], capture_output=True, text=True)


def test_run_writes_contract_results_with_provenance(tmp_path, write_scenario):
    path = write_scenario({"extends": "baseline-2020", "name": "short", "horizon": {"end": "2020-W14-7"}})
    out = tmp_path / "out"
    proc = ketensim("run", str(path), "--reps", "2", "--workers", "1", "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "hearings, physical /wk" in proc.stdout and "W12-17 lockdown" in proc.stdout
    weekly = pd.read_parquet(out / "weekly.parquet")
    assert list(weekly.columns) == CONTRACT_COLUMNS
    assert sorted(weekly.replication.unique()) == [0, 1]
    assert weekly.iso_week.max() == 14 and weekly.iso_week.min() == 1
    for metric in ("ind.hearings_physical", "ind.hearings_video", "ind.hearings_cancelled", "ind.decisions",
                   "ind.grants", "ind.backlog", "ind.lead_time_median_days", "coa.occupancy", "coa.capacity",
                   "coa.permit_holders", "coa.housed", "coa.emergency_occupancy",
                   "dtv.departures_independent", "dtv.departures_forced", "dtv.departures_forced_origin",
                   "dtv.departures_unsupervised", "dtv.caseload"):
        assert metric in set(weekly.metric), metric
    # one row per (scenario, replication, week, metric)
    assert not weekly.duplicated(["scenario", "replication", "iso_year", "iso_week", "metric"]).any()
    csv = pd.read_csv(out / "weekly.csv")
    assert len(csv) == len(weekly)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["horizon"]["end"] == "2020-04-05"
    assert len(manifest["scenario_hash"]) == 16 and manifest["seed"] == 20201005
    assert [r["error"] for r in manifest["replications"]] == [None, None]
    assert manifest["package_version"]


def test_check_summarises(tmp_path):
    proc = ketensim("check", str(BASELINE))
    assert proc.returncode == 0
    assert "valid scenario 'baseline-2020'" in proc.stdout and "lockdown" in proc.stdout


def test_help_lists_commands():
    proc = ketensim("--help")
    assert proc.returncode == 0 and "run" in proc.stdout and "check" in proc.stdout


def test_run_imports_no_plotting_or_scipy(tmp_path, write_scenario):
    """`run` (two replications: intervals) needs neither matplotlib nor scipy nor dask:
    their imports would cost more than a one-week run (issue 13's fixed cost)."""
    path = write_scenario({"extends": "baseline-2020", "name": "week", "horizon": {"end": "2020-W01-7"}})
    code = ("import sys; from ketensim.cli import main; rc = main(); "
            "print(sorted(m for m in ('matplotlib', 'scipy', 'dask') if m in sys.modules)); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, "run", str(path), "--reps", "2", "--workers", "1",
                           "--out", str(tmp_path / "out"), "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "±" in proc.stdout  # the intervals were computed
    assert proc.stdout.strip().splitlines()[-1] == "[]"
