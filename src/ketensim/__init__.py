"""ketensim: a discrete-event simulator of the Dutch migration chain under COVID-19.

The package import is kept light (no pandas, SimPy or matplotlib at import time) so the
command line starts fast; the Python API (``ketensim.api``) is imported on first use:

- ``load(path, *overrides)``: a validated scenario;
- ``run(scenario, reps=, seed=, workers=)``: a ``RunResults`` with the weekly table,
  ``summary``, ``check_targets``, ``compare`` and ``plot``;
- ``read(results_dir)``: stored results;
- ``size(scenario, lever, metric, window, ...)``: the lever value that meets a condition
  with a given probability (``ketensim size``);
- ``api.observed(year=, metric=, kind=, use=)``: the published figures of the chain and the
  officials' forecasts (``data/observed``) with the metric and statistic that measure each
  (``ketensim.observed`` is the subpackage: loading, the backtest, calibration targets);
- ``html_report(results_dir, baseline=)``: the HTML report for policy staff
  (``ketensim.report`` is the subpackage of tables, plots and the report).
"""
from __future__ import annotations

from typing import Any

from . import native as _native

_native.install()  # the compiled model where its build is current, else the pure-Python one

__version__ = "0.3.0.dev0"
"""The one version source: pyproject.toml reads it, ``ketensim --version`` prints it, every
manifest records it (``package_version``), CITATION.cff repeats it (a test keeps them equal)."""

_API = ("load", "run", "read", "html_report", "RunResults", "size")

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'ketensim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_API))
