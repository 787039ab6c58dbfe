"""MOB as DT&V publishes it: the departure caseload's departures without supervision, with
absconded Dublin claimants kept apart (``dublin.absconded``), on a seeded small run."""
from __future__ import annotations

import numpy as np

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.loader import load_scenario
from test_dublin import SMALL

from conftest import BASELINE

KIND = "unit"


def run(overrides=()):
    sc = load_scenario(BASELINE, [*SMALL, *overrides])
    return weekly_values(Chain(sc, 0).run(), sc.horizon.weeks)


def test_dtv_mob_excludes_dublin_absconders():
    v = run()
    assert v["dublin.absconded"].sum() > 0  # the separation means something
    assert np.array_equal(v["dtv.departures_unsupervised"], v["dtv.caseload_unsupervised"])
    assert np.array_equal(v["dtv.departures_unsupervised_incl_dublin"],
                          v["dtv.caseload_unsupervised"] + v["dublin.absconded"])


def test_no_caseload_mob_leaves_dtv_mob_empty_while_dublin_claimants_abscond():
    """Caseload MOB switched off (no hazard, every detainee released back to the caseload):
    the DT&V metric is zero although Dublin claimants abscond, from COA and from detention
    (their release share is the same parameter, so Dublin detainees go back to the queue and
    abscond by their own hazard)."""
    v = run(["dtv.mob_weekly_hazard=0", "detention.release_mob_share=0"])
    assert v["dtv.departures_unsupervised"].sum() == 0
    assert v["dublin.absconded"].sum() > 50
    assert v["dtv.departures_unsupervised_incl_dublin"].sum() == v["dublin.absconded"].sum()


def test_dublin_absconders_from_detention_count_as_dublin_not_dtv():
    """Every released detainee leaves without supervision and Dublin claimants are offered the
    placements first: the Dublin track's releases add to dublin.absconded only."""
    v = run(["dtv.mob_weekly_hazard=0", "detention.release_mob_share=1", "detention.dublin_share=1",
             "dublin.mob_weekly_hazard=0"])
    assert v["detention.releases"].sum() > 0
    # no hazard of their own: the Dublin claimants who abscond are the released detainees
    assert v["dublin.absconded"].sum() > 0
    assert v["dtv.departures_unsupervised"].sum() <= v["detention.releases"].sum() - v["dublin.absconded"].sum()
