"""Sweep files: validation with one-line errors, full factorial and Latin hypercube designs."""
from __future__ import annotations

import pytest
import yaml

from ketensim.experiment.design import SweepSpec, design_points, load_sweep
from ketensim.experiment.sweep import plan_sweep
from ketensim.scenario.errors import ScenarioError

from exp_helpers import ketensim, tiny_sweep

KIND = "unit"


def test_full_factorial_levers_vary_slowest(tmp_path):
    spec, _ = load_sweep(tiny_sweep(tmp_path))
    pts = design_points(spec)
    assert len(pts) == 9
    assert [p.levers["ind.video.coa_rooms@recovery"] for p in pts] == [10] * 3 + [20] * 3 + [40] * 3
    assert [p.levers["ind.physical.distancing_factor@recovery"] for p in pts[:3]] == [0.3, 0.6, 0.9]
    assert all(p.uncertainties == {"dtv.independent_weekly_hazard": 0.0076} for p in pts)
    assert pts[4].overrides() == ["ind.video.coa_rooms@recovery=20",
                                  "ind.physical.distancing_factor@recovery=0.6",
                                  "dtv.independent_weekly_hazard=0.0076"]


def test_latin_hypercube_is_stratified_and_seeded():
    raw = {"name": "lhs", "base": "x.yaml",
           "levers": {"ind.video.coa_rooms": {"low": 0, "high": 100, "integer": True}},
           "uncertainties": {"dtv.travel_open": {"low": 0.2, "high": 0.6}},
           "design": {"kind": "latin_hypercube", "samples": 10, "seed": 3}}
    spec = SweepSpec.model_validate(raw)
    a, b = design_points(spec), design_points(spec)
    assert [p.model_dump() for p in a] == [p.model_dump() for p in b]
    travel = sorted(p.uncertainties["dtv.travel_open"] for p in a)
    # exactly one sample in each of the 10 equal strata of [0.2, 0.6)
    assert [int((t - 0.2) / 0.04) for t in travel] == list(range(10))
    assert all(isinstance(p.levers["ind.video.coa_rooms"], int) for p in a)
    other = design_points(spec.model_copy(update={"design": spec.design.model_copy(update={"seed": 4})}))
    assert [p.model_dump() for p in other] != [p.model_dump() for p in a]


@pytest.mark.parametrize("change, where, what", [
    ({"levers": {"ind.video.coa_rooms": {"valuez": [1]}}}, "levers.ind.video.coa_rooms", "unknown key 'valuez'"),
    ({"uncertainties": {"ind.video.coa_rooms@recovery": {"values": [1]}}}, "", "both a lever and an uncertainty"),
    ({"levers": {"ind.video.coa_rooms": {"low": 5, "high": 1, "levels": 2}}}, "levers", "high must be > low"),
    ({"replications": 0}, "replications", "must be >= 1"),
    ({"design": {"kind": "latin_hypercube"}}, "design", "needs samples"),
    ({"base": "missing.yaml"}, "base", "file not found"),
    ({"levers": {"ind.video.coa_rooms": {"low": 1, "high": 5}}}, "levers.ind.video.coa_rooms", "needs levels"),
])
def test_bad_sweep_files_give_one_line(tmp_path, change, where, what):
    path = tiny_sweep(tmp_path)
    raw = yaml.safe_load(path.read_text())
    raw.update(change)
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ScenarioError) as err:
        plan_sweep(path)
    assert what in str(err.value) and where in str(err.value) and "\n" not in str(err.value)


def test_bad_value_names_the_design_point_and_cli_exits_2(tmp_path):
    path = tiny_sweep(tmp_path)
    raw = yaml.safe_load(path.read_text())
    raw["levers"]["ind.video.coa_rooms@recovery"] = {"values": [10, -5]}
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    proc = ketensim("sweep", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert line.count("\n") == 0 and "design point 3" in line and "coa_rooms" in line and "-5" in line
    assert not (tmp_path / "out").exists()
