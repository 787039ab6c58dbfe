"""The Excel workbook for policy staff, read back with openpyxl: the sheets a planner needs,
numbers stored as numbers that agree with the summaries, labels and units from the metric
registry, Dutch with lang='nl'."""
from __future__ import annotations

import datetime as dt

import pytest

import ketensim
from ketensim.analysis.summary import side_by_side, summarize
from ketensim.report.labels import figure_label, metric_label, metric_unit
from ketensim.report.xlsx import SHEETS, workbook_for
from ketensim.workflow.xlsx import write_workbook

from conftest import SCENARIOS

KIND = "integration"

openpyxl = pytest.importorskip("openpyxl")

SHORT = "horizon.end=2020-W20-7"
MAY = {"May": ("2020-W19", "2020-W20")}


@pytest.fixture(scope="module")
def runs():
    base = ketensim.run(ketensim.load(SCENARIOS / "baseline-2020.yaml", SHORT), reps=2, workers=1)
    tele = ketensim.run(ketensim.load(SCENARIOS / "telehoren-permanent.yaml", SHORT), reps=2, workers=1)
    return base, tele


def _table(ws):
    """Header (row 4) and the rows below it as dicts."""
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:]]


def test_run_workbook_holds_the_key_figures(runs, tmp_path):
    base, _ = runs
    path = write_workbook(tmp_path / "run.xlsx", workbook_for(base.weekly, base.manifest, need=base.need(0.9)))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SHEETS[k][0] for k in ("about", "figures", "need", "changes", "assumptions",
                                                     "provenance")]
    rows = _table(wb["Key figures"])
    expected = summarize(base.weekly)
    assert len(rows) == len(expected) > 10
    label = figure_label(["ind.hearings_physical"], "en", unit=False)
    row = next(r for r in rows if r["figure"] == label and r["window"] == "W01-11 pre")
    want = expected[(expected.figure == "hearings, physical /wk") & (expected.window == "W01-11 pre")].iloc[0]
    assert isinstance(row["mean"], float) and row["mean"] == pytest.approx(want["mean"])
    assert row["95% low"] <= row["mean"] <= row["95% high"]
    assert row["unit"] == metric_unit("ind.hearings_physical") == "hearings/week"
    assert row["replications"] == 2 and row["metrics"] == "ind.hearings_physical"
    assert isinstance(row["from"], dt.datetime) and row["from"].date() == dt.date(2019, 12, 30)


def test_need_and_provenance(runs, tmp_path):
    base, _ = runs
    need = base.need(0.9)
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "n.xlsx", workbook_for(base.weekly, base.manifest,
                                                                                  need=need)))
    rows = _table(wb["Required capacity"])
    assert len(rows) == len(need)
    assert all(r["P10"] <= r["median"] <= r["P90"] for r in rows)
    assert {r["group"] for r in rows} == set(need.label)
    prov = {r[0]: r[1] for r in wb["Provenance"].iter_rows(min_row=5, values_only=True)}
    assert prov["ketensim version"] == ketensim.__version__
    assert prov["root seed"] == base.manifest["seed"] and prov["replications"] == 2


def test_comparison_has_paired_differences(runs, tmp_path):
    base, tele = runs
    book = workbook_for(tele.weekly, tele.manifest, baseline=base.weekly, base_manifest=base.manifest, windows=MAY)
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "cmp.xlsx", book))
    assert "Differences" in wb.sheetnames
    rows = _table(wb["Differences"])
    video = next(r for r in rows if r["figure"] == figure_label(["ind.hearings_video"], unit=False))
    cmp = side_by_side(tele.weekly, base.weekly, MAY)
    want = cmp[cmp.figure == "hearings, video /wk"].iloc[0]
    assert video["difference"] == pytest.approx(want["difference"]) and video["difference"] > 0
    assert video["difference"] == pytest.approx(video["scenario: mean"] - video["baseline: mean"])
    changes = _table(wb["Changes"])
    assert any(r["parameter"] == "ind.video.coa_rooms" for r in changes)  # what telehoren-permanent changes
    assert any(r["parameter"] == "ind.video.from_quarantine" and r["scenario"] == "True" for r in changes)


def test_dutch_workbook(runs, tmp_path):
    base, tele = runs
    book = workbook_for(tele.weekly, tele.manifest, baseline=base.weekly, base_manifest=base.manifest,
                        need=base.need(0.9), lang="nl")
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "nl.xlsx", book))
    assert wb.sheetnames == [SHEETS[k][1] for k in ("about", "figures", "differences", "need", "changes",
                                                     "assumptions", "provenance")]
    rows = _table(wb["Kerncijfers"])
    assert metric_label("ind.hearings_physical", "nl") in {r["cijfer"] for r in rows}
    assert "fysieke gehoren" in {r["cijfer"] for r in rows}
    assert any(r["periode"] == "W01-11 voor covid" for r in rows)
    assert all(not str(r["groep"]).isascii() or "plaatsen" in r["groep"] for r in _table(wb["Benodigde capaciteit"]))


def test_unknown_language_is_refused(runs):
    base, _ = runs
    with pytest.raises(ValueError, match="allowed"):
        workbook_for(base.weekly, base.manifest, lang="de")
