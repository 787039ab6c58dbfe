"""Number checks shared by every schema field: finite, no booleans, plausibility bounds.

The bounds are generous (ten times anything the Dutch chain has seen) and exist so that a
typo such as ``1e12`` places fails in a millisecond instead of filling the memory. Someone
who really wants a bigger chain turns them off explicitly: ``ketensim --no-limits ...`` on
the command line, ``with limits_off():`` around ``load`` in Python, or
``context={"limits": False}`` to ``model_validate``.
"""
from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationInfo

MAX_COUNT = 2_000_000
"""Persons in a stock, places, rooms, days and other whole numbers (NL reception: ~50,000)."""
MAX_AMOUNT = 1_000_000.0
"""Rates per week or month, durations in days, multipliers."""
MAX_HOUSEHOLD = 100
"""Persons in one household or family (the largest asylum households are around 15)."""
MAX_SEED = 2**63 - 1
MAX_EXPECTED_PERSONS = 5_000_000
"""Persons one replication may create (starting stocks plus expected inflow)."""
MAX_RESULT_ROWS = 50_000_000
"""Weekly rows a run or sweep may produce (a few GB of memory or disk)."""

_LIMITS_OFF: contextvars.ContextVar[bool] = contextvars.ContextVar("ketensim_limits_off", default=False)
FLAG = "--no-limits"


@contextlib.contextmanager
def limits_off() -> Iterator[None]:
    """Inside this block the plausibility bounds are not enforced (finite and type checks are)."""
    token = _LIMITS_OFF.set(True)
    try:
        yield
    finally:
        _LIMITS_OFF.reset(token)


def limits_enforced(info: ValidationInfo | None = None) -> bool:
    ctx = info.context if info is not None else None
    if isinstance(ctx, dict) and "limits" in ctx:
        return bool(ctx["limits"])
    return not _LIMITS_OFF.get()


def not_bool(value: Any) -> Any:
    """``true`` is not the number 1: a boolean given for a number is refused."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {str(value).lower()} (a boolean)")
    return value


def finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {value}")
    return value


def at_most(limit: float) -> Any:
    """An after-validator: ``value <= limit`` unless the limits are off."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if value > limit and limits_enforced(info):
            got = f"{value:,}" if value < 1e15 else f"{float(value):.3g}"
            raise ValueError(f"must be <= {limit:,.0f} (plausibility bound), got {got}; "
                             f"pass {FLAG} if you really mean it")
        return value

    return check


def check_expected_size(what: str, persons: float, rows: float) -> None:
    """Refuse a run or sweep whose expected size exceeds the bounds, before it starts."""
    from .errors import ScenarioError

    if not _LIMITS_OFF.get():
        if persons > MAX_EXPECTED_PERSONS:
            raise ScenarioError(what, "size", f"about {persons:,.0f} persons per replication expected "
                                "(starting stocks, inflow and family members, phases and dated changes "
                                f"included); at most {MAX_EXPECTED_PERSONS:,} without {FLAG}")
        if rows > MAX_RESULT_ROWS:
            raise ScenarioError(what, "size", f"about {rows:,.0f} weekly result rows expected; at most "
                                f"{MAX_RESULT_ROWS:,} without {FLAG} (fewer replications, points or weeks)")
