"""The state of the chain on a date, taken from a run and matched to the data: the start of a
forecast from where the chain stands (a nowcast: the structure from the model, the totals from
the observed figures).

``take_state`` runs replications up to the Sunday before the date and averages what
``model.state.capture`` reads from each; ``match_observed`` rescales the stocks to observed
aggregates; ``state_fragment`` writes the scenario fragment (``horizon.start``, ``start:`` and
the few parameters that hold a stock) that a scenario extends to start there.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..model.chain import Chain, gc_paused
from ..model.state import capture
from ..scenario.errors import ScenarioError

if TYPE_CHECKING:
    from ..scenario.schema import Scenario

log = logging.getLogger(__name__)

# stocks held in COA locations (persons), whose sum the observed occupancy measures
IND_STOCKS = ("start.reception.in_procedure", "start.ind.outside_reception", "start.dublin.claims_pending")
"""The stocks ind.backlog counts (open applications: Dublin claims not yet answered included)."""
COA_STOCKS = ("start.reception.in_procedure", "start.reception.permit_holders",
              "start.reception.rejected", "start.dublin.awaiting_transfer", "start.dublin.claims_pending")


@dataclass
class Matched:
    """One observed aggregate a state was rescaled to."""

    metric: str
    observed: float
    model: float
    stocks: tuple[str, ...]
    source: str = ""

    @property
    def factor(self) -> float:
        return self.observed / self.model if self.model else math.nan


@dataclass
class ChainState:
    """The mean state over replications at ``at`` (a Monday: the state at the end of the day
    before), with the spread of each stock and what was matched to the data."""

    scenario: str
    at: dt.date
    reps: int
    values: dict[str, Any]
    sd: dict[str, float] = field(default_factory=dict)
    matched: list[Matched] = field(default_factory=list)


def _capture_rep(args: tuple["Scenario", int]) -> dict[str, Any]:
    scenario, rep = args
    with gc_paused():
        chain = Chain(scenario, rep)
        chain.run()
        out = capture(chain)
        chain.close()
    return out


def cut_at(scenario: "Scenario", at: dt.date, source: str = "--at") -> "Scenario":
    """The scenario run up to the end of the day before ``at`` (a Monday inside the horizon)."""
    h = scenario.horizon
    if at.isoweekday() != 1:
        monday = at - dt.timedelta(days=at.isoweekday() - 1)
        raise ScenarioError(source, "", f"must be a Monday (a state starts a week), got {at} "
                            f"({at.strftime('%A')}); use {monday}")
    if not h.start < at <= h.end:
        raise ScenarioError(source, "", f"must lie after the horizon's start {h.start} and by its "
                            f"end {h.end}, got {at}")
    data = scenario.model_dump(mode="python")
    end = at - dt.timedelta(days=1)
    data["horizon"]["end"] = end
    data["phases"] = [p for p in data["phases"] if p["start"] <= end]  # later ones play no part
    data["changes"] = [c for c in data.get("changes", []) if c["start"] <= end]
    return type(scenario).model_validate(data)


def take_state(scenario: "Scenario", at: dt.date, reps: int, workers: int = 1) -> ChainState:
    """Run ``reps`` replications to ``at`` and average their states (seeds as in ``run``)."""
    cut = cut_at(scenario, at)
    jobs = [(cut, r) for r in range(reps)]
    if workers > 1 and reps > 1:
        with ProcessPoolExecutor(max_workers=min(workers, reps)) as ex:
            states = list(ex.map(_capture_rep, jobs))
    else:
        states = [_capture_rep(j) for j in jobs]
    return average(scenario.name, at, states)


def average(name: str, at: dt.date, states: list[dict[str, Any]]) -> ChainState:
    """Mean over replications: numbers averaged (their standard deviation kept), distributions
    averaged band by band and renormalised."""
    values: dict[str, Any] = {}
    sd: dict[str, float] = {}
    for key, first in states[0].items():
        if isinstance(first, dict):
            bands = list(first)
            mean = np.mean([[s[key][b] for b in bands] for s in states], axis=0)
            total = float(mean.sum()) or 1.0
            values[key] = {b: float(v) / total for b, v in zip(bands, mean)}
        else:
            xs = np.array([float(s[key]) for s in states])
            values[key] = float(xs.mean())
            sd[key] = float(xs.std(ddof=1)) if len(xs) > 1 else 0.0
    return ChainState(name, at, len(states), values, sd)


def match_observed(state: ChainState, observed: Mapping[str, tuple[float, str]]) -> ChainState:
    """Rescale the stocks to observed aggregates (metric -> (value, source)), in this order:

    - ``ind.backlog`` (open applications): the IND stock in and outside COA and the Dublin
      claims not yet answered, same factor;
    - ``coa.permit_holders``: the permit holders in COA;
    - ``coa.occupancy``: the other stocks in COA (rejected, accepted Dublin claimants) absorb the rest,
      so the stocks in COA add up to the observed occupancy; where they cannot (the rest
      would be negative) the IND stock in COA is scaled down too, and the shortfall is said;
    - ``detention.population``, ``housing.arrears``: set as observed.

    The structure (stages, ages, classes, shares) stays the model's."""
    v = dict(state.values)
    done: list[Matched] = []
    ind_model = sum(v[k] for k in IND_STOCKS)
    if "ind.backlog" in observed and ind_model > 0:
        obs, src = observed["ind.backlog"]
        f = obs / ind_model
        for k in IND_STOCKS:
            v[k] *= f
        done.append(Matched("ind.backlog", obs, ind_model, IND_STOCKS, src))
    if "coa.permit_holders" in observed:
        obs, src = observed["coa.permit_holders"]
        done.append(Matched("coa.permit_holders", obs, v["start.reception.permit_holders"],
                            ("start.reception.permit_holders",), src))
        v["start.reception.permit_holders"] = obs
    if "coa.occupancy" in observed:
        obs, src = observed["coa.occupancy"]
        model = sum(state.values[k] for k in COA_STOCKS)
        fixed = v["start.reception.in_procedure"] + v["start.reception.permit_holders"] + v["start.dublin.claims_pending"]
        rest_keys = ("start.reception.rejected", "start.dublin.awaiting_transfer")
        rest = sum(v[k] for k in rest_keys)
        want = obs - fixed
        if want < 0:  # the IND stock in COA gives way: occupancy is the firmer figure
            log.warning("observed occupancy %s is below the matched IND stock and permit holders "
                        "in COA (%s): the IND stock in COA is scaled down", obs, fixed)
            v["start.reception.in_procedure"] = max(obs - v["start.reception.permit_holders"], 0.0)
            want = 0.0
        for k in rest_keys:
            v[k] = v[k] * want / rest if rest > 0 else want / len(rest_keys)
        done.append(Matched("coa.occupancy", obs, model, COA_STOCKS, src))
    for metric, key in (("detention.population", "start.detention.population"),
                        ("housing.arrears", "reception.housing.arrears_at_start")):
        if metric in observed:
            obs, src = observed[metric]
            done.append(Matched(metric, obs, v[key], (key,), src))
            v[key] = obs
    return ChainState(state.scenario, state.at, state.reps, v, state.sd, [*state.matched, *done])


