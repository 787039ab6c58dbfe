"""Every parameter a phase may change acts when a phase changes it (issue 18, item 3).

The walk covers every leaf of the phase sections that is not marked ``BUILD_TIME``: a
probe phase from week 3 sets a changed value, and the weekly table must differ from the
run without it (common random numbers, so any use of the value shows). A field the model
reads only when the chain is built must be marked ``BUILD_TIME`` instead, and is refused
in a phase. Runs use a small 2020 with an active epidemic, so that the health fields act.
"""
from __future__ import annotations

import copy
import typing
from typing import Any, Iterator

import numpy as np
import pytest
from pydantic import BaseModel

from ketensim.clock import parse_when
from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.errors import ScenarioError
from ketensim.scenario.loader import load_raw, load_scenario
from ketensim.scenario.overrides import set_path
from ketensim.scenario.phases import build_time_field, build_timeline
from ketensim.scenario.schema import PHASE_SECTIONS, Scenario, Series
from test_ind_capacity import PROBES as IND_CAPACITY_PROBES
from test_ind_plan import PROBES as IND_PLAN_PROBES
from test_reception_network import PROBES as RECEPTION_PROBES
from test_reception_supply import PROBES as SUPPLY_PROBES

from conftest import BASELINE

KIND = "unit"

BASE = {
    "horizon.end": "2020-W20-7", "start.reception.in_procedure": 3000, "start.reception.permit_holders": 1200,
    "start.reception.rejected": 1500,
    "start.ind.appeals_open": 1500, "start.dtv.outside_reception": 400, "start.dublin.awaiting_transfer": 200,
    "reception.locations.0.count": 14, "inflow.first_applications.scale": 0.3,
    "inflow.repeat_applications.scale": 0.3, "health.initial_infections": 150,
    "health.imports.exposure_factor": 2.0,
    "health.vaccination.coverage": 0.3,  # a campaign from the start, so the vaccination fields act
    "ind.video.coa_rooms": 6,  # video hearings from the start (ind.video.from_quarantine acts)
    "dublin.mob_weekly_hazard": 0.1, "dublin.reappear_weekly_hazard": 0.3,  # absconders reappear
}


# fields whose generic probes are refused by a validator or act only beyond the horizon
SPECIAL = {"dublin.deadline_absconded_days": [182.5],  # = deadline_days: absconders' cases close sooner
           "nareis.decisions_per_week": [5.0]}  # None (no limit) -> a binding decision capacity
# read from the phase in force (model/capacity.py), but the walk cannot show it: it acts only
# when an isolation is needed in a location the capacity rule opened within the horizon
NOT_SHOWN = {"reception.capacity.location_isolation_places"}
# reception and IND-capacity levers that act only under pressure, and the IND plan that acts only
# with a plan (or a class given): test_reception_network, test_ind_plan and
# test_ind_capacity probe each of them in a pressured network or IND
PRESSURED = set(RECEPTION_PROBES) | set(IND_CAPACITY_PROBES) | set(IND_PLAN_PROBES) | set(SUPPLY_PROBES)


def _base_raw() -> dict[str, Any]:
    raw = load_raw(BASELINE)
    for key, value in BASE.items():
        set_path(raw, key, value)
    raw.setdefault("name", "probe")
    end = parse_when(BASE["horizon.end"])
    raw["phases"] = [ph for ph in raw["phases"] if parse_when(ph["start"]) <= end]
    return raw


def _leaves(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, Any]]:
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}"
        if build_time_field(Scenario, path) is not None:
            continue
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, Series):
            yield f"{path}.scale", field
            yield f"{path}.values", field
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _leaves(ann, path)
        else:
            yield path, field


PHASE_FIELDS = [p for sec in PHASE_SECTIONS for p, _ in _leaves(Scenario.model_fields[sec].annotation, sec)]
WALKED = [p for p in PHASE_FIELDS if p not in PRESSURED | NOT_SHOWN]


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node




def _candidates(value: Any, path: str) -> list[Any]:
    """Changed values to try, the most telling first."""
    if path in SPECIAL:
        return SPECIAL[path]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, str):
        return [o for o in typing.get_args(_annotation(path)) if o != value]
    if isinstance(value, int):
        return [value * 3 + 2, 0]
    if isinstance(value, float):
        if _is_share(path):
            return [x for x in (1.0 - value, 0.0, 1.0, 0.5) if x != value]
        return [value * 3 + 1.0, value / 10, 0.0]
    if isinstance(value, dict):
        nums = list(value.values())
        if nums and all(isinstance(k, int) for k in value) and abs(sum(nums) - 1) < 1e-6:
            return [{k: (1.0 if k == max(value) else 0.0) for k in value}]  # all mass on the largest
        if nums and all(isinstance(v, float) for v in nums) and _is_share(path):
            return [{k: 1.0 - v for k, v in value.items()}, {k: 0.0 for k in value}]
        return [_scaled(value, 3, 1), _scaled(value, 0, 0)]
    raise AssertionError(f"no probe value for {path} = {value!r}")


