"""`ketensim observed` end to end: the listing, its filters, and a bad data set refused on
one line with exit 2."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

KIND = "integration"


def ketensim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ketensim.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_observed_lists_the_figures_with_what_measures_them() -> None:
    proc = ketensim("observed", "--year", "2021", "--metric", "coa.permit_holders")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:4] == ["figure", "when", "value", "unit"]
    assert any(line.startswith("coa.permit_holders.2021-12 ") and "11,000-12,000" in line and "stock_mean" in line
               for line in lines)
    assert not any("2020" in line.split()[0] for line in lines[1:-1])
    assert lines[-1].startswith("5 figures (4 target, 1 bound)") and "wait for a metric" in lines[-1]


def test_observed_near_a_date_and_as_csv() -> None:
    proc = ketensim("observed", "--near", "2022-01-03", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.splitlines()
    assert rows[0].startswith("figure,when,value,unit,statistic,metrics,use,tol,source")
    assert any(r.startswith("ind.open_applications.2022-01-01,2022-01-01,\"20,400\"") for r in rows)


def test_observed_pending_and_bad_input() -> None:
    proc = ketensim("observed", "--pending", "--metric", "dtv")
    assert proc.returncode == 0, proc.stderr
    assert "dtv.intake_police.2020" in proc.stdout and "housing.realised.2021" not in proc.stdout
    bad = ketensim("observed", "--use", "maybe")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "use must be one of target" in bad.stderr


def test_a_bad_data_set_is_refused_on_one_line(tmp_path: Path) -> None:
    for f in (ROOT / "data" / "observed").glob("*.csv"):
        (tmp_path / f.name).write_text(f.read_text())
    reg = tmp_path / "registry.csv"
    reg.write_text(reg.read_text().replace("coa.occupancy.2020-06-01,coa.occupancy,", "coa.occupancy.2020-06-01,coa.occupancie,"))
    proc = ketensim("observed", "--data", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "registry.csv: line 6 (coa.occupancy.2020-06-01).metrics: metric 'coa.occupancie' is not in the model's " \
           "metric registry" in proc.stderr
