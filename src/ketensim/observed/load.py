"""Loading the observed data set (data/observed/*.csv) and its registry, with validation.

Every CSV file of the folder except ``registry.csv`` and ``pending.csv`` holds figures, one
per row (``schema.DATA_COLUMNS``); ``registry.csv`` says for each figure which model
metrics (summed) and which statistic measure it, how it may be used and with what
tolerance. Every problem is one line naming the file, the line and column, the bad value
and what is allowed (``ScenarioError``: the CLI prints it and exits 2). The figure table is
a plain DataFrame, one row per figure, the registry's columns beside the data's.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import os
import re
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from ..clock import parse_end, parse_when
from ..metrics.registry import Derived, Registry
from ..scenario.errors import ScenarioError, short
from .periods import period_weeks, stock_week
from .schema import DATA_COLUMNS, KINDS, PENDING_COLUMNS, QUALIFIERS, REGISTRY_COLUMNS, STATISTICS, USES

DATA_DIR = Path("data") / "observed"
REGISTRY = "registry.csv"
PENDING = "pending.csv"
_REPO = Path(__file__).resolve().parents[3]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FIGURE = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_\-.]+)+$")


def data_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """The data set's folder: ``root`` when given, else ``data/observed`` in the working
    directory, else in the source tree this package was loaded from."""
    if root is not None:
        return Path(root)
    for base in (Path.cwd(), _REPO):
        if (base / DATA_DIR / REGISTRY).exists():
            return base / DATA_DIR
    raise ScenarioError(str(DATA_DIR), "", "no observed data set here: expected data/observed/registry.csv in the "
                        "working directory or the source tree")


def _close(word: str, allowed: Any) -> str:
    hit = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return f"; did you mean {hit[0]!r}?" if hit else ""


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV file whose header must be ``columns`` (in any order)."""
    try:
        fh = open(path, newline="", encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot read the file ({exc.strerror})") from None
    with fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        for name in header:
            if name not in columns:
                raise ScenarioError(str(path), "line 1", f"unknown column {short(name)}{_close(name, columns)} "
                                    f"allowed: {', '.join(columns)}")
        missing = [c for c in columns if c not in header]
        if missing:
            raise ScenarioError(str(path), "line 1", f"missing column(s) {', '.join(missing)}; the header must be "
                                f"{','.join(columns)}")
        for row in reader:
            if None in row:
                raise ScenarioError(str(path), f"line {reader.line_num}", f"more fields than the {len(header)} columns "
                                    "(a comma in an unquoted text?)")
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


class _Row:
    """One CSV row with its place, for one-line errors."""

    def __init__(self, path: Path, line: int, row: dict[str, str]) -> None:
        self.path, self.line, self.row = path, line, row
        self.figure = row.get("figure", "")

    def fail(self, column: str, problem: str) -> ScenarioError:
        where = f"line {self.line}" + (f" ({self.figure})" if self.figure else "") + f".{column}"
        return ScenarioError(str(self.path), where, problem)

    def number(self, column: str, required: bool = True, low: float | None = None, strict: bool = False) -> float:
        text = self.row[column]
        if not text:
            if required:
                raise self.fail(column, "required: a number")
            return math.nan
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            raise self.fail(column, f"must be a number, got {short(text)}") from None
        if not math.isfinite(value):
            raise self.fail(column, f"must be a finite number, got {short(text)}")
        if low is not None and (value <= low if strict else value < low):
            raise self.fail(column, f"must be {'>' if strict else '>='} {low:g}, got {short(text)}")
        return value

    def choice(self, column: str, allowed: Any) -> str:
        text = self.row[column]
        if text not in allowed:
            raise self.fail(column, f"must be one of {', '.join(allowed)}, got {short(text)}{_close(text, allowed)}")
        return text

    def day(self, column: str, end: bool = False) -> dt.date | None:
        text = self.row[column]
        if not text:
            return None
        try:
            return parse_end(text) if end else parse_when(text)
        except ValueError:
            raise self.fail(column, f"must be a date (YYYY-MM-DD) or ISO week (YYYY-Www), got {short(text)}") from None

    def text(self, column: str) -> str:
        if not self.row[column]:
            raise self.fail(column, "required: must not be empty")
        return self.row[column]


def _made(r: _Row) -> tuple[dt.date | None, dt.date | None]:
    text = r.row["made"]
    if not text:
        return None, None
    m = _MONTH.match(text)
    if m:
        start = dt.date(int(m[1]), int(m[2]), 1)
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return start, nxt - dt.timedelta(days=1)
    day = r.day("made")
    return day, day


def _figure(r: _Row) -> dict[str, Any]:
    """A data row validated into typed fields."""
    fig = r.text("figure")
    if not _FIGURE.match(fig):
        raise r.fail("figure", f"must be a dotted id (part.what.when, letters, digits, _ - .), got {short(fig)}")
    kind = r.choice("kind", KINDS)
    value = r.number("value")
    low, high = r.number("low", required=False), r.number("high", required=False)
    q = r.choice("qualifier", QUALIFIERS)
    if q == "range":
        if not (low <= value <= high and low < high):
            raise r.fail("value", f"a range needs low <= value <= high and low < high, got low {low:g}, value "
                         f"{value:g}, high {high:g}")
    elif q == "more_than":
        if low != value or not math.isnan(high):
            raise r.fail("low", "a 'more_than' figure has low = value and no high")
    elif q == "almost":
        if high != value or not math.isnan(low):
            raise r.fail("high", "an 'almost' figure has high = value and no low")
    elif not (math.isnan(low) and math.isnan(high)):
        raise r.fail("low", f"low/high are for qualifiers range, more_than and almost, not {q!r}")
    date, start, end = r.day("date"), r.day("from"), r.day("to", end=True)
    if date is not None and (start or end):
        raise r.fail("date", "give either a date or a period from/to, not both")
    if date is None and (start is None or end is None):
        raise r.fail("from" if start is None else "to", "required: a date, or a period with both from and to")
    if start and end and end < start:
        raise r.fail("to", f"the period ends ({end}) before it starts ({start})")
    made_from, made_to = _made(r)
    if kind == "forecast" and made_from is None:
        raise r.fail("made", "a forecast needs the date it was made (YYYY-MM-DD or YYYY-MM)")
    if kind == "outcome" and made_from is not None:
        raise r.fail("made", "only a forecast has a date it was made; an outcome leaves it empty")
    return {"figure": fig, "kind": kind, "date": date, "from": start, "to": end, "made_from": made_from,
            "made_to": made_to, "value": value, "low": low, "high": high, "qualifier": q, "unit": r.text("unit"),
            "source": r.text("source"), "note": r.row["note"], "definition": r.text("definition"),
            "file": r.path.name, "line": r.line}


def _measure(r: _Row, fig: dict[str, Any], metrics: Registry | None, figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A registry row validated against its figure (and the model's metrics when given)."""
    stat = r.choice("statistic", STATISTICS)
    need_kind = STATISTICS[stat][0]
    names = tuple(n.strip() for n in r.text("metrics").split("+"))
    per = tuple(n.strip() for n in r.row["per"].split("+")) if r.row["per"] else ()
    if stat == "ratio" and not per:
        raise r.fail("per", "a ratio needs the metrics it divides by")
    if per and stat != "ratio":
        raise r.fail("per", f"only a ratio divides by metrics, not statistic {stat!r}")
    for col, group in (("metrics", names), ("per", per)):
        for name in group:
            if metrics is None:
                continue
            m = metrics.get(name)
            if m is None:
                raise r.fail(col, f"metric {short(name)} is not in the model's metric registry ('ketensim metrics' lists "
                             f"them){_close(name, [x.name for x in metrics])}")
            kind = "count" if isinstance(m, Derived) and m.kind == "count" else m.kind
            if kind != need_kind:
                raise r.fail(col, f"statistic {stat!r} needs {need_kind} metrics, but {name} is a {kind}")
    if stat == "stock" and fig["date"] is None:
        raise r.fail("statistic", "a stock is read at a date, but the figure has a period; use stock_mean, stock_max "
                     "or change")
    if stat != "stock" and fig["date"] is not None:
        raise r.fail("statistic", f"statistic {stat!r} needs a period from/to, but the figure has a date; use stock")
    use = r.choice("use", USES)
    if (use == "forecast") != (fig["kind"] == "forecast"):
        raise r.fail("use", "a forecast has use 'forecast', and only a forecast")
    if fig["qualifier"] == "more_than" and use == "target":
        raise r.fail("use", "a 'more_than' figure is a lower bound: use bound, check or none")
    tol = r.number("tolerance", low=0.0, strict=True)
    weight = r.number("weight", low=0.0)
    judged = r.row["judged_by"]
    if judged:
        if fig["kind"] != "forecast":
            raise r.fail("judged_by", "only a forecast is judged by an observed figure")
        other = figures.get(judged)
        if other is None or other["kind"] != "outcome":
            raise r.fail("judged_by", f"must name an observed outcome in data/observed, got {short(judged)}"
                         f"{_close(judged, [k for k, v in figures.items() if v['kind'] == 'outcome'])}")
    return {"metrics": names, "statistic": stat, "per": per, "use": use, "tolerance": tol, "weight": weight,
            "judged_by": judged, "mapping": r.row["mapping"]}


def weeks_read(row: Any) -> list[dt.date]:
    """Mondays of the weeks a figure's statistic reads (see ``periods``)."""
    if row["statistic"] == "stock":
        return [stock_week(row["date"])]
    if row["statistic"] == "change":
        return [stock_week(row["from"]), stock_week(row["to"])]
    return period_weeks(row["from"], row["to"])


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    spans = [weeks_read(r) for r in rows]
    df["first_week"] = [s[0] for s in spans]
    df["last_week"] = [s[-1] for s in spans]
    return df


def _data_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.glob("*.csv") if p.name not in (REGISTRY, PENDING))
    if not files:
        raise ScenarioError(str(folder), "", "no data files (*.csv besides registry.csv and pending.csv)")
    return files


def load_observed(metrics: Registry | None, root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every observed figure with the registry's measurement, one row per figure.

    ``metrics`` is the model's metric registry (``ketensim.model.chain.registry()``); a
    registry row naming a metric not in it is refused (``None`` skips that check, for tools
    that only list the data)."""
    folder = data_dir(root)
    figures: dict[str, dict[str, Any]] = {}
    for path in _data_files(folder):
        for line, raw in _rows(path, DATA_COLUMNS):
            r = _Row(path, line, raw)
            fig = _figure(r)
            if fig["figure"] in figures:
                first = figures[fig["figure"]]
                raise r.fail("figure", f"duplicate figure; first given in {first['file']} line {first['line']}")
            figures[fig["figure"]] = fig
    reg_path = folder / REGISTRY
    measured: dict[str, dict[str, Any]] = {}
    for line, raw in _rows(reg_path, REGISTRY_COLUMNS):
        r = _Row(reg_path, line, raw)
        name = r.text("figure")
        if name not in figures:
            raise r.fail("figure", f"unknown figure {short(name)}: no row in the data files "
                         f"({', '.join(p.name for p in _data_files(folder))}){_close(name, figures)}")
        if name in measured:
            raise r.fail("figure", "duplicate registry row")
        measured[name] = _measure(r, figures[name], metrics, figures)
    for name, fig in figures.items():
        if name not in measured:
            raise ScenarioError(str(folder / fig["file"]), f"line {fig['line']} ({name})",
                                f"no registry row: add the figure to {REGISTRY} (metrics, statistic, use) or move it "
                                f"to {PENDING}")
    return _frame([{**figures[n], **measured[n]} for n in figures])


def load_pending(root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The figures waiting for a metric (``pending.csv``): the data validated like the
    others, the metric they will need and why they wait (not checked against the model)."""
    folder = data_dir(root)
    path = folder / PENDING
    if not path.exists():
        return pd.DataFrame(columns=[*PENDING_COLUMNS])
    rows = []
    for line, raw in _rows(path, PENDING_COLUMNS):
        r = _Row(path, line, raw)
        fig = _figure(r)
        fig.update({"metrics": tuple(n.strip() for n in r.text("metrics").split("+")),
                    "statistic": r.choice("statistic", [*STATISTICS, "sample_mean"]), "use": r.choice("use", USES),
                    "tolerance": r.number("tolerance", low=0.0, strict=True), "judged_by": raw["judged_by"],
                    "per": tuple(n.strip() for n in raw["per"].split("+")) if raw["per"] else (),
                    "mapping": raw["mapping"], "status": r.text("status")})
        rows.append(fig)
    return pd.DataFrame(rows)
