"""The command line's conventions and workbooks: `--version`, `schema`, and `--xlsx` on run,
compare, forecast and report, each read back with openpyxl; a workbook is written with the
rest of the results as one set, so a failure leaves neither."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import ketensim as pkg
from ketensim.report.labels import figure_label
from ketensim.scenario.json_schema import schema_text

KIND = "integration"

openpyxl = pytest.importorskip("openpyxl")


def ketensim(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ketensim.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    from conftest import SCENARIOS

    folder = tmp_path_factory.mktemp("scenarios")
    path = folder / "short.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline-2020.yaml'}\nname: short\nhorizon: {{end: 2020-W20-7}}\n")
    return path


def test_version_is_the_packages():
    proc = ketensim("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"ketensim {pkg.__version__}"


def test_schema_prints_the_published_schema():
    proc = ketensim("schema")
    assert proc.returncode == 0 and proc.stdout == schema_text()
    assert json.loads(proc.stdout)["title"] == "ketensim scenario"


def _key_figures(path, sheet="Key figures"):
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_run_writes_the_workbook_with_the_results(short, tmp_path):
    out = tmp_path / "out"
    proc = ketensim("run", str(short), "--reps", "2", "--workers", "1", "--out", str(out), "--quiet", "--xlsx",
                    "--need", "0.9", "--window", "May=2020-W19..2020-W20")
    assert proc.returncode == 0, proc.stderr
    book = out / "short.xlsx"
    assert f"workbook: {book}" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "need.csv", "short.xlsx", "weekly.csv",
                                                     "weekly.parquet"]
    rows = _key_figures(book)
    assert {r["window"] for r in rows} == {"May"}
    physical = next(r for r in rows if r["figure"] == figure_label(["ind.hearings_physical"], unit=False))
    assert isinstance(physical["mean"], (int, float)) and physical["mean"] > 0  # a number, not text (321.0 reads as 321)
    assert "Required capacity" in openpyxl.load_workbook(book).sheetnames


def test_a_failed_workbook_leaves_no_results(short, tmp_path, monkeypatch):
    """The workbook is part of the set: when it cannot be written, nothing is."""
    from ketensim import cli
    from ketensim.workflow import xlsx

    def broken(path, book):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(xlsx, "write_workbook", broken)
    out = tmp_path / "out"
    code = cli.main(["run", str(short), "--reps", "1", "--workers", "1", "--out", str(out), "--quiet", "--xlsx"])
    assert code == 1
    assert not (out / "weekly.parquet").exists() and not (out / "short.xlsx").exists()


def test_compare_writes_paired_differences_in_dutch(short, tmp_path):
    plot = tmp_path / "cmp" / "c.png"
    proc = ketensim("compare", str(short), "--alt-set", "ind.video.coa_rooms@telehoren=30", "--reps", "2",
                    "--workers", "1", "--plot", str(plot), "--quiet", "--xlsx", "--lang", "nl",
                    "--window", "mei=2020-W19..2020-W20")
    assert proc.returncode == 0, proc.stderr
    book = plot.parent / "short-vs-short-what-if.xlsx"
    assert book.exists(), proc.stdout
    rows = _key_figures(book, "Verschillen")
    video = next(r for r in rows if r["cijfer"] == figure_label(["ind.hearings_video"], "nl", unit=False))
    assert video["verschil"] > 0  # more COA-side video rooms in May: more video hearings
    changes = _key_figures(book, "Wijzigingen")
    assert any(r["parameter"] == "ind.video.coa_rooms" for r in changes)


@pytest.mark.slow
def test_report_writes_the_workbook_next_to_it(short, tmp_path):
    base, alt = tmp_path / "base", tmp_path / "alt"
    for out, extra in ((base, []), (alt, ["--set", "ind.video.coa_rooms@telehoren=30"])):
        proc = ketensim("run", str(short), "--reps", "2", "--workers", "1", "--out", str(out), "--quiet", *extra)
        assert proc.returncode == 0, proc.stderr
    html = tmp_path / "r.html"
    proc = ketensim("report", str(alt), "--baseline", str(base), "--out", str(html), "--xlsx")
    assert proc.returncode == 0, proc.stderr
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert "Differences" in book.sheetnames and html.exists()


@pytest.mark.slow
def test_forecast_writes_the_workbook_in_its_set(tmp_path):
    from conftest import SCENARIOS

    out = tmp_path / "fc"
    proc = ketensim("forecast", str(SCENARIOS / "baseline-2020.yaml"), "--reps", "2", "--workers", "2",
                    "--from-year", "2020", "--out", str(out), "--quiet", "--xlsx")
    assert proc.returncode == 0, proc.stderr
    rows = _key_figures(out / "baseline-2020.xlsx")
    assert {"2020", "2020-H1", "2020-H2"} <= {r["window"] for r in rows}
    planning = _key_figures(out / "baseline-2020.xlsx", "Planning")
    occupancy = [r for r in planning if r["figure"].startswith("reception occupancy")]
    # 1 January 2020 lies 4 days from the first week end (5 January): outside the run, left out;
    # 1 January 2021 is 2 days before the end of 2020-W53
    assert [r["date"].date().isoformat() for r in occupancy] == ["2020-04-01", "2020-07-01", "2020-10-01",
                                                                  "2021-01-01"]
    assert all(r["P5"] <= r["mean"] <= r["P95"] and r["mean"] > 20_000 for r in occupancy)
