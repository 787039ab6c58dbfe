"""Observed figures as data: the published outcomes and the officials' forecasts of the
chain (``data/observed/``), the registry of what measures each one, and the pure functions
that compare a run with them (a backtest) or make calibration targets of them.

A bottom layer beside ``model`` and ``scenario``: it reads the metric registry it is given
and the weekly tables it is given, and writes nothing.
"""
from __future__ import annotations

from .backtest import Backtest, backtest
from .listing import filter_observed, format_observed
from .load import data_dir, load_observed, load_pending, weeks_read
from .nowcast import stocks_near
from .periods import period_weeks, stock_week, window_weeks
from .targets import TargetSet, calibration_targets

__all__ = ["Backtest", "TargetSet", "backtest", "calibration_targets", "data_dir", "filter_observed",
           "format_observed", "load_observed", "load_pending", "period_weeks", "stock_week", "stocks_near", "weeks_read",
           "window_weeks"]
