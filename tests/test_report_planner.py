"""The report leads with the answer, in English and Dutch; sweeps open like runs."""
from __future__ import annotations

import re
import string
import subprocess
import sys

import pytest

import ketensim
from test_report_html import CHROMIUM, _chromium, _render, needs_chromium

from conftest import BASELINE, ROOT, TARGETS
from frontend_support import short_dir

KIND = "integration"


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_label_key_is_in_both_languages_with_the_same_placeholders():
    from ketensim.report.i18n import LANGS, TEXT

    assert LANGS == ("en", "nl")
    for key, texts in TEXT.items():
        assert len(texts) == 2 and all(t.strip() for t in texts), key
        assert _fields(texts[0]) == _fields(texts[1]), key


def test_a_missing_key_fails_instead_of_showing_english():
    from ketensim.report.i18n import translator

    with pytest.raises(KeyError):
        translator("nl")("no.such.key")
    with pytest.raises(ValueError, match="allowed: en, nl"):
        translator("de")


@pytest.fixture(scope="module")
def pages():
    from ketensim.analysis.targets import load_targets
    from ketensim.experiment.store import read_results
    from ketensim.report.html import build_report

    alt, base = read_results(short_dir("telehoren-permanent")), read_results(short_dir())
    tg = load_targets(TARGETS)
    return {lang: build_report(alt[0], alt[1], baseline=base[0], base_manifest=base[1], targets=tg, lang=lang,
                               every_metric=False) for lang in ("en", "nl")}


def test_the_report_opens_with_the_real_changes(pages):
    page = pages["en"]
    head = page[page.index('id="headline"'):page.index('id="changes"')]
    # telehoren-permanent has 30 COA video rooms from May: video hearings rise in W18-20
    assert "video hearings (telehoren) (hearings/week)" in head and "W18-26 restart (partial: W18-W20)" in head
    assert re.search(r"\(\+\d[\d,]* \[\+\d", head)  # a positive paired difference with its interval
    assert "What changed most" in page[:page.index('id="changes"')]


def test_zero_rows_are_behind_show_all(pages):
    page = pages["en"]
    figures = page[page.index('id="figures"'):page.index('id="targets"')]
    shown, _, hidden = figures.partition("<details>")
    assert "rows whose difference is exactly 0 are hidden" in shown
    assert "show all" in hidden
    n_shown = shown.count("<tr>") - 1
    n_all = hidden.count("<tr>") - 1
    assert 0 < n_shown < n_all


def test_labels_units_and_caption_come_from_the_registry_and_are_true(pages):
    page = pages["en"]
    assert "IND backlog (persons)" in page and "(hearings/week)" in page
    assert "black line or diamond: the letter" in page and "red:" not in page
    assert "the window where the scenarios differ most" in page


def test_the_dutch_report_is_wholly_dutch(pages):
    page = pages["nl"]
    assert '<html lang="nl">' in page
    for dutch in ("Wat het meest veranderde", "Kerncijfers", "Grafieken", "Herkomst", "(gehoren/week)",
                  "W18-26 herstart (gedeeltelijk: W18-W20)", "replicaties", "mei 2020"):
        assert dutch in page, dutch
    visible = re.sub(r"<pre>.*?</pre>|<code>.*?</code>|<[^>]+>", " ", page, flags=re.S)
    for english in ("What changed most", "Key figures", "Provenance", "replications,", "window", "difference",
                    "hearings, video /wk", "partial:"):
        assert english not in visible, english


@pytest.mark.browser
@needs_chromium
def test_the_dutch_report_renders_in_headless_chromium(tmp_path, pages):
    assert CHROMIUM, "chromium is required in CI"
    path = tmp_path / "nl.html"
    path.write_text(pages["nl"], encoding="utf-8")
    check, console = _render(path, tmp_path)
    assert re.fullmatch(r"images=\d+ broken=0 charts=\d+ empty=0", check), check
    assert not console
    shot = tmp_path / "first-screen.png"
    proc = _chromium(path.as_uri(), tmp_path / "p2", "--window-size=1200,900", f"--screenshot={shot}")
    assert proc.returncode == 0 and shot.stat().st_size > 10_000


