"""Which weeks of a weekly table measure an observed figure.

The model reports by ISO week (Monday to Sunday); the sources report at a date or over a
calendar period. The rules, one place for the backtest, the calibration targets and the
listing:

* **a stock at a date** is the week-end value of the ISO week that holds the date (the
  level on Sunday night; a figure "on 1 January 2022", a Saturday, is read at the end of
  2021-W52, Sunday 2 January);
* **a period** ``from``..``to`` (both days included) covers the weeks whose *Thursday*
  lies in it, i.e. the weeks with at least four of their seven days in the period — the
  rule by which ISO weeks belong to a year, so a calendar year is its ISO weeks (2020:
  W01-W53, 2021: W01-W52) and a half-year or quarter splits the year's weeks without
  overlap. A partial week at either end is counted whole or not at all (never prorated).
  A period shorter than that (no Thursday in it) reads the week that holds its middle day;
* **a change** from ``from`` to ``to`` is the stock at ``to`` minus the stock at ``from``.
"""
from __future__ import annotations

import datetime as dt

WEEK = dt.timedelta(days=7)


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.isoweekday() - 1)


def stock_week(d: dt.date) -> dt.date:
    """The Monday of the ISO week holding ``d`` (its week-end value measures a stock at ``d``)."""
    return monday(d)


def period_weeks(start: dt.date, end: dt.date) -> list[dt.date]:
    """Mondays of the weeks whose Thursday lies in [start, end] (see the module)."""
    if end < start:
        raise ValueError(f"a period ends before it starts: {start} .. {end}")
    first = monday(start)
    if first + dt.timedelta(days=3) < start:
        first += WEEK
    weeks = []
    w = first
    while w + dt.timedelta(days=3) <= end:
        weeks.append(w)
        w += WEEK
    if not weeks:
        weeks = [monday(start + (end - start) / 2)]
    return weeks


def week_label(monday_: dt.date) -> str:
    """2020-09-07 -> '2020-W37' (ISO year and week)."""
    iso = monday_.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by whole months (the day clipped to the month's length)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(d.day, (nxt - dt.timedelta(days=1)).day))


def window_weeks(origin: dt.date, months: int) -> list[dt.date]:
    """The weeks of a forecast window of ``months`` months from ``origin``: the period
    rule over [origin, origin + months - 1 day] (12 months from 2021-01-04: 2021-W01..W52)."""
    if months < 1:
        raise ValueError(f"a window needs at least one month, got {months}")
    return period_weeks(origin, add_months(origin, months) - dt.timedelta(days=1))
