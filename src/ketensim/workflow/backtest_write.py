"""Writes a backtest folder as one set (``fileset.write_set``): ``table.csv`` (every
observed figure in the window), ``officials.csv`` (the officials' forecasts of the origin),
``README.md`` (the tables and the ARD), one PNG per stock and ``report.html`` (the same as a
section of the HTML report). Takes a ``Backtest`` and the
run's weekly table; never runs a simulation."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..observed.backtest import Backtest
from ..report.backtest import backtest_markdown, backtest_section, plot_name, plot_stock, stock_groups
from ..report.htmlkit import page
from ..store.fileset import write_set


def write_backtest(out: str | os.PathLike[str], bt: Backtest, weekly: pd.DataFrame, scenario: str = "",
                   extra: dict[str, str] | None = None) -> list[str]:
    """Write the backtest into ``out`` (other files there are kept), with ``extra`` text files
    (name -> text: the state it started from) in the same set; returns the names written."""

    def _write(folder: Path) -> None:
        for name, text in (extra or {}).items():
            (folder / name).write_text(text, encoding="utf-8")
        bt.table.to_csv(folder / "table.csv", index=False)
        if len(bt.officials):
            bt.officials.to_csv(folder / "officials.csv", index=False)
        plots = []
        for metrics in stock_groups(bt):
            fig = plot_stock(weekly, bt, metrics)
            name = plot_name(metrics)
            fig.savefig(folder / name, dpi=110)
            plots.append(name)
        (folder / "README.md").write_text(backtest_markdown(bt, scenario, plots), encoding="utf-8")
        section = backtest_section(bt, weekly)  # the HTML report of the backtest, one self-contained page
        sub = f"{scenario}: forecast from {bt.origin} over {bt.months} months against what was observed"
        (folder / "report.html").write_text(page(f"Backtest {scenario} from {bt.origin}", sub, [section], "en"),
                                            encoding="utf-8")

    return write_set(out, _write)
