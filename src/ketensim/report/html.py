"""The HTML report for policy staff: one self-contained file (charts as inline SVG, inline
CSS, no scripts, no network) built from stored results, optionally against a baseline, in
English or Dutch (``lang``; every text is in ``report.i18n``).

It leads with the answer: the few figures that changed most (ranked by the paired
difference relative to its 95% interval) and what binds; then what the scenario changes,
the key figures (rows that did not change behind "show all"), the letter's targets, the
plots (the baseline on every comparison, the chain overview where the scenarios differ
most), every metric by part, the assumptions and the provenance.
"""
from __future__ import annotations

import datetime as dt
import html
import logging
import math
from typing import Any, Mapping

import pandas as pd
import yaml

from ..analysis.diff import changed_paths, dated_changes, scenario_diff
from ..analysis.stats import Window, fmt_ci, fmt_diff, parse_statistic, parse_window, significance
from ..analysis.summary import inside, key_figures, resolve_windows, side_by_side, summarize
from ..analysis.targets import Targets, compare
from ..analysis.weekly_bands import WeeklyBands
from .chain import chain_layout
from .charts import (
    inflow_band_chart,
    need_chart,
    occupancy_chart,
    part_charts,
    part_title,
    parts_of,
    pressure_charts,
    series_chart,
)
from .htmlkit import _e, _table, page, svg_figure
from .i18n import TEXT, Translator, translator
from .labels import figure_label
from .plots import phase_key, phases_from_manifest
from .svgchart import CHART_CSS, chain_svg, render

log = logging.getLogger(__name__)

# Figures of the report's plots, in order: metrics summed per week (labels from the registry)
REPORT_SERIES: list[list[str]] = [
    ["ind.hearings_physical"], ["ind.hearings_video"],
    ["dtv.departures_independent", "dtv.departures_forced"], ["ind.backlog"], ["ind.lead_time_median_days"],
    ["dublin.transfers"], ["detention.population"], ["health.new_detected"], ["health.place_demand"],
    ["health.quarantine_shortfall"],
]
HEADLINE_ROWS = 6

def _window_label(w: str, tr: Translator) -> str:
    """A window's label in the report's language (the letter's window names translated)."""
    name, sep, rest = w.partition(" (partial:")
    if f"win.{name}" in TEXT:
        name = tr(f"win.{name}")
    return name + (f" ({tr('partial')}:{rest}" if sep else "")


def _figure_label(fig: str, tr: Translator) -> str:
    """A key figure's label from the metric registry in the report's language."""
    figures = key_figures()
    return figure_label(figures[fig], tr.lang) if fig in figures else fig


# ------------------------------------------------------------------ headline

def _zero(r: Any) -> bool:
    vals = [r.difference, r.difference_ci_low, r.difference_ci_high]
    return all((isinstance(v, float) and math.isnan(v)) or v == 0 for v in vals) and r.difference == 0


def headline_rows(cmp: pd.DataFrame, n: int = HEADLINE_ROWS) -> pd.DataFrame:
    """The rows whose paired difference stands out most from its interval (interval not
    covering 0), largest |difference| / half-width first."""
    if cmp.empty:
        return cmp
    score = [significance(r.difference, r.difference_ci_low, r.difference_ci_high) for r in cmp.itertuples()]
    out = cmp.assign(score=score)
    keep = pd.Series([not _covers_zero(r) for r in out.itertuples()], index=out.index) & (out.difference != 0)
    real = out[keep]
    return real.sort_values("score", ascending=False, kind="stable").head(n)


def _covers_zero(r: Any) -> bool:
    lo, hi = r.difference_ci_low, r.difference_ci_high
    if isinstance(lo, float) and math.isnan(lo):
        return r.difference == 0
    return bool(lo <= 0 <= hi)


