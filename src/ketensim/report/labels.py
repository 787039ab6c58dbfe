"""Labels and units of metrics for people, read through one function.

``metric_label`` and ``metric_unit`` ask the metric registry (each part declares its metrics
there, with ``label``, ``label_nl`` (required) and ``unit``); an unknown metric shows its id.
The key figures of tables and comparisons come from the registry too (``key_figures``).
"""
from __future__ import annotations

import re
from typing import Sequence

from ..analysis.registry import key_figures, registry

__all__ = ["DEPARTURES", "figure_label", "key_figures", "metric_group", "metric_label", "metric_unit"]

UNIT_WORDS_NL = {"persons": "personen", "places": "plaatsen", "days": "dagen", "rooms": "ruimtes",
                 "households": "huishoudens", "hearings": "gehoren", "infections": "besmettingen", "week": "week",
                 "per": "per"}
DEPARTURES = ("dtv.departures_independent", "dtv.departures_forced")


def metric_label(name: str, lang: str = "en") -> str:
    """A metric's short label for people, in English or Dutch (the registry's ``label`` or
    ``label_nl``), else the metric's id."""
    entry = registry().get(name)
    if entry is None:
        return name
    return str(entry.label_nl) if lang == "nl" else str(entry.label)


def metric_group(name: str) -> str:
    """The report group a metric is shown in (its declared ``group``, else the prefix of its
    name; an unknown metric by its prefix)."""
    entry = registry().get(name)
    return str(entry.section) if entry is not None else name.split(".", 1)[0]


def metric_unit(name: str, lang: str = "en") -> str:
    """The unit ('persons', 'hearings/week'), with its words in Dutch for ``lang='nl'``."""
    unit = registry().unit(name)
    if lang != "nl":
        return unit
    return re.sub(r"[a-z]+", lambda m: UNIT_WORDS_NL.get(m.group(0), m.group(0)), unit)


def figure_label(metrics: str | Sequence[str], lang: str = "en", unit: bool = True) -> str:
    """A label of one metric or a weekly sum of several, with its unit ('… / week')."""
    ms = [metrics] if isinstance(metrics, str) else list(metrics)
    if set(ms) == set(DEPARTURES):
        text = ("aantoonbaar vertrek (zelfstandig + gedwongen)" if lang == "nl"
                else "demonstrable departures (independent + forced)")
    else:
        text = " + ".join(metric_label(m, lang) for m in ms)
    u = metric_unit(ms[0], lang)
    if not unit or not u:
        return text
    return f"{text} ({u})"
