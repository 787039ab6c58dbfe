"""The observed data set and its registry: the shipped data loads against the model's
metrics, bad rows are refused with one line, and the week rules pick the right weeks."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ketensim.metrics.registry import Metric, Registry
from ketensim.model.chain import registry as chain_registry
from ketensim.observed import filter_observed, format_observed, load_observed, load_pending, period_weeks, stock_week
from ketensim.observed.periods import window_weeks
from ketensim.scenario.errors import ScenarioError

KIND = "unit"

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "observed"
D = dt.date

HEAD = "figure,kind,date,from,to,made,value,low,high,qualifier,unit,source,note,definition\n"
REG_HEAD = "figure,metrics,statistic,per,use,tolerance,weight,judged_by,mapping\n"
TOY = Registry([Metric("x.stock", "x", "level", "persons", "stock", "a stock", "voorraad", group="chain"),
                Metric("x.flow", "x", "count", "persons/week", "flow", "a flow", "stroom", group="chain")])


def write(tmp: Path, data: str, reg: str) -> Path:
    (tmp / "a.csv").write_text(HEAD + data)
    (tmp / "registry.csv").write_text(REG_HEAD + reg)
    return tmp


# ------------------------------------------------------------------ the shipped data set

def test_shipped_data_loads_against_the_model_metrics() -> None:
    df = load_observed(chain_registry(), DATA)
    assert len(df) >= 80 and df.figure.is_unique
    names = {m.name for m in chain_registry()}
    assert all(m in names for ms in df.metrics for m in ms)
    # the officials' forecasts are their own kind and judged by an observed outcome
    fc = df[df.kind == "forecast"].set_index("figure")
    assert fc.loc["coa.forecast.places.2021-01", "judged_by"] == "coa.occupancy.2021-12"
    sources = " ".join(df.source)  # every figure of the letter but T3, which has no number
    assert all(f"({t})" in sources for t in ("T1", "T2", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "T13"))


def test_no_2022_outcome_beyond_the_state_of_early_january() -> None:
    df = load_observed(chain_registry(), DATA)
    out = df[df.kind == "outcome"]
    last = out.apply(lambda r: r["date"] if r["date"] is not None else r["to"], axis=1)
    late = set(out[last > D(2021, 12, 31)].figure)
    # the state of early January 2022 as OBSERVED-2020-2021.md gives it (the 24 January figure
    # follows the 2022 counting): nothing later, and nothing of 2022 pending
    assert late == {"ind.open_applications.2022-01-01", "housing.arrears.2022-01-01",
                    "coa.occupancy_entitled.2022-01-24"}
    pend = load_pending(DATA)
    pend_out = pend[pend.kind == "outcome"]
    last = pend_out.apply(lambda r: r["date"] if r["date"] is not None else r["to"], axis=1)
    assert not set(pend_out[last > D(2021, 12, 31)].figure)


def test_pending_figures_wait_for_metrics_the_model_does_not_have_yet() -> None:
    pend = load_pending(DATA)
    weekly = {m.name for m in chain_registry() if m.kind != "sample"}  # a raw sample has no weekly value
    # the metrics issue 23 added took their figures out of pending
    assert not {"housing.realised", "coa.occupancy_entitled"} & {m for ms in pend.metrics for m in ms}
    assert not any(m in weekly for ms in pend.metrics for m in ms)  # else it belongs in the registry
    assert not set(pend.figure) & set(load_observed(chain_registry(), DATA).figure)


def test_listing_filters_by_year_part_and_kind() -> None:
    df = load_observed(chain_registry(), DATA)
    y = filter_observed(df, year=2020, metric="detention")
    assert set(y.figure) >= {"detention.population.2020-09-13", "detention.placements.2020"}
    assert "detention.placements.2021" not in set(y.figure)
    assert set(filter_observed(df, kind="forecast").use) == {"forecast"}
    text = format_observed(filter_observed(df, metric="coa.permit_holders"))
    assert ">7,700" in text and "11,000-12,000" in text
    with pytest.raises(ValueError, match="use must be one of"):
        filter_observed(df, use="maybe")


# ------------------------------------------------------------------ validation: one line

def one_line(exc: pytest.ExceptionInfo[ScenarioError]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and exc.value.exit_code == 2
    return msg


def test_registry_refuses_an_unknown_figure(tmp_path: Path) -> None:
    d = write(tmp_path, "x.a.2021,outcome,2021-01-20,,,,5,,,exact,persons,src,,def\n",
              "x.a.2021,x.stock,stock,,target,0.1,1,,\nx.b.2021,x.stock,stock,,target,0.1,1,,\n")
    with pytest.raises(ScenarioError) as exc:
        load_observed(TOY, d)
    msg = one_line(exc)
    assert "registry.csv: line 3 (x.b.2021).figure: unknown figure 'x.b.2021'" in msg
    assert "did you mean 'x.a.2021'" in msg


def test_registry_refuses_a_metric_the_model_does_not_have(tmp_path: Path) -> None:
    d = write(tmp_path, "x.a.2021,outcome,2021-01-20,,,,5,,,exact,persons,src,,def\n",
              "x.a.2021,x.stok,stock,,target,0.1,1,,\n")
    with pytest.raises(ScenarioError) as exc:
        load_observed(TOY, d)
    msg = one_line(exc)
    assert "line 2 (x.a.2021).metrics: metric 'x.stok' is not in the model's metric registry" in msg
    assert "did you mean 'x.stock'" in msg


@pytest.mark.parametrize("data, reg, expect", [
    ("xa,outcome,2021-01-20,,,,5,,,exact,persons,src,,def\n", "xa,x.stock,stock,,target,0.1,1,,\n",
     "a.csv: line 2 (xa).figure: must be a dotted id"),
    ("x.a.1,outcome,2021-01-20,,,,five,,,exact,persons,src,,def\n", "x.a.1,x.stock,stock,,target,0.1,1,,\n",
     "line 2 (x.a.1).value: must be a number, got 'five'"),
    ("x.a.1,outcome,2021-02-30,,,,5,,,exact,persons,src,,def\n", "x.a.1,x.stock,stock,,target,0.1,1,,\n",
     "line 2 (x.a.1).date: must be a date (YYYY-MM-DD) or ISO week (YYYY-Www), got '2021-02-30'"),
    ("x.a.1,outcome,,2021-03-01,2021-02-01,,5,,,exact,persons,src,,def\n", "x.a.1,x.flow,flow,,target,0.1,1,,\n",
     "line 2 (x.a.1).to: the period ends"),
    ("x.a.1,outcome,2021-01-20,,,,5,,,approx,persons,src,,def\n", "x.a.1,x.stock,stock,,target,0.1,1,,\n",
     "line 2 (x.a.1).qualifier: must be one of exact, about, derived, range, more_than, almost, got 'approx'"),
    ("x.a.1,outcome,2021-01-20,,,,5,5,,more_than,persons,src,,def\n", "x.a.1,x.stock,stock,,target,0.1,1,,\n",
     "registry.csv: line 2 (x.a.1).use: a 'more_than' figure is a lower bound"),
    ("x.a.1,outcome,2021-01-20,,,,5,,,exact,persons,src,,def\n", "x.a.1,x.flow,stock,,target,0.1,1,,\n",
     "line 2 (x.a.1).metrics: statistic 'stock' needs level metrics, but x.flow is a count"),
    ("x.a.1,outcome,2021-01-20,,,,5,,,exact,persons,src,,def\n", "x.a.1,x.stock,stock,,target,0,1,,\n",
     "line 2 (x.a.1).tolerance: must be > 0, got '0'"),
    ("x.a.1,outcome,,2021-01-01,2021-01-31,,5,,,exact,persons,src,,def\n", "x.a.1,x.stock,stock,,target,0.1,1,,\n",
     "line 2 (x.a.1).statistic: a stock is read at a date, but the figure has a period"),
    ("x.a.1,outcome,2021-01-20,,,,5,,,exact,persons,src,,def\n", "",
     "a.csv: line 2 (x.a.1): no registry row"),
    ("x.a.1,outcome,2021-01-20,,,,5,,,exact,persons,src,,def\nx.a.1,outcome,2021-01-27,,,,6,,,exact,persons,src,,def\n",
     "x.a.1,x.stock,stock,,target,0.1,1,,\n", "line 3 (x.a.1).figure: duplicate figure; first given in a.csv line 2"),
])
def test_bad_rows_are_refused_with_one_line(tmp_path: Path, data: str, reg: str, expect: str) -> None:
    d = write(tmp_path, data, reg)
    with pytest.raises(ScenarioError) as exc:
        load_observed(TOY, d)
    assert expect in one_line(exc)


def test_an_unknown_column_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(HEAD.replace("note", "nota") + "x.a.1,outcome,2021-01-20,,,,5,,,exact,p,s,,d\n")
    (tmp_path / "registry.csv").write_text(REG_HEAD)
    with pytest.raises(ScenarioError) as exc:
        load_observed(TOY, tmp_path)
    assert "a.csv: line 1: unknown column 'nota'; did you mean 'note'?" in one_line(exc)


# ------------------------------------------------------------------ the week rules

def test_a_stock_is_read_in_the_iso_week_holding_its_date() -> None:
    assert stock_week(D(2021, 1, 20)) == D(2021, 1, 18)        # a Wednesday
    assert stock_week(D(2022, 1, 1)) == D(2021, 12, 27)        # Saturday 1 January 2022: 2021-W52
    assert stock_week(D(2020, 9, 13)) == D(2020, 9, 7)         # the letter's Sunday: week 37
    assert stock_week(D(2021, 1, 4)) == D(2021, 1, 4)          # a Monday is its own week


def test_a_period_covers_the_weeks_whose_thursday_lies_in_it() -> None:
    w2020 = period_weeks(D(2020, 1, 1), D(2020, 12, 31))
    assert (w2020[0], w2020[-1], len(w2020)) == (D(2019, 12, 30), D(2020, 12, 28), 53)   # 2020-W01..W53
    w2021 = period_weeks(D(2021, 1, 1), D(2021, 12, 31))
    assert (w2021[0], w2021[-1], len(w2021)) == (D(2021, 1, 4), D(2021, 12, 27), 52)     # 2021-W01..W52
    # a Wednesday to a Tuesday: the first week has 5 days in (Thursday in), the last 2 (out)
    assert period_weeks(D(2021, 2, 3), D(2021, 2, 16)) == [D(2021, 2, 1), D(2021, 2, 8)]
    # the letter's T8 window (1 July, a Wednesday, to Sunday 13 September): W27..W37
    t8 = period_weeks(D(2020, 7, 1), D(2020, 9, 13))
    assert (t8[0], t8[-1], len(t8)) == (D(2020, 6, 29), D(2020, 9, 7), 11)
    # halves split the year without overlap
    h1, h2 = period_weeks(D(2020, 1, 1), D(2020, 6, 30)), period_weeks(D(2020, 7, 1), D(2020, 12, 31))
    assert h1 + h2 == w2020
    # a period without a Thursday reads the week holding its middle day
    assert period_weeks(D(2021, 1, 8), D(2021, 1, 9)) == [D(2021, 1, 4)]


def test_a_window_of_months_from_an_origin() -> None:
    w = window_weeks(D(2021, 1, 4), 12)
    assert (w[0], w[-1], len(w)) == (D(2021, 1, 4), D(2021, 12, 27), 52)
    w = window_weeks(D(2021, 1, 4), 3)                          # to 3 April: W13's Thursday is 1 April
    assert (w[0], w[-1]) == (D(2021, 1, 4), D(2021, 3, 29))
