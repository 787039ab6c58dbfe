"""The benchmark's pure helpers, and that `bench/run.py --quick` runs end to end.

No timing is asserted: the figures are reported, never judged by a test.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ketensim.policy.timeline import build_timeline
from ketensim.scenario.loader import load_scenario

KIND = "unit"

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline-2020.yaml"


def _bench():
    spec = importlib.util.spec_from_file_location("ketensim_bench_run", ROOT / "bench" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


bench = _bench()


@pytest.mark.parametrize("k", [2, 4])
def test_scaled_multiplies_persons_and_capacities(k):
    base = load_scenario(BASELINE)
    big = bench.scaled(base, k)
    s, b = base.start, big.start
    assert b.reception.in_procedure == k * s.reception.in_procedure
    assert b.reception.permit_holders == k * s.reception.permit_holders
    assert b.reception.rejected == k * s.reception.rejected
    assert b.dtv.outside_reception == k * s.dtv.outside_reception
    assert big.inflow.first_applications.scale == k * base.inflow.first_applications.scale
    assert big.inflow.repeat_applications.scale == k * base.inflow.repeat_applications.scale
    assert big.reception.regular_places == k * base.reception.regular_places
    assert [e.places for e in big.reception.emergency] == [k * e.places for e in base.reception.emergency]
    assert big.reception.housing.target_scale == k * base.reception.housing.target_scale
    assert sum(big.ind.physical.offices.values()) == k * sum(base.ind.physical.offices.values())
    assert big.dtv.removals_per_week == k * base.dtv.removals_per_week
    # phases that set an extensive quantity are scaled too; intensive ones are not
    for small_ph, big_ph in zip(build_timeline(base), build_timeline(big)):
        sp, bp = small_ph.params, big_ph.params
        assert bp.ind.video.rooms == k * sp.ind.video.rooms
        assert bp.ind.physical.distancing_factor == sp.ind.physical.distancing_factor
        assert bp.reception.housing.target_scale == k * sp.reception.housing.target_scale
        assert bp.dtv.travel_open == sp.dtv.travel_open
    # the caller's scenario is untouched, and k = 1 is the scenario itself
    assert base.start.reception.in_procedure == load_scenario(BASELINE).start.reception.in_procedure
    assert bench.scaled(base, 1) is base


def test_shortened_drops_later_phases():
    short = bench.shortened(load_scenario(BASELINE), 13)
    assert short.horizon.weeks == 13
    assert all(p.start <= short.horizon.end for p in short.phases)


def test_calibration_size_reads_the_committed_fit():
    trials, reps = bench.calibration_size()
    assert trials >= 1 and reps >= 1


def test_verdict_and_ratio():
    assert bench.verdict("replication_over_R", 0.9) is True
    assert bench.verdict("efficiency", 0.4) is False
    assert bench.verdict("efficiency", None) is None
    assert bench.median_ratio([2.0, 4.0, 9.0], [1.0, 1.0, 3.0]) == 3.0


def test_bare_simpy_counts_its_events():
    out = bench.child_bare(2_000, 10)
    assert out["timeouts"] == 2_000
    assert out["events"] >= 2_000  # timeouts plus each process's start and end


@pytest.mark.slow
@pytest.mark.integration
def test_quick_bench_writes_every_figure(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--profile-top", "5",
         "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,  # the reduced sizing question adds ~1-2 min
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "bench-quick.json").read_text())
    assert set(result["figures"]) == set(bench.GOALS)
    absent = {"calibration_minutes"}  # not estimated at the reduced size
    if not bench.THREE_YEARS.exists():
        absent |= {"three_year_over_R", "three_year_peak_memory_mb"}
    for name, value in result["figures"].items():
        if name in absent:
            assert value is None and result["goals"][name]["met"] is None, name
            continue
        assert isinstance(value, float) and value > 0, name
        goal, op = bench.GOALS[name]
        assert (result["goals"][name]["goal"], result["goals"][name]["op"]) == (goal, op), name
        # the verdict is the figure against its goal, in the goal's direction
        assert result["goals"][name]["met"] is (value <= goal if op == "<=" else value >= goal), name
    assert result["measured"]["events_per_replication"] > 0
    assert result["profile"]["top"]
    md = (tmp_path / "README-quick.md").read_text()
    assert "| figure | measured | goal | met? |" in md
    for name, g in result["goals"].items():  # the table says the same as the JSON
        row = next(line for line in md.splitlines() if line.startswith(f"| {bench.LABELS[name][0]} |"))
        assert row.endswith(f"| { {True: 'yes', False: '**no**', None: '-'}[g['met']]} |"), row
