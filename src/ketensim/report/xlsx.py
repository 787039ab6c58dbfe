"""An Excel workbook for policy staff: the figures of a run, a comparison or a forecast in a
file a planner can open, filter and forward.

One sheet per question, each with a title row, a note on how to read it and a table whose
numbers are numbers (Excel shows them with the reader's own separators): *About*, *Key
figures* per window with 95% intervals, *Differences* (paired, with a baseline), *Required
capacity* (``--need``), *Changes* (what the scenario changes), *Assumptions*, *Provenance*.
Labels and units come from the metric registry; ``lang="nl"`` writes it in Dutch.

Building the content (``workbook_for``) takes data and opens no file;
``ketensim.workflow.xlsx.write_workbook`` writes one file at the path it is given: callers put
it inside the results set they write atomically (``write_results``' extras), so a workbook is
never half there.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pandas as pd

from ..analysis.diff import dated_changes, scenario_diff
from ..analysis.summary import side_by_side, summarize
from .i18n import translator
from .labels import figure_label, key_figures

__all__ = ["SHEETS", "Sheet", "Workbook", "cell_value", "planning_sheet", "stored_need", "workbook_for"]

# Sheet names (Excel allows 31 characters) and the texts only the workbook needs, en / nl.
SHEETS: dict[str, tuple[str, str]] = {
    "about": ("About", "Over"),
    "figures": ("Key figures", "Kerncijfers"),
    "differences": ("Differences", "Verschillen"),
    "need": ("Required capacity", "Benodigde capaciteit"),
    "planning": ("Planning", "Planning"),
    "changes": ("Changes", "Wijzigingen"),
    "assumptions": ("Assumptions", "Aannames"),
    "provenance": ("Provenance", "Herkomst"),
}
TEXT: dict[str, tuple[str, str]] = {
    "title": ("ketensim results: {name}", "ketensim-resultaten: {name}"),
    "about.what": ("What this workbook holds", "Wat deze werkmap bevat"),
    "about.sheet": ("sheet", "tabblad"),
    "about.holds": ("holds", "bevat"),
    "about.figures": ("the key figures per window: mean over replications with its 95% interval",
                      "de kerncijfers per periode: gemiddelde over de replicaties met het 95%-interval"),
    "about.differences": ("scenario minus baseline per key figure and window, with the 95% interval of the "
                          "paired differences", "scenario min basislijn per kerncijfer en periode, met het "
                          "95%-interval van de gepaarde verschillen"),
    "about.planning": ("the forecast's stocks at the start of each quarter: mean and the 5th-95th percentile of the "
                       "replications", "de voorraden van de prognose aan het begin van elk kwartaal: gemiddelde en het "
                       "5e-95e percentiel van de replicaties"),
    "planning.title": ("Stocks at the start of each quarter", "Voorraden aan het begin van elk kwartaal"),
    "planning.note": ("The week-end value nearest to each date; the band holds 90% of the replications (P5-P95).",
                      "De waarde aan het eind van de week die het dichtst bij elke datum ligt; de band bevat 90% van "
                      "de replicaties (P5-P95)."),
    "col.date": ("date", "datum"),
    "about.need": ("places needed per week at the chosen certainty, against the capacity in place",
                   "benodigde plaatsen per week bij de gekozen zekerheid, naast de capaciteit"),
    "about.changes": ("what the scenario changes: dated changes, parameters and the policy timeline",
                      "wat het scenario verandert: gedateerde wijzigingen, parameters en de beleidstijdlijn"),
    "about.assumptions": ("the scenario's description, the phases' notes and how to read the figures",
                          "de beschrijving van het scenario, de toelichting bij de fasen en hoe de cijfers te lezen"),
    "about.provenance": ("where the figures come from: scenario, seed, version, run times",
                         "waar de cijfers vandaan komen: scenario, seed, versie, rekentijden"),
    "col.unit": ("unit", "eenheid"),
    "col.metrics": ("metrics", "uitkomsten"),
    "col.to": ("to", "tot en met"),
    "col.statistic": ("statistic", "statistiek"),
    "col.mean": ("mean", "gemiddelde"),
    "col.low": ("95% low", "95% onder"),
    "col.high": ("95% high", "95% boven"),
    "col.reps": ("replications", "replicaties"),
    "col.partial": ("partial window", "gedeeltelijke periode"),
    "col.group": ("group", "groep"),
    "col.week": ("week (Monday)", "week (maandag)"),
    "col.isoweek": ("ISO week", "ISO-week"),
    "col.p10": ("P10", "P10"),
    "col.median": ("median", "mediaan"),
    "col.p90": ("P90", "P90"),
    "col.need": ("need", "benodigd"),
    "col.capacity": ("capacity in place", "aanwezige capaciteit"),
    "col.short": ("short", "tekort"),
    "col.kind": ("kind", "soort"),
    "col.item": ("item", "onderdeel"),
    "col.text": ("text", "tekst"),
    "kind.dated": ("dated change", "gedateerde wijziging"),
    "kind.param": ("parameter", "parameter"),
    "kind.phase": ("phase", "fase"),
    "need.note": ("Places needed per week at P{p}{plus}: in at least that share of the replications this many "
                  "places would have sufficed (persons at week end needing a place).",
                  "Benodigde plaatsen per week bij P{p}{plus}: in ten minste dat deel van de replicaties waren "
                  "zoveel plaatsen genoeg geweest (personen aan het eind van de week die een plaats nodig hebben)."),
    "yes": ("yes", "ja"),
    "no": ("no", "nee"),
    "description": ("description", "beschrijving"),
}
NEED_GROUPS_NL = {
    "reception": "opvangplaatsen (COA, alle fasen)",
    "reception.col": "plaatsen in het aanmeldcentrum (COL)",
    "reception.pol": "plaatsen in de procesopvang (POL)",
    "reception.azc": "AZC-plaatsen",
    "quarantine": "isolatie- en quarantaineplaatsen",
    "detention": "plaatsen in vreemdelingenbewaring",
}
"""Dutch labels of the groups of ``metrics.need.NEEDS`` (the English ones are the specs' own)."""
NUMBER = "#,##0.0"
WHOLE = "#,##0"


def _t(key: str, lang: str) -> str:
    return TEXT[key][0 if lang == "en" else 1]


def _plain(html: str) -> str:
    """A translated text without its HTML tags."""
    return re.sub(r"<[^>]+>", "", html)


@dataclass(frozen=True)
class Sheet:
    """One sheet: a title, a note on how to read it, a header and rows of plain values
    (numbers stay numbers; ``formats`` maps a column index to an Excel number format)."""

    key: str
    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    formats: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Workbook:
    """The sheets of one workbook, in order, and its language."""

    sheets: tuple[Sheet, ...]
    lang: str = "en"

    def sheet(self, key: str) -> Sheet:
        return next(s for s in self.sheets if s.key == key)


def cell_value(value: Any) -> Any:
    """A cell value: NaN and None become empty cells, numpy numbers plain Python ones."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _day(value: Any) -> Any:
    """A window's end as a date cell."""
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).date()
    return cell_value(value)


