"""Input series that know their horizon: how a series given up to some period is extended.

A series that ends before the horizon end is an error unless the scenario says how to go
on (``extend``): ``hold`` the last value, ``zero`` after the last period, or
``repeat_last_year`` (each later period takes the value of the same period one year
earlier: the same month, or the week 52 weeks earlier). ``zero`` and ``repeat_last_year``
are written out as explicit periods up to the horizon when the scenario is validated, so
the parts of the model (which hold the last value) need not know about them.

Pure functions on plain data; no import of the schema (it imports this module).
"""
from __future__ import annotations

import copy
import datetime as dt
import typing
from typing import Any, Iterator

from pydantic import BaseModel

from ..clock import parse_period, parse_when

EXTEND_CHOICES = ("hold", "zero", "repeat_last_year")


def period_key(start: dt.date, per: str) -> str:
    """The key of the period starting at ``start`` ('YYYY-MM' or 'YYYY-Www')."""
    if per == "month":
        return f"{start.year:04d}-{start.month:02d}"
    y, w, _ = start.isocalendar()
    return f"{y:04d}-W{w:02d}"


def last_period(values: dict[str, float]) -> tuple[str, dt.date]:
    """(key, exclusive end date) of the latest period of a series."""
    key = max(values, key=lambda k: parse_period(k)[0])
    return key, parse_period(key)[1]


def _year_before(start: dt.date, per: str) -> str:
    if per == "month":
        return period_key(dt.date(start.year - 1, start.month, 1), per)
    return period_key(start - dt.timedelta(days=364), per)


def extend_values(values: dict[str, float], per: str, extend: str | None,
                  until: dt.date, name: str = "series") -> dict[str, float]:
    """``values`` with explicit periods appended up to the one holding ``until`` (a date)
    for ``zero`` and ``repeat_last_year``; unchanged for ``hold``/None or a series that
    already covers ``until``."""
    if extend not in ("zero", "repeat_last_year") or not values:
        return values
    out = dict(values)
    key, nxt = last_period(out)
    while nxt <= until:
        k = period_key(nxt, per)
        if extend == "zero":
            out[k] = 0.0
        else:
            src = _year_before(nxt, per)
            if src not in out:
                raise ValueError(
                    f"{name}: extend repeat_last_year needs the whole last year of values, "
                    f"{src} is missing (last period {key})")
            out[k] = out[src]
        nxt = parse_period(k)[1]
    return out


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def series_paths(model: type[BaseModel], series_cls: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Dotted paths of every field of type ``series_cls`` below ``model`` (nested models,
    not lists)."""
    for name, field in model.model_fields.items():
        ann = _unwrap(field.annotation)
        path = f"{prefix}{name}"
        if ann is series_cls:
            yield path
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from series_paths(ann, series_cls, path + ".")


def extend_raw(data: Any, paths: list[str]) -> Any:
    """Raw scenario data with ``zero``/``repeat_last_year`` series written out up to the
    horizon end; malformed input is returned as is (the schema reports it)."""
    if not isinstance(data, dict):
        return data
    try:
        h = data["horizon"]
        h = h.model_dump() if isinstance(h, BaseModel) else h
        until = parse_when(h["end"])
    except (KeyError, TypeError, ValueError):
        return data
    out = None
    for path in paths:
        node: Any = data if out is None else out
        parts = path.split(".")
        for part in parts:
            node = node.model_dump() if isinstance(node, BaseModel) else node
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, BaseModel):
            node = node.model_dump()
        if not isinstance(node, dict) or node.get("extend") not in ("zero", "repeat_last_year"):
            continue
        values, per = node.get("values"), node.get("per")
        if not isinstance(values, dict) or per not in ("month", "week"):
            continue
        try:
            values = {str(k): float(v) for k, v in values.items()}
            for k in values:
                parse_period(k)
        except (TypeError, ValueError):
            continue  # the schema names the bad key or value
        new = extend_values(values, per, node["extend"], until, name=path)
        if out is None:
            out = {k: (v.model_dump() if isinstance(v, BaseModel) else copy.deepcopy(v))
                   for k, v in data.items()}
        parent = out
        for part in parts[:-1]:
            child = parent[part]
            parent[part] = child = child.model_dump() if isinstance(child, BaseModel) else child
            parent = child
        parent[parts[-1]] = {**node, "values": new}
    return data if out is None else out