def _headline_section(cmp: pd.DataFrame | None, names: tuple[str, str], binding: list[str],
                      tr: Translator) -> str:
    if cmp is None:
        out = f"<p>{tr('head.nobase')}</p>"
    else:
        top = headline_rows(cmp)
        windows = ", ".join(_e(_window_label(w, tr)) for w in dict.fromkeys(cmp.window)) if not cmp.empty else "-"
        if top.empty:
            out = f"<div class='headline'><p>{tr('head.none')}</p></div>"
        else:
            items = "".join("<li>" + tr("head.row").format(
                figure=_e(_figure_label(r.figure, tr)), window=_e(_window_label(r.window, tr)),
                base=_e(tr.num(fmt_ci(r.baseline_mean, r.baseline_ci_low, r.baseline_ci_high, None))),
                alt=_e(tr.num(fmt_ci(r.scenario_mean, r.scenario_ci_low, r.scenario_ci_high, None))),
                diff=_e(tr.num(fmt_diff(r.difference, r.difference_ci_low, r.difference_ci_high)))) + "</li>"
                for r in top.itertuples())
            intro = tr("head.intro").format(base=_e(names[0]),
                                            window_note=tr("head.windows").format(names=windows))
            out = f"<div class='headline'><p>{intro}</p><ul>{items}</ul></div>"
    if binding:
        out += (f"<div class='binding'><b>{tr('head.binding')}</b><ul>"
                + "".join(f"<li>{_e(b)}</li>" for b in binding) + "</ul></div>")
    return out


# ------------------------------------------------------------------ what the scenario changes

def _changes_section(manifest: Mapping[str, Any], base_manifest: Mapping[str, Any] | None, tr: Translator) -> str:
    sc = manifest.get("scenario") or {}
    dated = dated_changes(sc)
    dated_html = ""
    if dated:
        dated_html = f"<h3>{tr('chg.dated')}</h3>" + _table(
            [tr("col.parameter"), tr("col.from"), tr("col.until"), tr("col.value")],
            [[f"<code>{_e(c['path'])}</code>", _e(c.get("start")), _e(c.get("end") or tr("end.horizon")),
              f"<b>{_e(c.get('value'))}</b>"] for c in dated], num_from=9)
    if base_manifest is None:
        rows = [[_e(p.get("start")), _e(p["name"]),
                 _e(", ".join(f"{k} = {v}" for k, v in (p.get("set") or {}).items()) or "-"),
                 _e(p.get("note", ""))] for p in sc.get("phases", [])]
        return (f"<p>{tr('chg.nobase')}</p>" + dated_html
                + _table([tr("col.from"), tr("col.phase"), tr("col.changes"), tr("col.note")], rows, num_from=9))
    diff = scenario_diff(sc, base_manifest.get("scenario") or {})
    out = [f"<p>{tr('chg.relative').format(base=_e(base_manifest.get('scenario_name')))}</p>", dated_html]
    if not diff["parameters"] and not diff["phases"] and not dated:
        out.append(f"<p>{tr('chg.same')}</p>")
    if diff["parameters"]:
        out.append(f"<h3>{tr('chg.params')}</h3>")
        out.append(_table([tr("col.parameter"), tr("col.baseline"), tr("col.scenario")],
                          [[f"<code>{_e(d['path'])}</code>", _e(d["baseline"]), f"<b>{_e(d['scenario'])}</b>"]
                           for d in diff["parameters"]], num_from=9))
    if diff["phases"]:
        out.append(f"<h3>{tr('chg.timeline')}</h3>")
        out.append(_table([tr("col.phase"), tr("col.parameter"), tr("col.baseline"), tr("col.scenario")],
                          [[_e(d["phase"]), f"<code>{_e(d['what'])}</code>", _e(d["baseline"]),
                            f"<b>{_e(d['scenario'])}</b>"] for d in diff["phases"]], num_from=9))
    return "".join(out)


# ------------------------------------------------------------------ key figures and targets