def _figure_texts(figure: str, lang: str) -> tuple[str, str, str]:
    """(label, unit, metrics) of a key figure, from the metric registry."""
    from .labels import metric_unit

    metrics = key_figures().get(figure, [figure])
    return figure_label(metrics, lang, unit=False), metric_unit(metrics[0], lang), " + ".join(metrics)


def _window_name(window: str, lang: str) -> str:
    tr = translator(lang)
    name, sep, rest = window.partition(" (partial:")
    key = f"win.{name}"
    from .i18n import TEXT as REPORT_TEXT

    if key in REPORT_TEXT:
        name = tr(key)
    return name + (f" ({tr('partial')}:{rest}" if sep else "")


def _figures_sheet(weekly: pd.DataFrame, windows: Any, stat: str, scenario: Any, lang: str) -> Sheet:
    tr = translator(lang)
    s = summarize(weekly, windows, stat=stat, scenario=scenario)
    cols = (tr("col.figure"), _t("col.unit", lang), tr("col.window"), tr("col.from"), _t("col.to", lang),
            _t("col.statistic", lang), _t("col.mean", lang), _t("col.low", lang), _t("col.high", lang),
            _t("col.reps", lang), _t("col.metrics", lang))
    rows = []
    for r in s.to_dict("records"):
        label, unit, metrics = _figure_texts(str(r["figure"]), lang)
        rows.append((label, unit, _window_name(str(r["window"]), lang), _day(r["from"]), _day(r["to"]),
                     tr.stat(str(r["statistic"])), cell_value(r["mean"]), cell_value(r["ci_low"]), cell_value(r["ci_high"]),
                     cell_value(r["reps"]), metrics))
    return Sheet("figures", SHEETS["figures"][lang == "nl"], tr("sec.figures"), cols, tuple(rows),
                 _plain(tr("fig.note").format(stat=tr.stat(stat))), {6: NUMBER, 7: NUMBER, 8: NUMBER, 9: WHOLE})


