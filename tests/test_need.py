"""Required capacity: the need quantile on a hand-made table, capacities from the phases,
`run --need` and the fan chart in the report."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ketensim.metrics.need import NEEDS, capacity_by_week, need_table, peak_needs, quantile_need

from conftest import BASELINE

KIND = "unit"


def _table(values_by_week: list[list[float]], metric: str = "coa.occupancy", capacity: float = 8) -> pd.DataFrame:
    rows = []
    for w, vals in enumerate(values_by_week):
        ws = pd.Timestamp("2020-01-06") + pd.Timedelta(days=7 * w)
        for r, v in enumerate(vals):
            rows.append({"replication": r, "week_start": ws, "metric": metric, "value": float(v)})
            rows.append({"replication": r, "week_start": ws, "metric": "coa.capacity", "value": capacity})
    return pd.DataFrame(rows)


def test_quantile_need_is_the_smallest_value_that_suffices_in_p_of_replications():
    v = np.arange(1, 11)  # ten replications needing 1..10 places
    assert quantile_need(v, 0.9) == 9       # 9 places suffice in 9 of 10
    assert quantile_need(v, 0.91) == 10
    assert quantile_need(v, 0.5) == 5 and quantile_need(v, 1.0) == 10
    assert quantile_need(v, 0.9, buffer=0.1) == 10  # 9 * 1.1 = 9.9, rounded up
    assert quantile_need([2.2, 2.2], 0.9) == 3
    for p in (0.1, 0.33, 0.8, 0.95):
        n = quantile_need(v, p)
        assert np.mean(v <= n) >= p and np.mean(v <= n - 1) < p
    with pytest.raises(ValueError):
        quantile_need(v, 0)


def test_need_table_on_a_hand_made_table():
    weekly = _table([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 10, 10, 10, 10, 10, 10, 10, 10, 30]])
    t = need_table(weekly, prob=0.9)
    assert list(t.group) == ["reception", "reception"]
    assert list(t.need) == [9.0, 10.0] and list(t.capacity) == [8.0, 8.0]
    assert t["median"].tolist() == [5.5, 10.0] and t.p10.iloc[0] == pytest.approx(1.9)
    assert list(t.short) == [1.0, 2.0] and (t.reps == 10).all()
    peak = peak_needs(t).iloc[0]
    assert (peak["peak need"], peak["week"], peak["weeks need > capacity"]) == (10, "2020-W03", 2)
    # the quarantine need sums the placed and the unplaced
    q = pd.concat([_table([[1, 3]], "health.places_used"), _table([[0, 2]], "health.external_used"),
                   _table([[4, 0]], "health.unplaced")])
    tq = need_table(q, prob=1.0)
    assert tq[tq.group == "quarantine"].need.tolist() == [5.0]


def test_quarantine_and_detention_capacity_follow_the_phases(write_scenario):
    """The places in force each week are the phase's: the baseline's external quarantine
    places from October 2020, and detention places a phase halves from Wednesday 2020-09-30."""
    from ketensim.scenario.loader import load_scenario

    path = write_scenario({"extends": "baseline-2020", "phases": [
        {"name": "detention-halved", "start": "2020-09-30", "set": {"detention.places": 350}}]})
    sc = load_scenario(path)
    spec = {s.group: s for s in NEEDS}
    ends = [pd.Timestamp("2020-09-27"), pd.Timestamp("2020-10-04")]
    reserved = sum(g.count * g.isolation_places for g in sc.reception.locations) + sum(
        e.isolation_places for e in sc.reception.emergency)
    assert capacity_by_week(sc, spec["quarantine"], ends) == [reserved, reserved + 100]
    assert sc.detention.places == 700
    assert capacity_by_week(sc, spec["detention"], ends) == [700, 350]
    base = load_scenario(BASELINE)
    assert capacity_by_week(base, spec["detention"], ends) == [700, 700]


@pytest.mark.slow
@pytest.mark.integration
def test_run_need_writes_need_csv_and_the_report_shows_the_fan_chart(tmp_path, capsys):
    from ketensim.cli import main

    out = tmp_path / "run"
    code = main(["run", str(BASELINE), "--reps", "2", "--set", "horizon.end=2020-W06-7", "--workers", "1",
                 "--quiet", "--need", "0.9", "--buffer", "0.05", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "required capacity at P90 plus 5% buffer" in text and "reception" in text
    need = pd.read_csv(out / "need.csv")
    assert {"reception", "reception.col", "reception.azc", "quarantine", "detention"} <= set(need.group)
    assert (need.need >= need.p10).all() and (need.buffer == 0.05).all()
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert 'id="capacity"' in html and 'aria-label="needed: reception places (COA, all stages)"' in html
    assert ">need at P90 + 5% buffer<" in html and ">capacity in place<" in html  # the fan chart's legend
    assert "Places needed per week at P90 plus 5%" in html