def _scaled(value: Any, times: float, plus: float) -> Any:
    """Every number in a (nested) mapping times ``times`` plus ``plus``; the rest as is."""
    if isinstance(value, dict):
        return {k: _scaled(v, times, plus) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return type(value)(value * times + plus)
    return value


def _annotation(path: str) -> Any:
    model: Any = Scenario
    ann: Any = None
    for part in path.split("."):
        ann = model.model_fields[part].annotation
        model = ann
    return ann


def _is_share(path: str) -> bool:
    model: Any = Scenario
    field = None
    for part in path.split("."):
        field = model.model_fields[part]
        model = field.annotation
    meta = [m for m in field.metadata] if field is not None else []
    text = repr(field)
    return any(getattr(m, "le", None) == 1 for m in meta) or "le=1" in text


def _run(raw: dict[str, Any]) -> np.ndarray:
    sc = Scenario.model_validate(raw)
    build_timeline(sc)
    values = weekly_values(Chain(sc, 0).run(), sc.horizon.weeks)
    return np.concatenate([np.nan_to_num(values[k], nan=-1.0) for k in sorted(values)])


@pytest.fixture(scope="module")
def reference() -> tuple[dict[str, Any], np.ndarray]:
    raw = _base_raw()
    raw["phases"].insert(1, {"name": "probe", "start": "2020-W03", "set": {}})
    return raw, _run(raw)


@pytest.mark.slow
@pytest.mark.parametrize("path", WALKED)
def test_a_phase_changing_the_field_changes_the_run(path, reference):
    raw, ref = reference
    value = _get(Scenario.model_validate(raw).model_dump(mode="python"), path)
    tried = []
    for candidate in _candidates(value, path):
        probe = copy.deepcopy(raw)
        probe["phases"][1]["set"] = {path: candidate}
        try:
            out = _run(probe)
        except (ScenarioError, ValueError):
            continue
        tried.append(candidate)
        if out.shape != ref.shape or not np.array_equal(out, ref):
            return
    pytest.fail(f"{path}: a phase setting it to {tried} from week 3 leaves the run unchanged; "
                "make it act or mark it BUILD_TIME")


def test_the_walk_covers_the_fields_of_the_defect_and_every_field_is_probed_somewhere():
    for path in ("inflow.first_applications.scale", "nareis.family_size_probabilities",
                 "resettlement.household_size_probabilities"):
        assert path in WALKED
    assert PRESSURED <= set(PHASE_FIELDS)  # the pressured probes name real phase fields
    assert NOT_SHOWN <= set(PHASE_FIELDS) and len(NOT_SHOWN) <= 1  # the exception stays an exception


@pytest.mark.parametrize("override", ["reception.locations.0.count@lockdown=5", "health.initial_infections@lockdown=3",
                                      "inflow.households.second_adult_share@recovery=0.5"])
def test_a_build_time_field_in_a_phase_is_refused(override):
    with pytest.raises(ScenarioError, match=r"can only be set before the run"):
        load_scenario(BASELINE, [override])


def test_first_applications_scale_at_lockdown_acts():
    """The defect: ``inflow.first_applications.scale@lockdown=0.0`` was accepted and did
    nothing. Now the applications of weeks 13-17 (lockdown) are the repeat applications and
    incoming transfers only, and the weeks before are unchanged (common random numbers)."""
    small = ["horizon.end=2020-W17-7", "start.reception.in_procedure=2000", "start.reception.permit_holders=800",
             "start.reception.rejected=900", "start.ind.appeals_open=900", "reception.locations.0.count=10"]
    base = weekly_values(Chain(load_scenario(BASELINE, small)).run(), 17)
    off = weekly_values(Chain(load_scenario(BASELINE, [*small, "inflow.first_applications.scale@lockdown=0.0",
                                                       "inflow.repeat_applications.scale@lockdown=0.0",
                                                       "dublin.incoming.scale@lockdown=0.0"])).run(), 17)
    assert np.array_equal(off["ind.applications"][:11], base["ind.applications"][:11])
    assert base["ind.applications"][12:17].sum() > 0
    assert off["ind.applications"][12:17].sum() == 0