def _diff_cell(r: Any, tr: Translator) -> str:
    d = r.difference
    cls = "" if (math.isnan(d) or d == 0) else (" class='pos'" if d > 0 else " class='neg'")
    return f"<span{cls}>{_e(tr.num(fmt_diff(d, r.difference_ci_low, r.difference_ci_high)))}</span>"


def _key_figures_section(weekly: pd.DataFrame, cmp: pd.DataFrame | None, names: tuple[str, str],
                         windows: Any, stat: str, scenario: Any, tr: Translator) -> str:
    note = f"<p class='note'>{tr('fig.note').format(stat=tr.stat(stat))}</p>"
    if cmp is None:
        s = summarize(weekly, windows, stat=stat, scenario=scenario)
        if s.empty:
            return f"<p>{tr('fig.none')}</p>"
        wins = list(dict.fromkeys(s.window))
        rows = []
        for fig, grp in s.groupby("figure", sort=False):
            cells = {r.window: tr.num(fmt_ci(r.mean, r.ci_low, r.ci_high)) for r in grp.itertuples()}
            rows.append([_e(_figure_label(str(fig), tr))] + [_e(cells.get(w, "-")) for w in wins])
        return note + _table([tr("col.figure")] + [_e(_window_label(w, tr)) for w in wins], rows)
    if cmp.empty:
        return f"<p>{tr('fig.none')}</p>"

    def rows_of(frame: pd.DataFrame) -> list[list[str]]:
        rows, previous = [], None
        for r in frame.itertuples(index=False):
            first = r.figure != previous
            previous = r.figure
            rows.append([f"<b>{_e(_figure_label(r.figure, tr))}</b>" if first else "", _e(_window_label(r.window, tr)),
                         _e(tr.num(fmt_ci(r.baseline_mean, r.baseline_ci_low, r.baseline_ci_high))),
                         _e(tr.num(fmt_ci(r.scenario_mean, r.scenario_ci_low, r.scenario_ci_high))),
                         _diff_cell(r, tr)])
        return rows

    header = [tr("col.figure"), tr("col.window"), f"{tr('col.baseline')}: {_e(names[0])}",
              f"{tr('col.scenario')}: {_e(names[1])}", tr("col.difference")]
    zero = [_zero(r) for r in cmp.itertuples()]
    changed = cmp[[not z for z in zero]]
    out = note + f"<p class='note'>{tr('fig.paired')}</p>"
    if len(changed):
        out += _table(header, rows_of(changed), num_from=2)
    hidden = int(sum(zero))
    if hidden:
        out += f"<p class='note'>{tr('fig.zero_hidden').format(n=hidden)}</p>"
    out += (f"<details><summary>{tr('fig.show_all').format(n=len(cmp))}</summary>"
            + _table(header, rows_of(cmp), num_from=2) + "</details>")
    return out


def _targets_section(weekly: pd.DataFrame, targets: Targets | None, tr: Translator) -> str:
    if targets is None:
        return f"<p>{tr('tg.none')}</p>"
    kept = [t for t in targets.targets if inside(weekly, t.window)]
    outside = [t.id for t in targets.targets if t not in kept]
    if not kept:
        return f"<p>{tr('tg.outside')}</p>"
    chk = compare(weekly, Targets(source=targets.source, targets=kept))
    rows = []
    for r in chk.itertuples():
        rows.append([_e(r.id), _e(r.label), tr.num(f"{r.letter:,.0f}"), _e(tr.num(fmt_ci(r.mean, r.ci_low, r.ci_high))),
                     tr.num(f"{r.rel_error:+.1%}") if not math.isnan(r.rel_error) else "-", f"±{r.tolerance:.0%}",
                     f"<span class='ok'>{tr('yes')}</span>" if r.ok else f"<span class='no'>{tr('no')}</span>"])
    extra = (f"<p class='note'>{tr('tg.left_out').format(ids=_e(', '.join(outside)))}</p>" if outside else "")
    return (f"<p class='note'>{tr('tg.source').format(source=_e(targets.source))}</p>"
            + _table([tr("col.id"), tr("col.figure"), tr("col.letter"), tr("col.simulated"), tr("col.error"),
                      tr("col.tolerance"), tr("col.within")], rows, num_from=2) + extra)


