"""Model clock <-> calendar. The clock counts days from the horizon start (a Monday, 00:00)."""
from __future__ import annotations

import datetime as dt
import re

_WEEK = re.compile(r"^(\d{4})-W(\d{2})(?:-(\d))?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_when(value: object) -> dt.date:
    """A date, an ISO date string, or an ISO week ('2020-W12', '2020-W12-3') -> date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            m = _WEEK.match(text)
            if m:
                year, week, day = int(m[1]), int(m[2]), int(m[3] or 1)
                return dt.date.fromisocalendar(year, week, day)
            return dt.date.fromisoformat(text)
        except ValueError as exc:  # 2020-02-30, 2020-W60: say which value and what is allowed
            raise ValueError(f"{text[:40]!r} is not a calendar date ({exc}); expected a date "
                             "(YYYY-MM-DD) or an ISO week (YYYY-Www)") from None
    raise ValueError(f"expected a date (YYYY-MM-DD) or ISO week (YYYY-Www), got {value!r}")


def parse_end(value: object) -> dt.date:
    """The last day (inclusive) of a range end: an ISO week without a day ends on its Sunday;
    a date (or 'YYYY-Www-d') is that day."""
    if isinstance(value, str):
        m = _WEEK.match(value.strip())
        if m and m[3] is None:
            return parse_when(value) + dt.timedelta(days=6)  # its Sunday (parse_when checks the week)
    return parse_when(value)


def parse_period(key: str) -> tuple[dt.date, dt.date]:
    """'2020-03' (a month) or '2020-W12' (an ISO week) -> [start, end) dates."""
    m = _MONTH.match(key)
    if m:
        try:
            start = dt.date(int(m[1]), int(m[2]), 1)
        except ValueError:
            raise ValueError(f"{key!r} is not a month: expected 'YYYY-MM' with MM from 01 to 12") from None
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return start, nxt
    m = _WEEK.match(key)
    if m and m[3] is None:
        start = parse_when(key)
        return start, start + dt.timedelta(days=7)
    raise ValueError(f"expected a month 'YYYY-MM' or an ISO week 'YYYY-Www', got {key!r}")


class Clock:
    """Converts between model time (days since the horizon start) and calendar dates."""

    def __init__(self, start: dt.date) -> None:
        self.start = start

    def day(self, when: dt.date) -> float:
        return float((when - self.start).days)

    def date(self, t: float) -> dt.date:
        return self.start + dt.timedelta(days=int(t // 1))

    def week_start(self, week_index: int) -> dt.date:
        return self.start + dt.timedelta(days=7 * week_index)
