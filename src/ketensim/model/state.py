"""The state of a running chain, read as a ``start:`` block: what a run started on that day
needs to continue it (the inverse of the parts' seeding).

``capture`` reads one finished replication at its last moment (the end of the week before the
state's date) into flat numbers and distributions; ``experiment.state`` averages them over
replications and writes the scenario fragment. Stocks are persons; distributions are shares
over the bands of ``AGE_BANDS`` (days since application, or since the permit), the form of
``start.ind.age_distribution``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .entities import DUBLIN, IN_PROCEDURE, PERMIT_HOLDER, REJECTED

if TYPE_CHECKING:
    from .chain import Chain

AGE_BANDS: tuple[int, ...] = (7, 14, 28, 42, 56, 70, 84, 98, 112, 126, 154, 182, 228, 273, 365, 456, 548, 730,
                               1095, 1825)
"""Upper bounds (days) of the age bands of a captured stock (the last bound caps the oldest)."""


def age_shares(ages: list[tuple[float, float]], bands: tuple[int, ...] = AGE_BANDS) -> dict[int, float]:
    """Shares of persons per age band from (age in days, persons) pairs; ages beyond the last
    bound fall in the last band. Empty: everything in the first band."""
    if not ages:
        return {b: (1.0 if i == 0 else 0.0) for i, b in enumerate(bands)}
    a = np.array([x for x, _ in ages], dtype=float)
    w = np.array([n for _, n in ages], dtype=float)
    idx = np.minimum(np.searchsorted(np.asarray(bands, dtype=float), a, side="left"), len(bands) - 1)
    per = np.bincount(idx, weights=w, minlength=len(bands))
    return {b: float(per[i] / per.sum()) for i, b in enumerate(bands)}


def capture(chain: "Chain") -> dict[str, object]:
    """The chain's state at its current moment: stocks by part (persons) and the distributions
    the seeding hooks draw from. Keys are dotted paths of the scenario (``start.*`` and the
    few parameters that hold a stock, such as the places open and the housing arrears)."""
    now = chain.env.now
    rec, recep, ind = chain.rec, chain.reception, chain.ind
    last = {m: v[-1] for m, v in rec.levels.items() if v}
    status = recep.by_status
    dublin_track = [hh for hh in ind.open.values() if ind.cls.get(hh.hid) == "dublin" and hh.in_reception]
    claims = {hh.hid for hh in dublin_track}
    open_cases = [hh for hh in ind.open.values() if hh.hid not in claims]
    in_coa = [hh for hh in open_cases if hh.in_reception]
    outside = sum(hh.size for hh in open_cases if not hh.in_reception)
    stage_of = ind.stage_of()
    n_open = sum(hh.size for hh in open_cases) or 1
    first = sum(hh.size for hh in open_cases if stage_of.get(hh.hid, 0) == 0)
    second = sum(hh.size for hh in open_cases if stage_of.get(hh.hid, 0) == 1)
    deciding = sum(hh.size for hh in open_cases if stage_of.get(hh.hid, 0) == 3)
    repeat = sum(hh.size for hh in open_cases if hh.kind == "repeat")
    ages = [(now - hh.applied_at, float(hh.size)) for hh in open_cases]
    housing = recep.housing
    permits = [(now - since, float(hh.size)) for since, hh in housing.permit_at.values() if hh.in_reception]
    dtv_out = sum(hh.size for hh in chain.dtv.caseload.values() if not hh.in_reception and not hh.detained)
    det = list(chain.detention.detainees.values())
    nareis_open = float(last.get("nareis.open", 0.0))
    pending, pending_in_coa = chain.nareis.filing_pending(now)
    out: dict[str, object] = {
        # appellants keep the status "in procedure" in COA while the start block counts them
        # among the rejected (start.ind.appeals_open of start.reception.rejected)
        "start.reception.in_procedure": float(sum(hh.size for hh in in_coa)),
        "start.reception.permit_holders": float(status[PERMIT_HOLDER]),
        "start.reception.rejected": float(status[REJECTED] + status[IN_PROCEDURE]
                                          - sum(hh.size for hh in in_coa)
                                          - sum(hh.size for hh in dublin_track)),
        "start.reception.permit_age_distribution": age_shares(permits),
        "start.reception.permit_matched_share": (
            sum(hh.size for hh in housing.queue) / status[PERMIT_HOLDER] if status[PERMIT_HOLDER] else 0.0),
        "start.ind.outside_reception": float(outside),
        "start.ind.appeals_open": float(last.get("ind.appeals_open", 0.0)),
        "start.ind.share_awaiting_first_hearing": first / n_open,
        "start.ind.share_awaiting_second_hearing": second / n_open,
        "start.ind.share_awaiting_decision": deciding / n_open,
        "start.ind.repeat_share": repeat / n_open,
        "start.ind.backlog_age_days": float(np.mean([a for a, _ in ages])) if ages else 0.0,
        "start.ind.age_distribution": age_shares(ages),
        "start.dtv.outside_reception": float(dtv_out),
        "start.dublin.awaiting_transfer": float(status[DUBLIN]),
        "start.dublin.claims_pending": float(sum(hh.size for hh in dublin_track)),
        "start.detention.population": float(sum(d.hh.size for d in det)),
        "start.detention.elapsed_days": float(np.mean([now - d.since for d in det])) if det else 0.0,
        "start.nareis.open": nareis_open,
        "start.nareis.awaiting_investigation_share": (
            float(last.get("nareis.awaiting_investigation", 0.0)) / nareis_open if nareis_open else 0.0),
        "start.nareis.filing_pending": float(pending),
        "start.nareis.filing_pending_in_coa_share": pending_in_coa,
        "start.nareis.approved": float(last.get("nareis.approved_waiting", 0.0)),
        "start.nareis.holding_mvv": float(last.get("nareis.holding_mvv", 0.0)),
        "start.resettlement.waiting": float(last.get("resettlement.waiting", 0.0)),
        "start.mvv.waiting_to_lodge": float(last.get("mvv.waiting_to_lodge", 0.0)),
        "start.mvv.pending": float(last.get("mvv.pending", 0.0)),
        "start.mvv.issued": float(last.get("mvv.backlog", 0.0)),
        "reception.housing.arrears_at_start": float(housing.arrears_in),
        "reception.housing.stock_waiting_days": float(np.mean([a for a, _ in permits])) if permits else 0.0,
        # places open at the state's date, by stage (the capacity rule's locations included)
        "places.azc": float(recep.stage_capacity("azc")),
        "places.pol": float(recep.stage_capacity("pol")),
        # stocks of the observed definitions, for matching to the data
        "observed.coa.occupancy": float(last.get("coa.occupancy", 0.0)),
        "observed.ind.backlog": float(ind.backlog.value),
    }
    return out