@pytest.mark.slow
def test_report_cli_lang_nl(tmp_path):
    out = tmp_path / "r.html"
    proc = subprocess.run([sys.executable, "-m", "ketensim.cli", "report", str(short_dir()), "--lang", "nl",
                           "--out", str(out), "--targets", str(TARGETS), "--window", "april=2020-W14..2020-W17"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert "Geen basislijn opgegeven" in page and ">april<" in page


# ------------------------------------------------------------------ sweeps open like runs

@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from ketensim.cli import main

    tmp = tmp_path_factory.mktemp("sweep")
    sweep = tmp / "s.yaml"
    sweep.write_text(
        f"name: tiny\nbase: {BASELINE}\nreplications: 1\nset: ['horizon.end=2020-W04-7']\n"
        "levers:\n  ind.physical.distancing_factor@2020-W03: {values: [0.5, 1.0]}\n"
        "  ind.physical.slots_per_room_per_week: {values: [5, 10]}\n"
        "outcomes:\n  - {name: peak physical hearings, metrics: [ind.hearings_physical], statistic: max}\n")
    out = tmp / "store"
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    return out


def test_read_opens_a_sweep_store_and_its_points_as_results(store):
    from ketensim.results import Results

    sw = ketensim.read(store)
    assert sw.points == [0, 1, 2, 3] and len(sw.design) == 4
    p = sw.point(3)
    assert isinstance(p, Results) and p.point == 3 and p.replications == 1 and p.weeks == 4
    assert p.manifest["sweep"]["levers"] == {"ind.physical.distancing_factor@2020-W03": 1.0,
                                             "ind.physical.slots_per_room_per_week": 10}
    assert isinstance(ketensim.read(store, point=0), Results)
    s = sw.summary()
    assert "peak physical hearings" in s.columns and s["peak physical hearings"].iloc[3] > s[
        "peak physical hearings"].iloc[0]
    lo, hi = p.summary(["2020-W03..2020-W04"], ["ind.hearings_physical"]), \
        sw.point(0).summary(["2020-W03..2020-W04"], ["ind.hearings_physical"])
    assert float(lo["mean"].iloc[0]) > float(hi["mean"].iloc[0])


def test_read_of_a_folder_without_results_is_a_one_line_error(tmp_path):
    from ketensim.scenario.errors import ScenarioError

    with pytest.raises(ScenarioError, match="no results here"):
        ketensim.read(tmp_path)


@pytest.mark.slow
def test_report_of_a_sweep_store_overview_and_points(store):
    def report(*args):
        return subprocess.run([sys.executable, "-m", "ketensim.cli", "report", str(store), *args],
                              capture_output=True, text=True, cwd=ROOT)

    proc = report()
    assert proc.returncode == 0, proc.stderr
    page = (store / "report.html").read_text(encoding="utf-8")
    assert "sweep overview" in page and "peak physical hearings by ind.physical.distancing_factor@2020-W03" in page
    assert page.count("<img") == 3  # a heat map for the two levers, and the outcome by each lever
    proc = report("--point", "3", "--baseline-point", "0", "--lang", "nl")
    assert proc.returncode == 0, proc.stderr
    page = (store / "report-point3.nl.html").read_text(encoding="utf-8")
    assert "tiny #3" in page and "tiny #0" in page and "Wat het meest veranderde" in page
    bad = report("--point", "9")
    assert bad.returncode == 2 and "no design point 9" in bad.stderr and "Traceback" not in bad.stderr


def test_dutch_numbers_use_dutch_separators(pages):
    from ketensim.report.i18n import translator

    assert translator("nl").num("1,234.5 [+709, +756]") == "1.234,5 [+709, +756]"
    figures = pages["nl"][pages["nl"].index('id="figures"'):pages["nl"].index('id="targets"')]
    assert re.search(r"\d\.\d{3} ±", figures) and not re.search(r"\d,\d{3} ±", figures)