# ------------------------------------------------------------------ plots

def chain_window(weekly: pd.DataFrame, cmp: pd.DataFrame | None, chosen: Any, windows: Any,
                 scenario: Any) -> tuple[Window | None, str]:
    """The chain overview's window and why: as chosen, else where the scenarios differ most
    (largest sum of |difference| relative to the baseline's mean), else the last window."""
    if chosen is not None:
        w = chosen if isinstance(chosen, Window) else (
            resolve_windows(weekly, [chosen], scenario).get(chosen) or parse_window(str(chosen)))
        return w, "plot.chain_why_chosen"
    wins = resolve_windows(weekly, windows, scenario)
    if not wins:
        return None, "plot.chain_why_last"
    if cmp is not None and not cmp.empty:
        rel = (cmp.difference.abs() / cmp.baseline_mean.abs().clip(lower=1.0)).fillna(0)
        by_window = rel.groupby(cmp.window).sum()
        if by_window.max() > 0:
            return wins[str(by_window.idxmax())], "plot.chain_why_diff"
    full = [w for w in wins.values() if not w.partial] or list(wins.values())
    return full[-1], "plot.chain_why_last"


def _plots_section(weekly: pd.DataFrame, manifest: Mapping[str, Any], runs: Mapping[str, WeeklyBands],
                   base: pd.DataFrame | None, base_manifest: Mapping[str, Any] | None, names: tuple[str, str],
                   targets: Targets | None, cmp: pd.DataFrame | None, chosen: Any, windows: Any,
                   tr: Translator) -> str:
    lang = tr.lang
    phases = _all_phases(manifest, base_manifest)
    own = runs[names[1]]
    out = []
    caption = tr("plot.caption").format(base=tr("plot.caption_base") if base is not None else "")
    for metrics in REPORT_SERIES:
        if not own.has(metrics):
            continue
        label = figure_label(metrics, lang)
        chart = series_chart(runs, metrics, targets=targets, phases=phases, title=label, lang=lang)
        out.append(svg_figure(render(chart), caption))
    if "coa.occupancy" in own:
        chart = occupancy_chart(own, phases=phases, baseline=runs[names[0]] if base is not None else None,
                                names=names, lang=lang)
        out.append(svg_figure(render(chart), tr("plot.occupancy_caption").format(
            base=tr("plot.occupancy_base") if base is not None else "")))
    key = phase_key(phases, lang)
    if key:
        out.append(f"<h3>{tr('plot.phase_key')}</h3>" + _table(
            ["#", tr("col.from"), tr("col.phase")], [[str(n), _e(d), _e(names_)] for n, d, names_ in key],
            num_from=9))
    window, why = chain_window(weekly, cmp, chosen, windows, manifest.get("scenario"))
    try:
        layout = chain_layout(weekly, window, lang=lang)
        span = window.label if window is not None else tr("plot.chain_all")
        out.append(svg_figure(chain_svg(layout, "chain overview"),
                              tr("plot.chain_caption").format(window=_window_label(span, tr), why=tr(why))))
        if base is not None:
            layout = chain_layout(base, window, lang=lang,
                                  title=tr("plot.baseline_prefix").format(name=names[0]) + layout.title)
            out.append(svg_figure(chain_svg(layout, "chain overview of the baseline"), tr("plot.chain_base")))
    except KeyError as exc:
        log.info("no chain overview: %s", exc)
    return "".join(out)


