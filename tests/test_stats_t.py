"""The 95% t quantiles kept in ``stats_t`` are scipy's, to the last bit (so summaries of
runs are unchanged without importing scipy)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ketensim.analysis.stats import t_quantile
from ketensim.analysis.stats_t import T975

KIND = "unit"


def test_table_is_scipys_quantile() -> None:
    from scipy.stats import t

    for df, value in enumerate(T975, start=1):
        assert value == float(t.ppf(0.5 + 0.95 / 2, df)), df


@pytest.mark.parametrize("df", [1, 2, 19, 300, 301, 1000])
def test_t_quantile_same_with_or_without_table(df: int) -> None:
    from scipy.stats import t

    assert t_quantile(df) == float(t.ppf(0.975, df))
    assert t_quantile(df, 0.9) == float(t.ppf(0.95, df))


def test_non_integer_df_is_not_looked_up() -> None:
    from scipy.stats import t

    assert t_quantile(2.5) == float(t.ppf(0.975, 2.5))


def test_interval_without_scipy_import() -> None:
    code = ("import sys; from ketensim.analysis.stats import mean_ci; mean_ci([1.0, 2.0, 4.0]); "
            "print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