def _differences_sheet(weekly: pd.DataFrame, baseline: pd.DataFrame, names: tuple[str, str], windows: Any,
                       stat: str, scenario: Any, lang: str) -> Sheet:
    tr = translator(lang)
    cmp = side_by_side(weekly, baseline, windows, names=names, stat=stat, scenario=scenario)
    b, a = tr("col.baseline"), tr("col.scenario")
    low, high, mean = _t("col.low", lang), _t("col.high", lang), _t("col.mean", lang)
    cols = (tr("col.figure"), _t("col.unit", lang), tr("col.window"), _t("col.statistic", lang),
            f"{b}: {mean}", f"{b}: {low}", f"{b}: {high}", f"{a}: {mean}", f"{a}: {low}", f"{a}: {high}",
            tr("col.difference"), f"{tr('col.difference')}: {low}", f"{tr('col.difference')}: {high}")
    rows = []
    for r in cmp.itertuples(index=False):
        label, unit, _ = _figure_texts(str(r.figure), lang)
        rows.append((label, unit, _window_name(str(r.window), lang), tr.stat(str(r.statistic)),
                     *(cell_value(v) for v in (r.baseline_mean, r.baseline_ci_low, r.baseline_ci_high, r.scenario_mean,
                                         r.scenario_ci_low, r.scenario_ci_high, r.difference, r.difference_ci_low,
                                         r.difference_ci_high))))
    title = f"{tr('sec.figures')}: {names[1]} − {names[0]}"
    return Sheet("differences", SHEETS["differences"][lang == "nl"], title, cols, tuple(rows),
                 _plain(tr("fig.paired")), {i: NUMBER for i in range(4, 13)})


def _need_sheet(need: pd.DataFrame, lang: str) -> Sheet:
    tr = translator(lang)
    cols = (_t("col.group", lang), _t("col.week", lang), _t("col.isoweek", lang), _t("col.p10", lang),
            _t("col.median", lang), _t("col.p90", lang), _t("col.need", lang), _t("col.capacity", lang),
            _t("col.short", lang), _t("col.reps", lang))
    rows = []
    for r in need.itertuples(index=False):
        week = pd.Timestamp(r.week_start).date()
        iso = week.isocalendar()
        label = NEED_GROUPS_NL.get(str(r.group), str(r.label)) if lang == "nl" else str(r.label)
        rows.append((label, week, f"{iso[0]}-W{iso[1]:02d}", cell_value(r.p10), cell_value(r.median), cell_value(r.p90),
                     cell_value(r.need), cell_value(r.capacity), cell_value(r.short), cell_value(r.reps)))
    prob = float(need["prob"].iloc[0]) if len(need) else 0.9
    buffer = float(need["buffer"].iloc[0]) if len(need) else 0.0
    plus = f" + {buffer:.0%}" if buffer else ""
    return Sheet("need", SHEETS["need"][lang == "nl"], tr("sec.capacity"), cols, tuple(rows),
                 _t("need.note", lang).format(p=f"{prob * 100:g}", plus=plus),
                 {3: NUMBER, 4: NUMBER, 5: NUMBER, 6: WHOLE, 7: WHOLE, 8: WHOLE, 9: WHOLE})


PLANNING_FIGURES = ("occupancy", "occupancy_col", "occupancy_pol", "occupancy_azc", "occupancy_crisis",
                    "permit_holders", "ind_open", "ind_taskforce", "detention")
"""The forecast's stocks in the planning sheet (those of its README's quarterly table)."""


