"""Scenario comparison with common random numbers, and the replication advisor."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ketensim.analysis.targets import t_quantile_975
from ketensim.experiment.advise import advise, replications_needed
from ketensim.experiment.compare import compare_scenarios, crn_variance_reduction, summary_factor
from ketensim.experiment.executors import ProcessExecutor
from ketensim.report.table import key_figures
from ketensim.scenario.loader import load_scenario

from exp_helpers import TELEHOREN, ketensim, tiny_scenario

KIND = "integration"


@pytest.fixture
def pair(tmp_path):
    base = load_scenario(tiny_scenario(tmp_path))
    alt = load_scenario(tiny_scenario(tmp_path, extends=TELEHOREN, name="tiny-telehoren"))
    return base, alt


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(tmp_path):
    base = load_scenario(tiny_scenario(tmp_path))
    cmp = compare_scenarios(base, [base], reps=2)
    assert cmp.alternatives == ["tiny#2"]
    t = cmp.table
    assert len(t) == len(key_figures()) and (t["diff"] == 0).all() and (t.ci_low == 0).all() and (t.ci_high == 0).all()


def test_paired_intervals_table_and_plot(pair, tmp_path):
    base, alt = pair
    cmp = compare_scenarios(base, [alt], reps=3, metrics=["ind.hearings_video", "coa.occupancy"])
    t = cmp.table.set_index("figure")
    assert list(t.index) == ["hearings, video /wk", "COA occupancy"]
    assert set(t.window) == {"W38-53 2nd wave (partial: W49-W53)"}  # the one partial-window rule
    for r in t.itertuples():
        assert r.ci_low <= r.diff <= r.ci_high
        assert math.isclose(r.diff, r.alt_mean - r.base_mean, rel_tol=1e-9, abs_tol=1e-9)
    text = cmp.format()
    assert "tiny-telehoren - tiny" in text and "difference [95% CI]" in text
    png = cmp.plot(tmp_path / "cmp.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
@pytest.mark.statistical
def test_common_random_numbers_reduce_the_variance_of_differences(pair):
    """Variance of paired differences (same streams) against differences of runs on
    independent seeds. Measured on the tiny scenario with 8 replications: median factor
    about 18 over the key figures, about 150 for COA occupancy (deterministic given the seeds)."""
    base, alt = pair
    with ProcessExecutor(2) as ex:
        t = crn_variance_reduction(base, alt, reps=8, executor=ex)
    f = summary_factor(t)
    occ = t.set_index("figure").loc["COA occupancy", "reduction"]
    assert f["median"] > 3 and occ > 10


def test_replications_needed_by_the_half_width_method():
    z = np.array([-1.5, -0.5, 0.0, 0.5, 1.5])
    v = 100 + 10 * (z - z.mean()) / z.std(ddof=1)  # mean 100, sd 10
    # t(n-1) * 10 / sqrt(n) <= 100 * 0.1 / 1.1  ->  n = 8 (t7 = 2.365)
    assert replications_needed(v, 0.10) == 8

    def brute(g: float) -> int:
        n = 2
        while t_quantile_975(n - 1) * 10 / math.sqrt(n) > g / (1 + g) * 100:
            n += 1
        return n

    for g in (0.2, 0.05, 0.01, 0.003):
        assert replications_needed(v, g) == brute(g)
    assert replications_needed([5.0, 5.0, 5.0], 0.01) == 2
    assert replications_needed([1.0], 0.01) == 0


def test_advise_and_compare_on_the_command_line(tmp_path):
    base = tiny_scenario(tmp_path)
    alt = tiny_scenario(tmp_path, extends=TELEHOREN, name="tiny-telehoren")
    proc = ketensim("compare", str(base), str(alt), "--reps", "2", "--workers", "1",
                    "--plot", str(tmp_path / "c.png"))
    assert proc.returncode == 0, proc.stderr
    assert "paired differences vs tiny" in proc.stdout and "COA occupancy" in proc.stdout
    assert (tmp_path / "c.png").exists() and (tmp_path / "c.csv").exists()
    assert "compare tiny: 4/4 runs done" in proc.stderr and "\r" not in proc.stderr  # plain lines off a terminal
    proc = ketensim("advise", str(base), "--pilot", "3", "--precision", "0.02", "--workers", "1",
                    "--metric", "coa.occupancy", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "COA occupancy" in proc.stdout and "most demanding:" in proc.stdout and proc.stderr == ""


def test_advise_table():
    import pandas as pd

    values = pd.DataFrame({("x", "w"): [9.0, 10.0, 11.0], ("y", ""): [1.0, 1.0, 1.0]})
    t = advise(values, 0.05)
    assert list(t.figure) == ["x · w", "y"] and list(t.pilot_n) == [3, 3]
    assert t.needed.iloc[0] == replications_needed(values[("x", "w")], 0.05) and t.needed.iloc[1] == 2
