"""Writes a forecast folder from a run's results: ``report.forecast_write`` renders the
tables, plots and README, this writes them as one set (``store.fileset``: an interrupted
write leaves the earlier forecast as it was)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from ..report import forecast_write
from ..store.fileset import write_set


def write_forecast(weekly: pd.DataFrame, manifest: Mapping[str, Any], out: Path | str,
                   first_year: int = 2021, extras: Mapping[str, Callable[[Path], object]] | None = None) -> Path:
    """The forecast folder for the years ``first_year``.. the horizon's last ISO year.
    ``extras`` maps more file names to their writers (the workbook), written inside the
    same set."""
    out = Path(out)

    def write(folder: Path) -> None:
        _write(weekly, manifest, folder, first_year)
        for name, writer in (extras or {}).items():
            writer(folder / name)

    write_set(out, write)
    return out


def _write(weekly: pd.DataFrame, manifest: Mapping[str, Any], out: Path, first_year: int) -> None:
    files = forecast_write.render_forecast(weekly, manifest, first_year)
    for name, table in files.tables.items():
        if name.endswith(".parquet"):
            table.to_parquet(out / name, index=False)
        else:
            table.to_csv(out / name, index=False)
    (out / "plots").mkdir(exist_ok=True)
    for name, fig in files.figures.items():
        fig.savefig(out / "plots" / f"{name}.png", dpi=110)
    for name, text in files.texts.items():
        (out / name).write_text(text)