def _pressure_section(weekly: pd.DataFrame, manifest: Mapping[str, Any], own: WeeklyBands, tr: Translator) -> str:
    from .pressure import STAGES, has_pressure, pressure_rows

    if not has_pressure(weekly):
        return f"<p class='note'>{tr('press.none')}</p>"
    table = _table([tr("col.figure"), tr("press.mean"), tr("press.peak"), tr("press.places_mean"),
                    tr("press.places_peak")],
                   [[_e(tr(key)) if (key := f"press.row.{html.unescape(r[0])}") in TEXT else r[0],
                     *[tr.num(c) for c in r[1:]]] for r in pressure_rows(weekly, own)])
    charts = pressure_charts(own, STAGES, phases_from_manifest(manifest), tr.lang)
    return table + "".join(svg_figure(render(c)) for c in charts[:-1]) + svg_figure(
        render(charts[-1]), tr("press.caption")) if charts else table


def _all_phases(manifest: Mapping[str, Any], base_manifest: Mapping[str, Any] | None) -> list[tuple[str, dt.date]]:
    """The scenario's phases and dated changes, and the baseline's phases it lacks."""
    own = phases_from_manifest(manifest)
    names = {n for n, _ in own}
    extra = [p for p in phases_from_manifest(base_manifest) if p[0] not in names] if base_manifest else []
    return sorted(own + extra, key=lambda p: p[1])


def _parts_section(manifest: Mapping[str, Any], runs: Mapping[str, WeeklyBands], targets: Targets | None,
                   tr: Translator) -> str:
    """Every metric by part: small multiples in a grid, the legend on each part's first."""
    phases = phases_from_manifest(manifest)
    out = []
    own = list(runs.values())[-1]
    for part in parts_of(own):
        charts = part_charts(runs, part, targets=targets, phases=phases, lang=tr.lang)
        out.append(f"<h3>{_e(part_title(part, tr.lang))}</h3><div class='sm-grid' role='group' "
                   f"aria-label='{_e(tr('part.alt').format(part=part))}'>"
                   + "".join(render(c) for c in charts) + "</div>")
    return "".join(out)


def _capacity_section(weekly: pd.DataFrame, manifest: Mapping[str, Any], tr: Translator) -> str:
    """Fan charts of the places needed (reception, quarantine/isolation, detention) and, under
    inflow bands, the band's spread apart from replication noise."""
    from ..metrics.need import need_table, peak_needs
    from ..scenario.schema import Scenario
    from .fan import BAND_METRIC, band_shares, band_split

    need = manifest.get("need") or {}
    prob, buf = float(need.get("prob", 0.9)), float(need.get("buffer", 0.0))
    try:
        sc = Scenario.model_validate(manifest["scenario"])
    except Exception:  # noqa: BLE001 - an old or foreign manifest: capacities from metrics only
        sc = None
    table = need_table(weekly, prob, buf, sc)
    if table.empty:
        return f"<p>{tr('cap.none')}</p>"
    phases = phases_from_manifest(manifest)
    plus = tr("cap.plus").format(b=f"{buf:.0%}") if buf else ""
    out = [f"<p>{tr('cap.intro').format(p=f'{prob * 100:g}', plus=plus, share=f'{prob:.0%}')}</p>"]
    peaks = peak_needs(table)
    out.append(_table(list(map(_e, peaks.columns)), [[_e(v) for v in r] for r in peaks.itertuples(index=False)]))
    for group in table.group.unique():
        out.append(svg_figure(render(need_chart(table, group, phases=phases, lang=tr.lang)), tr("cap.fan_caption")))
    split = band_split(weekly, "coa.occupancy")
    if split is not None:
        b, n = band_shares(split)
        bands = sc.inflow.bands if sc is not None else None
        names = {round(b.scale, 9): n for n, b in bands.levels.items()} if bands is not None else None
        chart = inflow_band_chart(weekly, "coa.occupancy", BAND_METRIC, labels=names, phases=phases,
                                  title=tr("cap.bands_title"), lang=tr.lang)
        out.append(f"<p>{tr('cap.bands').format(b=f'{b:.0%}', n=f'{n:.0%}')}</p>")
        out.append(svg_figure(render(chart), tr("cap.bands_caption")))
    return "".join(out)


