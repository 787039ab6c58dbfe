"""The report's "Reception pressure" table: stages against places, and the pressure figures
(mean and peak over the run, mean [95% interval] over replications)."""
from __future__ import annotations

import pandas as pd

from ketensim.report.pressure import has_pressure, pressure_rows

KIND = "unit"


def _weekly(values: dict[str, list[list[float]]]) -> pd.DataFrame:
    rows = []
    for metric, reps in values.items():
        for rep, series in enumerate(reps):
            for w, v in enumerate(series):
                rows.append({"scenario": "s", "replication": rep, "iso_year": 2020, "iso_week": w + 1,
                             "week_start": pd.Timestamp("2019-12-30") + pd.Timedelta(weeks=w),
                             "metric": metric, "value": v})
    return pd.DataFrame(rows)


def test_rows_give_mean_and_peak_with_the_interval_and_sum_the_added_officers():
    weekly = _weekly({
        "coa.col_occupancy": [[1900, 2100, 2300], [1900, 2100, 2300]],
        "coa.capacity_col": [[2000, 2000, 2000], [2000, 2000, 2000]],
        "coa.col_overflow": [[0, 100, 300], [0, 100, 300]],
        "coa.permit_holders": [[5000, 6000, 7000], [5000, 6000, 7000]],
        "ind.added_hearing_officers": [[0, 0, 100], [0, 0, 100]],
        "ind.added_decision_officers": [[0, 0, 50], [0, 0, 50]],
    })
    assert has_pressure(weekly)
    rows = {r[0]: r[1:] for r in pressure_rows(weekly)}
    # identical replications: the interval has zero width
    assert rows["registration centre (COL)"] == ["2,100 [2,100, 2,100]", "2,300 [2,300, 2,300]",
                                                 "2,000 [2,000, 2,000]", "2,000 [2,000, 2,000]"]
    assert rows["persons above the COL limit (week end)"][:2] == ["133 [133, 133]", "300 [300, 300]"]
    assert rows["permit holders in reception"][:2] == ["6,000 [6,000, 6,000]", "7,000 [7,000, 7,000]"]
    assert rows["IND officers added by its capacity rule"][:2] == ["50 [50, 50]", "150 [150, 150]"]
    assert "AZC" not in rows  # a stage without its metrics is left out, not shown as zero


def test_no_pressure_section_without_the_reception_network():
    assert not has_pressure(_weekly({"coa.occupancy": [[27000.0]]}))
