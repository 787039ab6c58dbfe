"""The HTML report: one self-contained file, opened in headless Chromium with every image
loaded and no console errors."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TARGETS
from frontend_support import short_dir

KIND = "integration"

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Added to a copy of the page by the test (the report itself has no scripts): writes the
# count of images and of images that did not decode, and of the inline SVG charts and those
# laid out empty (no size, or nothing drawn), into the DOM that Chromium dumps.
IMAGE_CHECK = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length;
  var charts = Array.prototype.slice.call(document.querySelectorAll('svg.ch'));
  var empty = charts.filter(function (s) {
    var r = s.getBoundingClientRect(), p = s.querySelector('path, text.nv');
    return !(r.width > 100 && r.height > 50 && p && p.getBBox().width > 0);
  }).length;
  var d = document.createElement('div'); d.id = 'ketensim-imgcheck';
  d.textContent = 'images=' + imgs.length + ' broken=' + bad + ' charts=' + charts.length + ' empty=' + empty;
  document.body.appendChild(d);
});
</script>"""


def ketensim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ketensim.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "what-if.html"
    proc = ketensim("report", str(short_dir("telehoren-permanent")), "--baseline", str(short_dir()),
                    "--out", str(out), "--targets", str(TARGETS))
    assert proc.returncode == 0, proc.stderr
    assert f"report: {out}" in proc.stdout
    return out


def test_report_is_one_self_contained_file(report):
    page = report.read_text(encoding="utf-8")
    assert "<img" not in page and page.count('<svg class="ch"') >= 8  # every chart inline, nothing to fetch
    plots = page[page.index('id="plots"'):page.index('id="pressure"')]
    assert 'aria-label="chain overview"' in plots and 'aria-label="chain overview of the baseline"' in plots
    # nothing to fetch: no external links, scripts, stylesheets or fonts
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    for section in ("What this scenario changes", "Key figures", "The letter&#x27;s figures", "Plots",
                    "Assumptions", "Provenance"):
        assert section in page


def test_report_says_what_the_what_if_changes(report):
    page = report.read_text(encoding="utf-8")
    assert "ind.video.from_quarantine" in page                      # a base parameter
    assert re.search(r"telehoren</td><td><code>ind.video.coa_rooms</code></td><td>4</td><td><b>30</b>", page)
    assert "telehoren-permanent" in page and "baseline-2020" in page
    # provenance of both runs: hashes and seeds from the manifests
    import json

    for d in (short_dir("telehoren-permanent"), short_dir()):
        m = json.loads((d / "manifest.json").read_text())
        assert m["scenario_hash"] in page
    assert "20201005" in page
    # key figures with intervals and the difference of means; the letter's targets T4, T5
    assert "video hearings (telehoren) (hearings/week)" in page and "difference" in page and "±" in page
    assert ">T4<" in page and ">T5<" in page


def test_every_metric_has_its_chart_with_both_runs(report):
    """The small multiples promise every metric of the run: each has a chart (titled with its
    label and id) drawing the baseline and the scenario, each a band and a mean line."""
    import pandas as pd

    page = report.read_text(encoding="utf-8")
    parts = page[page.index('id="parts"'):page.index('id="assumptions"')]
    charts = re.findall(r'<svg class="ch".*?</svg>', parts, flags=re.S)
    metrics = set(pd.read_parquet(short_dir() / "weekly.parquet").metric.unique())
    assert len(charts) == len(metrics)
    titled = {m for m in metrics for c in charts if re.search(rf"<title>[^<]*{re.escape(m)}[^<]*</title>", c)}
    assert titled == metrics
    for c in charts:
        if 'class="nv"' in c:  # no value in any week (a rule not in use): said, not drawn
            assert "<path" not in c
            continue
        assert c.count('<path class="bd f0"') == 1 and c.count('<path class="bd f1"') == 1, c[:200]
        assert c.count('<path class="ln c0 da"') == 1 and c.count('<path class="ln c1"') == 1, c[:200]


@pytest.mark.slow
def test_report_without_baseline_shows_the_timeline(tmp_path):
    proc = ketensim("report", str(short_dir()), "--out", str(tmp_path / "r.html"), "--targets", str(TARGETS))
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No baseline given" in page and "lockdown" in page and "ind.physical.distancing_factor" in page


def test_report_of_a_folder_without_results_is_a_clear_error(tmp_path):
    proc = ketensim("report", str(tmp_path))
    assert proc.returncode == 2
    assert "no results here" in proc.stderr and "Traceback" not in proc.stderr


def _chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--hide-scrollbars", *extra, url]
    return subprocess.run(args, capture_output=True, text=True, timeout=180)


def _render(page: Path, tmp: Path) -> tuple[str, list[str]]:
    """(image check text written by the page, console messages) from headless Chromium."""
    checked = tmp / f"checked-{page.name}"
    checked.write_text(page.read_text(encoding="utf-8").replace("</body>", IMAGE_CHECK + "</body>"),
                       encoding="utf-8")
    proc = _chromium(checked.as_uri(), tmp / "profile", "--virtual-time-budget=10000", "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r'id="ketensim-imgcheck">([^<]*)<', proc.stdout)
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return (m.group(1) if m else ""), console


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not IN_CI,
    reason="chromium is not installed (`apt-get install chromium`; .ci/run installs it, and in CI this test runs)")


@pytest.mark.browser
@needs_chromium
def test_the_image_and_console_check_catches_a_broken_page(tmp_path):
    assert CHROMIUM, "chromium is required in CI: .ci/run installs it"
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><img src="data:image/png;base64,AAAA">'
                   '<svg class="ch" viewBox="0 0 400 200" style="width:400px"><path d="M0 0"/></svg>'
                   '<svg class="ch" viewBox="0 0 400 200" style="width:400px"><path d="M0 0L300 100"/></svg>'
                   '<script>console.error("boom")</script></body></html>')
    check, console = _render(bad, tmp_path)
    assert check == "images=1 broken=1 charts=2 empty=1"
    assert any("boom" in line for line in console)


@pytest.mark.browser
@needs_chromium
def test_report_renders_in_headless_chromium(report, tmp_path):
    assert CHROMIUM, "chromium is required in CI: .ci/run installs it"
    page = report.read_text(encoding="utf-8")
    n_images, n_charts = page.count("<img "), page.count('<svg class="ch"')
    check, console = _render(report, tmp_path)
    assert check == f"images={n_images} broken=0 charts={n_charts} empty=0"
    assert console == []
    shot = tmp_path / "report.png"
    proc = _chromium(report.as_uri(), tmp_path / "profile2", f"--screenshot={shot}", "--window-size=1280,2400")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
