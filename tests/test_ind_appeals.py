"""Appeals with suspensive effect: the person stays in COA (in procedure) until the ruling."""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.metrics.weekly import weekly_values as _weekly_values
from ketensim.model.chain import Chain
from ketensim.model.entities import IN_PROCEDURE, REJECTED
from ketensim.scenario.schema import Scenario

from conftest import stationary

KIND = "unit"


def weekly_values(rec, n_weeks):  # type: ignore[no-untyped-def]
    """Weekly values; a count that never happened is a week of zeros (not missing)."""
    from collections import defaultdict

    out = defaultdict(lambda: np.zeros(n_weeks))
    out.update(_weekly_values(rec, n_weeks))
    return out


def appeal_scenario(share: float = 1.0, grant: float = 0.0, days: float = 60.0, weeks: int = 104,
                    warmup_days: int = 150) -> Scenario:
    raw = stationary(persons_per_week=14.0, rooms=5, slots_per_week=7, cv=0.5, weeks=weeks,
                     warmup_days=warmup_days)
    raw["ind"]["grant_share"] = {"first": 0.0, "repeat": 0.0}
    raw["ind"]["appeals"] = {"share": {"first": share, "repeat": share}, "days": days, "grant_share": grant}
    return Scenario.model_validate(raw)


def test_an_appealing_household_stays_in_coa_until_the_ruling():
    chain = Chain(appeal_scenario(weeks=20), 0)
    hh = chain.new_household("first", 2, 1, 0.0)
    chain._enter(hh)
    chain.reception.admit(hh, newcomer=False)
    seen = []

    def watch():
        while True:
            seen.append((chain.env.now, hh.in_reception, hh.status, hh.hid in chain.dtv.caseload))
            yield chain.env.timeout(1.0)

    proc = chain.env.process(chain._appeal_stock(hh, chain.appeals.lodge(hh)))
    chain.env.process(watch())
    chain.env.run(until=400)
    ruled = next(t for t, _, status, in_dtv in seen if in_dtv)
    during = [s for s in seen if s[0] < ruled]
    assert during and all(inc and st == IN_PROCEDURE and not dtv for _, inc, st, dtv in during)
    assert hh.status == REJECTED or not hh.in_reception or proc.triggered


@pytest.mark.statistical
def test_open_appeals_follow_littles_law():
    """Every rejected household appeals: mean open appeals = rejection rate x mean duration."""
    sc = appeal_scenario(days=60.0)
    ratios = []
    for rep in range(3):
        v = weekly_values(Chain(sc, rep).run(), sc.horizon.weeks)
        lam = v["ind.appeals_lodged"][20:].mean() / 7.0  # persons a day
        ratios.append(v["ind.appeals_open"][20:].mean() / (lam * 60.0))
    assert abs(np.mean(ratios) - 1.0) < 0.12, ratios


def test_dismissed_appeals_go_to_dtv_granted_ones_get_a_permit():
    sc_all = appeal_scenario(grant=0.0)
    sc_half = appeal_scenario(grant=0.5)
    v0 = weekly_values(Chain(sc_all, 0).run(), sc_all.horizon.weeks)
    v5 = weekly_values(Chain(sc_half, 0).run(), sc_half.horizon.weeks)
    assert v0["ind.appeals_granted"].sum() == 0
    assert v0["ind.handover_dtv_rejected"].sum() == v0["ind.appeals_decided"].sum()
    share = v5["ind.appeals_granted"].sum() / v5["ind.appeals_decided"].sum()
    assert 0.4 < share < 0.6
    assert v5["coa.housed"].sum() > 0 and v0["coa.housed"].sum() == 0
    # appeals delay the hand-over: from an empty start, without appeals DT&V gets the rejected
    # at once, with appeals of 60 days on average only some weeks later
    sc_none, sc_appeal = appeal_scenario(share=0.0, warmup_days=0), appeal_scenario(warmup_days=0)
    vn = weekly_values(Chain(sc_none, 0).run(), sc_none.horizon.weeks)
    va = weekly_values(Chain(sc_appeal, 0).run(), sc_appeal.horizon.weeks)
    assert vn["ind.appeals_open"].max() == 0
    assert vn["ind.handover_dtv_rejected"][:10].sum() > 1.5 * va["ind.handover_dtv_rejected"][:10].sum()
