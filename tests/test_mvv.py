"""Entry visas (MVV): closed consulates, the collection-deadline extension, conservation."""
from __future__ import annotations

import numpy as np

from variants import QUIET_CHAIN, lower_bound, run, variant, week_index, window_mean

KIND = "unit"


def test_consulates_closed_all_year_nothing_lodged_or_collected():
    """Closed consulates take no applications and hand out no visas: every visa issued
    (from the starting pending stock) and every visa issued at the start lapses at its
    deadline or is still waiting."""
    sc = variant(until="2020-W30", force={"mvv.consulates_open": 0.0}, base=QUIET_CHAIN)
    w = run(sc, reps=1)
    assert w["mvv.applications"].sum() == 0
    assert w["mvv.collected"].sum() == 0
    issued = sc.start.mvv.issued + w["mvv.issued"].sum()
    assert w["mvv.lapsed"].sum() + w["mvv.backlog"][0, -1] == issued
    assert w["mvv.lapsed"].sum() > 0
    waiting = w["mvv.waiting_to_lodge"][0]
    assert np.all(np.diff(waiting) >= 0)


def test_backlog_conservation_every_week():
    sc = variant(until="2020-W30", base=QUIET_CHAIN)
    w = run(sc, reps=1)
    lv = np.concatenate([[sc.start.mvv.issued], w["mvv.backlog"][0]])
    flow = w["mvv.issued"][0] - w["mvv.collected"][0] - w["mvv.lapsed"][0]
    np.testing.assert_allclose(np.diff(lv), flow)


def test_closed_consulates_build_a_backlog_and_the_extension_prevents_lapses():
    """Metamorphic: without the 2020 extension of the collection deadline more visas lapse
    (same random numbers); in both, the uncollected backlog grows in the lockdown."""
    ext = variant(until="2020-W30", base=QUIET_CHAIN)
    no_ext = variant(until="2020-W30", force={"mvv.collection_deadline_days": 90.0}, base=QUIET_CHAIN)
    a, b = run(ext, reps=2), run(no_ext, reps=2)
    lapsed_ext, lapsed_no = a["mvv.lapsed"].sum(axis=1), b["mvv.lapsed"].sum(axis=1)
    assert np.all(lapsed_no > lapsed_ext), (lapsed_no, lapsed_ext)
    i11, i17 = week_index(ext, 11), week_index(ext, 17)
    assert np.all(a["mvv.backlog"][:, i17] > a["mvv.backlog"][:, i11])
    # lodged applications dip while consulates are closed (weeks 12-17 vs 1-11)
    apps = a["mvv.applications"]
    assert lower_bound(window_mean(apps, ext, 1, 11) - window_mean(apps, ext, 12, 17)) > 0
