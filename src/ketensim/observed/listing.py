"""The observed figures as a table for a person: filters (year, metric or part, kind, use)
and a text, Markdown or CSV rendering (``ketensim observed``)."""
from __future__ import annotations

import io
import math
from typing import Any, Mapping

import pandas as pd

from .backtest import when
from .schema import KINDS, USES

FORMATS = ("text", "markdown", "csv")
COLUMNS = ("figure", "when", "value", "unit", "statistic", "metrics", "use", "tol", "source")


def value_text(row: Mapping[str, Any]) -> str:
    """'~27,000', '>7,700', 'almost 3,000', '11,000-12,000', '0.45' as the source says it."""
    def num(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"

    q, v = row["qualifier"], float(row["value"])
    if q == "about":
        return f"~{num(v)}"
    if q == "more_than":
        return f">{num(v)}"
    if q == "almost":
        return f"almost {num(v)}"
    if q == "range":
        return f"{num(row['low'])}-{num(row['high'])}"
    if q == "derived":
        return f"{num(v)} (derived)"
    return num(v)


def filter_observed(table: pd.DataFrame, year: int | None = None, metric: str | None = None,
                    kind: str | None = None, use: str | None = None) -> pd.DataFrame:
    """The figures of a calendar year (a date in it or a period touching it), measured by a
    metric (a full name, or a part: ``coa`` or ``coa.``), of a kind, of a use."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if use is not None and use not in USES:
        raise ValueError(f"use must be one of {', '.join(USES)}, got {use!r}")
    keep = pd.Series(True, index=table.index)
    if year is not None:
        def touches(r: Mapping[str, Any]) -> bool:
            d = r["date"]
            if d is not None and not (isinstance(d, float) and math.isnan(d)):
                return bool(d.year == year)
            return bool(r["from"].year <= year <= r["to"].year)
        keep &= table.apply(touches, axis=1)
    if metric:
        part = metric.rstrip(".")
        keep &= table["metrics"].apply(lambda ms: any(m == metric or m.startswith(part + ".") for m in ms))
    if kind:
        keep &= table["kind"] == kind
    if use:
        keep &= table["use"] == use
    return table[keep]


def _rows(table: pd.DataFrame) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in table.to_dict("records"):
        metrics = " + ".join(r["metrics"]) + (f" / {' + '.join(r['per'])}" if r.get("per") else "")
        out.append((str(r["figure"]), when(r), value_text(r), str(r["unit"]), str(r["statistic"]), metrics,
                    str(r["use"]), f"{r['tolerance']:g}", str(r["source"])))
    return out


def format_observed(table: pd.DataFrame, fmt: str = "text") -> str:
    """The figures as an aligned text table, a Markdown table or CSV."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    rows = _rows(table)
    if fmt == "csv":
        buf = io.StringIO()
        pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(buf, index=False)
        return buf.getvalue().rstrip("\n")
    if fmt == "markdown":
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows]
        return "\n".join(lines)
    shown = [r[:-1] for r in rows]  # the source is in the Markdown and CSV forms
    head = COLUMNS[:-1]
    widths = [max([len(head[i])] + [len(r[i]) for r in shown]) for i in range(len(head))]
    fmt_row = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt_row.format(*head).rstrip()] + [fmt_row.format(*r).rstrip() for r in shown])


def summary_line(table: pd.DataFrame, pending: int | None = None) -> str:
    """'86 figures: 60 targets, 4 bounds, ...' (and how many wait for a metric)."""
    counts = table["use"].value_counts() if len(table) else pd.Series(dtype=int)
    parts = [f"{int(counts[u])} {u}" for u in USES if u in counts]
    text = f"{len(table)} figure{'s' if len(table) != 1 else ''}" + (f" ({', '.join(parts)})" if parts else "")
    if pending:
        text += f"; {pending} more wait for a metric (--pending)"
    return text