# ------------------------------------------------------------------ assumptions, provenance

def _assumptions_section(manifest: Mapping[str, Any], tr: Translator) -> str:
    sc = manifest.get("scenario") or {}
    notes = [f"<li><b>{_e(p['name'])}</b> ({tr('col.from')} {_e(p.get('start'))}): {_e(p['note'])}</li>"
             for p in sc.get("phases", []) if p.get("note")]
    reps = len(manifest.get("replications", []))
    return (f"<p>{_e(sc.get('description', '')).strip()}</p>"
            + (f"<ul>{''.join(notes)}</ul>" if notes else "")
            + f"<ul class='note'><li>{tr('ass.reps').format(reps=reps)}</li><li>{tr('ass.inputs')}</li>"
            f"<li>{tr('ass.weeks')}</li></ul>"
            f"<details><summary>{tr('ass.yaml')}</summary><pre>"
            + _e(yaml.safe_dump(sc, sort_keys=False, allow_unicode=True)) + "</pre></details>")


def _provenance_rows(m: Mapping[str, Any], tr: Translator) -> list[tuple[str, str]]:
    reps = m.get("replications", [])
    runtimes = [r.get("runtime_s") or 0 for r in reps]
    errors = sum(1 for r in reps if r.get("error"))
    rows = [
        (tr("prov.scenario"), str(m.get("scenario_name"))),
        (tr("prov.hash"), str(m.get("scenario_hash"))),
        (tr("prov.seed"), str(m.get("seed"))),
        (tr("prov.reps"), f"{len(reps)}" + (f" ({tr('prov.failed').format(n=errors)})" if errors else "")),
        (tr("prov.version"), str(m.get("package_version"))),
        (tr("prov.python"), str(m.get("python", "-"))),
        (tr("prov.started"), str(m.get("started_at", "-"))),
        (tr("prov.wall"), tr("prov.wall_value").format(s=m.get("wall_time_s") or 0, w=m.get("workers", "-"))),
        (tr("prov.cpu"), f"{sum(runtimes) / len(runtimes):.2f} s" if runtimes else "-"),
    ]
    if m.get("sweep"):
        sw = m["sweep"]
        rows.append((tr("prov.point"), f"{sw.get('name')} #{sw.get('point')}: "
                                       + ", ".join(f"{k}={v}" for k, v in (sw.get("levers") or {}).items())))
    return rows


def _provenance_section(manifest: Mapping[str, Any], base_manifest: Mapping[str, Any] | None,
                        sources: tuple[str, str | None], tr: Translator) -> str:
    rows = _provenance_rows(manifest, tr) + [(tr("prov.folder"), sources[0])]
    if base_manifest is None:
        return _table(["", tr("col.scenario")], [[_e(k), _e(v)] for k, v in rows], num_from=9)
    brows = dict(_provenance_rows(base_manifest, tr) + [(tr("prov.folder"), sources[1] or "")])
    return _table(["", tr("col.scenario"), tr("col.baseline")],
                  [[_e(k), _e(v), _e(brows.get(k, ""))] for k, v in rows], num_from=9)


# ------------------------------------------------------------------ the page

def _binding(weekly: pd.DataFrame, manifest: Mapping[str, Any], base: pd.DataFrame | None,
             base_manifest: Mapping[str, Any] | None, lang: str) -> list[str]:
    from .binding import RunView, binding_messages

    res = RunView(weekly, dict(manifest))
    try:
        if base is not None and base_manifest and base_manifest.get("scenario") and manifest.get("scenario"):
            levers = changed_paths(manifest["scenario"], base_manifest["scenario"])
            return binding_messages(res, levers, RunView(base, dict(base_manifest)), lang=lang)
        return binding_messages(res, None, None, lang=lang)
    except Exception as exc:  # noqa: BLE001 - a report without the note beats no report
        log.warning("binding constraints not checked: %s", exc)
        return []