def planning_sheet(weekly: pd.DataFrame, first_year: int, lang: str = "en") -> Sheet:
    """A forecast's stocks at the start of each quarter from ``first_year`` on (mean, P5, P95
    over replications); figures the run does not have, and dates outside it, are left out."""
    from ..analysis.forecast import at_dates
    from .forecast_write import BY_KEY, quarter_starts

    last_year = pd.Timestamp(pd.to_datetime(weekly.week_start).max()).isocalendar()[0] if len(weekly) else first_year
    days = quarter_starts(first_year, int(last_year))
    rows = []
    for key in PLANNING_FIGURES:
        fig = BY_KEY[key]
        label = fig.label if lang == "en" else figure_label(list(fig.metrics), "nl")
        for r in at_dates(weekly, fig, days).to_dict("records"):
            if not r.get("reps"):
                continue
            rows.append((label, *(cell_value(r[k]) for k in ("date", "mean", "p05", "p95", "reps"))))
    cols = (translator(lang)("col.figure"), _t("col.date", lang), _t("col.mean", lang), "P5", "P95",
            _t("col.reps", lang))
    return Sheet("planning", SHEETS["planning"][lang == "nl"], _t("planning.title", lang), cols, tuple(rows),
                 _t("planning.note", lang), {2: WHOLE, 3: WHOLE, 4: WHOLE})


