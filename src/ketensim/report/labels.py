"""Labels and units of metrics for people, read through one function.

``metric_label`` and ``metric_unit`` ask the metric registry first (each part declares its
metrics there, with ``label``, ``label_nl`` and ``unit``); until a metric is declared, the
fallback tables below answer, and an unknown metric shows its id. Switching wholly to the
registry is the one line in ``_registry``.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Sequence

FALLBACK: dict[str, tuple[str, str, str]] = {
    # metric: (English, Dutch, unit)
    "ind.hearings_physical": ("physical hearings", "fysieke gehoren", "per week"),
    "ind.hearings_video": ("video hearings (telehoren)", "gehoren per video (telehoren)", "per week"),
    "ind.hearings_cancelled": ("hearings cancelled (isolation)", "geannuleerde gehoren (isolatie)", "per week"),
    "ind.decisions": ("IND decisions", "IND-beslissingen", "per week"),
    "ind.grants": ("IND grants", "IND-inwilligingen", "per week"),
    "ind.applications": ("asylum applications", "asielaanvragen", "per week"),
    "ind.backlog": ("IND backlog", "IND-voorraad", "persons"),
    "ind.lead_time_median_days": ("median lead time", "mediane doorlooptijd", "days"),
    "ind.hearing_queue": ("waiting for a hearing", "wachtend op een gehoor", "persons"),
    "coa.occupancy": ("COA occupancy", "COA-bezetting", "persons"),
    "coa.capacity": ("COA places", "COA-plaatsen", "places"),
    "coa.permit_holders": ("permit holders in COA", "statushouders in COA", "persons"),
    "coa.housed": ("housed in municipalities", "gehuisvest in gemeenten", "per week"),
    "coa.emergency_occupancy": ("in emergency locations", "in noodopvang", "persons"),
    "coa.housing_queue": ("waiting for housing", "wachtend op huisvesting", "persons"),
    "dtv.departures_independent": ("independent departures", "zelfstandig vertrek", "per week"),
    "dtv.departures_forced": ("forced departures", "gedwongen vertrek", "per week"),
    "dtv.departures_forced_origin": ("forced to country of origin", "gedwongen naar land van herkomst", "per week"),
    "dtv.departures_unsupervised": ("departures without supervision (MOB)", "vertrek zonder toezicht (MOB)",
                                    "per week"),
    "dtv.caseload": ("DT&V caseload", "DT&V-caseload", "persons"),
    "dublin.transfers": ("Dublin transfers", "Dublinoverdrachten", "per week"),
    "dublin.transfers_forced": ("Dublin transfers, forced", "Dublinoverdrachten, gedwongen", "per week"),
    "dublin.lapsed": ("Dublin claims lapsed", "verlopen Dublinclaims", "per week"),
    "dublin.claims": ("Dublin claims", "Dublinclaims", "per week"),
    "dublin.awaiting_transfer": ("awaiting a Dublin transfer", "wachtend op Dublinoverdracht", "persons"),
    "detention.population": ("persons in detention", "personen in vreemdelingenbewaring", "persons"),
    "detention.placements": ("placed in detention", "in bewaring gesteld", "per week"),
    "health.new_detected": ("detected infections", "vastgestelde besmettingen", "per week"),
    "health.isolated": ("in isolation", "in isolatie", "persons"),
    "health.quarantined": ("in quarantine", "in quarantaine", "persons"),
    "health.place_demand": ("demand for isolation/quarantine places", "vraag naar isolatie-/quarantaineplekken",
                            "persons"),
    "health.places_used": ("isolation/quarantine places used", "gebruikte isolatie-/quarantaineplekken", "places"),
    "health.quarantine_shortfall": ("needed a quarantine place and got none", "geen quarantaineplek gekregen",
                                    "per week"),
    "health.unplaced": ("without an isolation/quarantine place", "zonder isolatie-/quarantaineplek", "persons"),
    "health.external_used": ("external quarantine places used", "gebruikte externe quarantaineplekken", "places"),
    "nareis.applications": ("family reunification applications", "nareisaanvragen", "per week"),
    "nareis.open": ("open family reunification applications", "openstaande nareisaanvragen", "persons"),
    "nareis.arrivals": ("family reunification arrivals", "nareizigers aangekomen", "per week"),
    "resettlement.waiting": ("resettlement: accepted, waiting", "hervestiging: geaccepteerd, wachtend", "persons"),
    "resettlement.arrivals": ("resettlement arrivals", "hervestigden aangekomen", "per week"),
    "mvv.backlog": ("MVV backlog (uncollected)", "mvv-voorraad (niet opgehaald)", "persons"),
    "mvv.lapsed": ("MVVs lapsed", "verlopen mvv's", "per week"),
}
UNIT_WORDS_NL = {"persons": "personen", "places": "plaatsen", "days": "dagen", "rooms": "ruimtes",
                 "households": "huishoudens", "hearings": "gehoren", "infections": "besmettingen", "week": "week",
                 "per": "per"}
DEPARTURES = ("dtv.departures_independent", "dtv.departures_forced")


@functools.lru_cache(maxsize=1)
def _registry() -> Any:
    """The metric registry of the chain, or None until the parts declare their metrics."""
    try:
        from ..model import chain

        fn = getattr(chain, "metric_registry", None) or getattr(chain, "registry", None)
        return fn() if callable(fn) else None
    except Exception:  # noqa: BLE001 - no registry yet: the fallback answers
        return None


def metric_label(name: str, lang: str = "en") -> str:
    """A metric's short label for people, in English or Dutch: the registry's (its
    ``label_nl`` in Dutch), else the fallback table, else the metric's id."""
    reg = _registry()
    entry = reg.get(name) if reg is not None else None
    if lang == "nl":
        if entry is not None and entry.label_nl:
            return str(entry.label_nl)
        if name in FALLBACK:
            return FALLBACK[name][1]
    if entry is not None:
        return str(entry.label)
    return FALLBACK[name][0] if name in FALLBACK else name


def metric_unit(name: str, lang: str = "en") -> str:
    """The unit ('persons', 'hearings/week'), with its words in Dutch for ``lang='nl'``."""
    reg = _registry()
    unit = reg.unit(name) if reg is not None and name in reg else FALLBACK.get(name, ("", "", ""))[2]
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
