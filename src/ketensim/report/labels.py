"""Labels and units of metrics for people, read through one function.

``metric_label`` and ``metric_unit`` ask the metric registry (each part declares its metrics
there, with ``label``, ``label_nl`` and ``unit``); a Dutch label a part does not declare yet
comes from ``LABELS_NL``, and an unknown metric shows its id.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Sequence

LABELS_NL: dict[str, str] = {
    # Dutch labels of metrics whose part declares no label_nl yet (English labels and units
    # always come from the registry)
    "ind.hearings_physical": "fysieke gehoren",
    "ind.hearings_video": "gehoren per video (telehoren)",
    "ind.hearings_cancelled": "geannuleerde gehoren (isolatie)",
    "ind.decisions": "IND-beslissingen",
    "ind.grants": "IND-inwilligingen",
    "ind.applications": "asielaanvragen",
    "ind.backlog": "IND-voorraad",
    "ind.lead_time_median_days": "mediane doorlooptijd",
    "ind.hearing_queue": "wachtend op een gehoor",
    "coa.occupancy": "COA-bezetting",
    "coa.capacity": "COA-plaatsen",
    "coa.permit_holders": "statushouders in COA",
    "coa.housed": "gehuisvest in gemeenten",
    "coa.emergency_occupancy": "in noodopvang",
    "coa.housing_queue": "wachtend op huisvesting",
    "dtv.departures_independent": "zelfstandig vertrek",
    "dtv.departures_forced": "gedwongen vertrek",
    "dtv.departures_forced_origin": "gedwongen naar land van herkomst",
    "dtv.departures_unsupervised": "vertrek zonder toezicht (MOB)",
    "dtv.caseload": "DT&V-caseload",
    "dublin.transfers": "Dublinoverdrachten",
    "dublin.transfers_forced": "Dublinoverdrachten, gedwongen",
    "dublin.lapsed": "verlopen Dublinclaims",
    "dublin.claims": "Dublinclaims",
    "dublin.awaiting_transfer": "wachtend op Dublinoverdracht",
    "detention.population": "personen in vreemdelingenbewaring",
    "detention.placements": "in bewaring gesteld",
    "health.new_detected": "vastgestelde besmettingen",
    "health.isolated": "in isolatie",
    "health.quarantined": "in quarantaine",
    "health.place_demand": "vraag naar isolatie-/quarantaineplekken",
    "health.places_used": "gebruikte isolatie-/quarantaineplekken",
    "health.quarantine_shortfall": "geen quarantaineplek gekregen",
    "health.unplaced": "zonder isolatie-/quarantaineplek",
    "health.external_used": "gebruikte externe quarantaineplekken",
    "nareis.applications": "nareisaanvragen",
    "nareis.open": "openstaande nareisaanvragen",
    "nareis.arrivals": "nareizigers aangekomen",
    "resettlement.waiting": "hervestiging: geaccepteerd, wachtend",
    "resettlement.arrivals": "hervestigden aangekomen",
    "mvv.backlog": "mvv-voorraad (niet opgehaald)",
    "mvv.lapsed": "verlopen mvv's",
}
UNIT_WORDS_NL = {"persons": "personen", "places": "plaatsen", "days": "dagen", "rooms": "ruimtes",
                 "households": "huishoudens", "hearings": "gehoren", "infections": "besmettingen", "week": "week",
                 "per": "per"}
DEPARTURES = ("dtv.departures_independent", "dtv.departures_forced")


@functools.lru_cache(maxsize=1)
def _registry() -> Any:
    """The metric registry of the chain (built once: every part's declared metrics)."""
    from ..model.chain import registry

    return registry()


def metric_label(name: str, lang: str = "en") -> str:
    """A metric's short label for people, in English or Dutch: the registry's (its
    ``label_nl`` in Dutch, else the Dutch table here), else the metric's id."""
    entry = _registry().get(name)
    if lang == "nl":
        if entry is not None and entry.label_nl:
            return str(entry.label_nl)
        if name in LABELS_NL:
            return LABELS_NL[name]
    return str(entry.label) if entry is not None else name


def metric_unit(name: str, lang: str = "en") -> str:
    """The unit ('persons', 'hearings/week'), with its words in Dutch for ``lang='nl'``."""
    unit = _registry().unit(name)
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