def _text(value: Any) -> Any:
    """A scenario value as a cell: numbers stay numbers, everything else is text."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)


def _changes_sheet(manifest: Mapping[str, Any], base_manifest: Mapping[str, Any] | None, lang: str) -> Sheet:
    tr = translator(lang)
    sc = manifest.get("scenario") or {}
    cols = (_t("col.kind", lang), tr("col.phase"), tr("col.parameter"), tr("col.from"), tr("col.until"),
            tr("col.baseline"), tr("col.scenario"))
    rows: list[tuple[Any, ...]] = []
    for c in dated_changes(sc):
        rows.append((_t("kind.dated", lang), "", str(c["path"]), str(c.get("start") or ""),
                     str(c.get("end") or tr("end.horizon")), "", _text(c.get("value"))))
    if base_manifest is None:
        note = _plain(tr("chg.nobase"))
        for p in sc.get("phases", []):
            for key, value in (p.get("set") or {}).items():
                rows.append((_t("kind.phase", lang), str(p["name"]), str(key), str(p.get("start")), "", "",
                             _text(value)))
    else:
        note = _plain(tr("chg.relative").format(base=base_manifest.get("scenario_name")))
        diff = scenario_diff(sc, base_manifest.get("scenario") or {})
        for d in diff["parameters"]:
            rows.append((_t("kind.param", lang), "", str(d["path"]), "", "", _text(d["baseline"]),
                         _text(d["scenario"])))
        for d in diff["phases"]:
            rows.append((_t("kind.phase", lang), str(d["phase"]), str(d["what"]), "", "", _text(d["baseline"]),
                         _text(d["scenario"])))
        if not rows:
            note += " " + _plain(tr("chg.same"))
    return Sheet("changes", SHEETS["changes"][lang == "nl"], tr("sec.changes"), cols, tuple(rows), note)


def _assumptions_sheet(manifest: Mapping[str, Any], lang: str) -> Sheet:
    tr = translator(lang)
    sc = manifest.get("scenario") or {}
    reps = len(manifest.get("replications", []))
    rows: list[tuple[Any, ...]] = [(_t("description", lang), " ".join(str(sc.get("description", "")).split()))]
    rows += [(f"{tr('col.phase')} {p['name']} ({tr('col.from')} {p.get('start')})", str(p["note"]))
             for p in sc.get("phases", []) if p.get("note")]
    rows += [("", _plain(tr("ass.reps").format(reps=reps))), ("", _plain(tr("ass.inputs"))),
             ("", _plain(tr("ass.weeks")))]
    return Sheet("assumptions", SHEETS["assumptions"][lang == "nl"], tr("sec.assumptions"),
                 (_t("col.item", lang), _t("col.text", lang)), tuple(rows))


def _provenance_rows(m: Mapping[str, Any], lang: str) -> list[tuple[str, Any]]:
    tr = translator(lang)
    reps = m.get("replications", [])
    runtimes = [r.get("runtime_s") or 0 for r in reps]
    failed = sum(1 for r in reps if r.get("error"))
    rows: list[tuple[str, Any]] = [
        (tr("prov.scenario"), str(m.get("scenario_name"))),
        (tr("prov.hash"), str(m.get("scenario_hash"))),
        (tr("prov.seed"), m.get("seed")),
        (tr("prov.reps"), len(reps)),
        (tr("prov.failed").format(n="").strip(), failed),
        (tr("prov.version"), str(m.get("package_version"))),
        (tr("prov.python"), str(m.get("python", ""))),
        (tr("prov.started"), str(m.get("started_at", ""))),
        (f"{tr('prov.wall')} (s)", cell_value(m.get("wall_time_s"))),
        (f"{tr('prov.cpu')} (s)", round(sum(runtimes) / len(runtimes), 3) if runtimes else None),
    ]
    overrides = m.get("overrides") or []
    if overrides:
        rows.append(("--set", " ".join(str(o) for o in overrides)))
    return rows


def _provenance_sheet(manifest: Mapping[str, Any], base_manifest: Mapping[str, Any] | None,
                      sources: tuple[str, str | None], lang: str) -> Sheet:
    tr = translator(lang)
    rows = _provenance_rows(manifest, lang) + [(tr("prov.folder"), sources[0])]
    if base_manifest is None:
        return Sheet("provenance", SHEETS["provenance"][lang == "nl"], tr("sec.provenance"),
                     ("", tr("col.scenario")), tuple(rows))
    base = dict(_provenance_rows(base_manifest, lang) + [(tr("prov.folder"), sources[1] or "")])
    return Sheet("provenance", SHEETS["provenance"][lang == "nl"], tr("sec.provenance"),
                 ("", tr("col.scenario"), tr("col.baseline")), tuple((k, v, base.get(k)) for k, v in rows))


def _about_sheet(name: str, sheets: Sequence[Sheet], manifest: Mapping[str, Any], lang: str) -> Sheet:
    tr = translator(lang)
    rows = tuple((s.name, _t(f"about.{s.key}", lang)) for s in sheets)
    sub = _plain(tr("report.sub").format(
        name=name, against="", reps=len(manifest.get("replications", [])), a="", b="", first="", last="",
        now=dt.date.today().isoformat(), version=manifest.get("package_version", "")))
    sub = re.sub(r",? ISO[^.]*\(\s*[^)]*\)", "", sub)  # the report's week span needs the weekly table
    return Sheet("about", SHEETS["about"][lang == "nl"], _t("title", lang).format(name=name),
                 (_t("about.sheet", lang), _t("about.holds", lang)), rows, sub)


def stored_need(weekly: pd.DataFrame, manifest: Mapping[str, Any]) -> pd.DataFrame | None:
    """The required-capacity table of results run with ``--need`` (its certainty and buffer are
    in the manifest), else None."""
    need = manifest.get("need")
    if not need:
        return None
    from ..metrics.need import need_table
    from ..scenario.schema import Scenario

    try:
        scenario = Scenario.model_validate(manifest["scenario"])
    except Exception:  # noqa: BLE001 - an old or foreign manifest: capacities from metrics only
        scenario = None
    return need_table(weekly, float(need.get("prob", 0.9)), float(need.get("buffer", 0.0)), scenario)


def workbook_for(weekly: pd.DataFrame, manifest: Mapping[str, Any], *, baseline: pd.DataFrame | None = None,
                 base_manifest: Mapping[str, Any] | None = None, windows: Any = None, stat: str = "mean",
                 need: pd.DataFrame | None = None, lang: str = "en",
                 sources: tuple[str, str | None] = ("", None), extra_sheets: Sequence[Sheet] = ()) -> Workbook:
    """The workbook of stored or fresh results (a comparison with ``baseline``; required
    capacity with ``need``, a ``metrics.need.need_table``); ``windows`` and ``stat`` as
    ``--window`` and ``--stat``; ``extra_sheets`` follow the key figures (a forecast's
    ``planning_sheet``). Opens no file."""
    translator(lang)  # an unknown language is a ValueError naming the allowed ones
    name = str(manifest.get("scenario_name") or "results")
    scenario = manifest.get("scenario")
    sheets = [_figures_sheet(weekly, windows, stat, scenario, lang), *extra_sheets]
    if baseline is not None:
        bname = str((base_manifest or {}).get("scenario_name") or "baseline")
        if bname == name:
            bname = f"{bname} ({translator(lang)('col.baseline')})"
        sheets.append(_differences_sheet(weekly, baseline, (bname, name), windows, stat, scenario, lang))
    if need is not None and len(need):
        sheets.append(_need_sheet(need, lang))
    sheets += [_changes_sheet(manifest, base_manifest, lang), _assumptions_sheet(manifest, lang),
               _provenance_sheet(manifest, base_manifest, sources, lang)]
    return Workbook((_about_sheet(name, sheets, manifest, lang), *sheets), lang)