def _get(tree: dict[str, Any], dotted: str) -> Any:
    for key in dotted.split("."):
        tree = tree[key]
    return tree


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *heads, last = dotted.split(".")
    for h in heads:
        tree = tree.setdefault(h, {})
    tree[last] = value


def state_fragment(state: ChainState, scenario: "Scenario") -> dict[str, Any]:
    """The scenario fragment that starts a run at the state's date: ``horizon.start``, the
    ``start:`` block (stocks rounded to persons) and the stock-holding parameters (housing
    arrears, the permit holders' mean wait, the AZC places open)."""
    out: dict[str, Any] = {"horizon": {"start": state.at.isoformat(), "warmup_days": 0}}
    for key, value in state.values.items():
        if key.startswith("observed.") or key.startswith("places."):
            continue
        if isinstance(value, dict):
            shares = {int(b): round(s, 6) for b, s in value.items()}
            drift = 1.0 - sum(shares.values())  # rounding: the largest band takes it
            top = max(shares, key=lambda b: shares[b])
            shares[top] = round(shares[top] + drift, 6)
            _set(out, key, shares)
        elif "share" in key.rsplit(".", 1)[-1] or key.endswith("days"):
            _set(out, key, round(float(value), 4))
        else:
            _set(out, key, int(round(value)))
    out["start"]["ind"]["appeals_open"] = min(out["start"]["ind"]["appeals_open"],
                                              out["start"]["reception"]["rejected"])
    st = out["start"]
    st["in_reception"] = sum(_get(out, k) for k in COA_STOCKS)
    azc = state.values["places.azc"]
    group = scenario.reception.locations[0] if scenario.reception.locations else None
    per = group.places if group is not None and group.places > 0 else 500
    iso = group.isolation_places if group is not None else 4
    out.setdefault("reception", {})["locations"] = [
        {"name": "azc", "count": max(int(math.ceil(azc / per)), 1), "places": per, "isolation_places": iso}]
    return out


def state_document(state: ChainState, scenario: "Scenario", extends: str) -> str:
    """The state as a scenario file: a header saying where it came from and what was matched,
    ``extends:`` the scenario it was taken from, and the fragment."""
    import yaml

    frag = {"extends": extends, "name": f"{scenario.name}-from-{state.at.isoformat()}",
            **state_fragment(state, scenario)}
    lines = [f"# The state of {scenario.name} on {state.at} (the mean of {state.reps} replications",
             "# run to the end of the day before), written by `ketensim state`."]
    if state.matched:
        lines.append("# Matched to the observed figures (the structure from the model, the totals from the data):")
        for m in state.matched:
            lines.append(f"#   {m.metric}: model {m.model:,.0f} -> observed {m.observed:,.0f} "
                         f"(x{m.factor:.3f}; {', '.join(m.stocks)}){'; ' + m.source if m.source else ''}")
    else:
        lines.append("# Not matched to observed figures: the model's own state.")
    return "\n".join(lines) + "\n" + yaml.safe_dump(frag, sort_keys=False, allow_unicode=True)