def build_report(weekly: pd.DataFrame, manifest: Mapping[str, Any], *, baseline: pd.DataFrame | None = None,
                 base_manifest: Mapping[str, Any] | None = None, targets: Targets | None = None,
                 sources: tuple[str, str | None] = ("", None), lang: str = "en", windows: Any = None,
                 stat: str = "mean", chain: Any = None, every_metric: bool = True) -> str:
    """The report as one HTML string (``lang`` 'en' or 'nl'; ``windows`` as ``--window``;
    ``chain`` the chain overview's window, default where the scenarios differ most;
    ``every_metric=False`` leaves out the small multiples of every metric, the slow part)."""
    tr = translator(lang)
    stat = parse_statistic(stat)
    name = str(manifest.get("scenario_name") or "results")
    bname = str(base_manifest.get("scenario_name") or "baseline") if base_manifest else "baseline"
    if base_manifest is not None and bname == name:
        bname = f"{bname} ({tr('col.baseline')})"
    names = (bname, name)
    scenario = manifest.get("scenario")
    ws = pd.to_datetime(weekly.week_start)
    first, last = ws.min().date(), ws.max().date() + dt.timedelta(days=6)
    iso_a, iso_b = first.isocalendar(), last.isocalendar()
    failed = [r for r in manifest.get("replications", []) if r.get("error")]
    warn = f"<p class='warn'>{tr('report.failed').format(n=len(failed))}</p>" if failed else ""
    cmp = None
    if baseline is not None:
        cmp = side_by_side(weekly, baseline, windows, names=names, stat=stat, scenario=scenario)
    binding = _binding(weekly, manifest, baseline, base_manifest, lang)
    # the weekly summaries behind every chart, computed once per run (the baseline first)
    runs = {names[0]: WeeklyBands(baseline), names[1]: WeeklyBands(weekly)} if baseline is not None \
        else {names[1]: WeeklyBands(weekly)}
    sections = [
        ("headline", tr("sec.headline"), _headline_section(cmp, names, binding, tr)),
        ("changes", tr("sec.changes"), _changes_section(manifest, base_manifest, tr)),
        ("figures", tr("sec.figures"), _key_figures_section(weekly, cmp, names, windows, stat, scenario, tr)),
        ("targets", tr("sec.targets"), _targets_section(weekly, targets, tr)),
        ("plots", tr("sec.plots"), _plots_section(weekly, manifest, runs, baseline, base_manifest, names, targets,
                                                  cmp, chain, windows, tr)),
        ("pressure", tr("sec.pressure"), _pressure_section(weekly, manifest, runs[names[1]], tr)),
        ("capacity", tr("sec.capacity"), _capacity_section(weekly, manifest, tr)),
        ("parts", tr("sec.parts"), _parts_section(manifest, runs, targets, tr) if every_metric else "-"),
        ("assumptions", tr("sec.assumptions"), _assumptions_section(manifest, tr)),
        ("provenance", tr("sec.provenance"), _provenance_section(manifest, base_manifest, sources, tr)),
    ]
    against = tr("report.against").format(base=_e(bname)) if baseline is not None else ""
    sub = tr("report.sub").format(
        name=_e(name), against=against, reps=weekly.replication.nunique(), a=f"{iso_a[0]}-W{iso_a[1]:02d}",
        b=f"{iso_b[0]}-W{iso_b[1]:02d}", first=_e(tr.date(first)), last=_e(tr.date(last)),
        now=_e(tr.date(dt.date.today()) + dt.datetime.now().strftime(" %H:%M")),
        version=_e(manifest.get("package_version", "")))
    return page(f"{tr('report.title')}: {name}", sub, sections, lang, warn, css=CHART_CSS)
