"""The HTML report for policy staff: one self-contained file (images as base64 PNG, inline
CSS, no scripts, no network) built from stored results, optionally against a baseline.

Sections: what the scenario changes relative to the baseline (the resolved scenarios of both
manifests, phases included), key figures with 95% intervals, the letter's targets, the
plots, the assumptions and the provenance.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import io
import logging
import math
import os
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import yaml

from .plots import parts, phases_from_manifest, plot_chain, plot_compare, plot_occupancy, plot_part, plot_series
from .summary import fmt_ci, resolve_windows, side_by_side, summarize
from .targets import Targets, compare

log = logging.getLogger(__name__)

# Figures of the report, in order: (label, metrics summed per week)
REPORT_SERIES = [
    ("Physical hearings per week", ["ind.hearings_physical"]),
    ("Video hearings (telehoren) per week", ["ind.hearings_video"]),
    ("Demonstrable departures per week (independent + forced)",
     ["dtv.departures_independent", "dtv.departures_forced"]),
    ("IND backlog (persons waiting)", ["ind.backlog"]),
    ("Median lead time of decisions (days)", ["ind.lead_time_median_days"]),
    ("Dublin transfers per week", ["dublin.transfers"]),
    ("Persons in detention", ["detention.population"]),
    ("Detected infections in reception per week", ["health.new_detected"]),
    ("Persons who needed a quarantine place and got none", ["health.quarantine_shortfall"]),
]

CHAIN_WINDOW_CHOICES = [("2020-W27", "2020-W37"), ("2020-W12", "2020-W17"), ("2020-W01", "2020-W11")]

CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;max-width:1100px;
margin:0 auto;padding:24px 28px;line-height:1.45;background:#fff}
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #1f5fa8;
padding-bottom:.2em}h3{font-size:1.05em;margin:1.3em 0 .4em}
.sub{color:#555;margin:0 0 1em}.note{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.88em}
th,td{border-bottom:1px solid #ddd;padding:4px 9px;text-align:left;vertical-align:top}
th{background:#f2f5f9}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ok{color:#1e7b34;font-weight:600}.no{color:#b3261e;font-weight:600}
.pos{color:#1e5fa8}.neg{color:#b3261e}
figure{margin:1em 0 1.6em}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}
code,pre{font-family:Menlo,Consolas,monospace;font-size:.85em}pre{background:#f7f7f7;padding:10px;
overflow:auto;max-height:420px}
.warn{background:#fff4e5;border-left:4px solid #e69500;padding:8px 12px}
nav a{margin-right:1em}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def png_data_uri(fig: Any, dpi: int = 96) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(fig: Any, alt: str, caption: str = "") -> str:
    cap = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{png_data_uri(fig)}" alt="{_e(alt)}">{cap}</figure>'


def _table(header: list[str], rows: list[list[str]], num_from: int = 1) -> str:
    """Rows of already escaped cells; columns from ``num_from`` on are right-aligned."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{c}</td>' if i >= num_from else f"<td>{c}</td>"
                         for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ------------------------------------------------------------------ what the scenario changes

def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings and lists as dotted paths -> scalar values."""
    out: dict[str, Any] = {}
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(v, (Mapping, list)) for v in obj):
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = obj
    return out


def scenario_diff(scenario: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Differences between two resolved scenarios: base parameters (``parameters``) and the
    policy timeline matched by phase name (``phases``: start and overrides)."""
    skip = {"name", "description", "replications"}
    a = flatten({k: v for k, v in baseline.items() if k not in skip | {"phases"}})
    b = flatten({k: v for k, v in scenario.items() if k not in skip | {"phases"}})
    params = [{"path": k, "baseline": a.get(k, "-"), "scenario": b.get(k, "-")}
              for k in sorted(set(a) | set(b)) if a.get(k, "-") != b.get(k, "-")]
    pa = {p["name"]: p for p in baseline.get("phases", [])}
    pb = {p["name"]: p for p in scenario.get("phases", [])}
    run_a, run_b = dict(a), dict(b)  # values in force, updated phase by phase
    phases = []
    for name in _phase_order(baseline, scenario):
        x, y = pa.get(name), pb.get(name)
        sx, sy = (x or {}).get("set") or {}, (y or {}).get("set") or {}
        run_a.update(sx)
        run_b.update(sy)
        if x is None or y is None:
            phases.append({"phase": name, "what": "phase only in " + ("scenario" if x is None else "baseline"),
                           "baseline": _phase_text(x), "scenario": _phase_text(y)})
            continue
        if x.get("start") != y.get("start"):
            phases.append({"phase": name, "what": "start", "baseline": x.get("start"), "scenario": y.get("start")})
        for key in list(dict.fromkeys(list(sx) + list(sy))):
            if sx.get(key, "-") != sy.get(key, "-"):
                phases.append({"phase": name, "what": key,
                               "baseline": _in_force(sx, run_a, key), "scenario": _in_force(sy, run_b, key)})
    return {"parameters": params, "phases": phases}


def _phase_order(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    starts = {p["name"]: str(p.get("start")) for p in list(a.get("phases", [])) + list(b.get("phases", []))}
    return sorted(starts, key=lambda n: starts[n])


def _in_force(phase_set: Mapping[str, Any], running: Mapping[str, Any], key: str) -> str:
    """The value set in the phase, or the value still in force (marked as unchanged)."""
    if key in phase_set:
        return str(phase_set[key])
    return f"{running.get(key, '-')} (unchanged)"


def _phase_text(p: Mapping[str, Any] | None) -> str:
    if p is None:
        return "-"
    sets = ", ".join(f"{k}={v}" for k, v in (p.get("set") or {}).items())
    return f"from {p.get('start')}" + (f": {sets}" if sets else "")


def _changes_section(manifest: Mapping[str, Any], base_manifest: Mapping[str, Any] | None) -> str:
    sc = manifest.get("scenario") or {}
    if base_manifest is None:
        rows = [[_e(p.get("start")), _e(p["name"]),
                 _e(", ".join(f"{k} = {v}" for k, v in (p.get("set") or {}).items()) or "-"),
                 _e(p.get("note", ""))] for p in sc.get("phases", [])]
        return ("<p>No baseline given (<code>--baseline DIR</code>): the policy timeline of this scenario.</p>"
                + _table(["from", "phase", "changes (cumulative)", "note"], rows, num_from=9))
    diff = scenario_diff(sc, base_manifest.get("scenario") or {})
    out = [f"<p>Relative to the baseline <b>{_e(base_manifest.get('scenario_name'))}</b>:</p>"]
    if not diff["parameters"] and not diff["phases"]:
        out.append("<p>The two resolved scenarios are the same (only name or replications differ).</p>")
    if diff["parameters"]:
        out.append("<h3>Parameters (before any phase changes them)</h3>")
        out.append(_table(["parameter", "baseline", "scenario"],
                          [[f"<code>{_e(d['path'])}</code>", _e(d["baseline"]), f"<b>{_e(d['scenario'])}</b>"]
                           for d in diff["parameters"]], num_from=9))
    if diff["phases"]:
        out.append("<h3>Policy timeline</h3>")
        out.append(_table(["phase", "parameter", "baseline", "scenario"],
                          [[_e(d["phase"]), f"<code>{_e(d['what'])}</code>", _e(d["baseline"]),
                            f"<b>{_e(d['scenario'])}</b>"] for d in diff["phases"]], num_from=9))
    return "".join(out)


# ------------------------------------------------------------------ key figures and targets

def _fmt_diff(d: float) -> str:
    if math.isnan(d):
        return "-"
    return "0" if abs(d) < 0.5 else f"{d:+,.0f}"


def _key_figures_section(weekly: pd.DataFrame, base: pd.DataFrame | None, names: tuple[str, str]) -> str:
    note = ("<p class='note'>Mean over replications of the weekly mean in each window of the letter, "
            "± the half-width of its 95% interval. Only windows inside the simulated weeks are shown.</p>")
    if base is None:
        s = summarize(weekly)
        if s.empty:
            return "<p>No window of the letter lies inside the simulated weeks.</p>"
        windows = list(dict.fromkeys(s.window))
        rows = []
        for fig, grp in s.groupby("figure", sort=False):
            cells = {r.window: fmt_ci(r.mean, r.ci_low, r.ci_high) for r in grp.itertuples()}
            rows.append([_e(fig)] + [_e(cells.get(w, "-")) for w in windows])
        return note + _table(["figure"] + [_e(w) for w in windows], rows)
    s = side_by_side(weekly, base, names=names)
    if s.empty:
        return "<p>No window of the letter lies inside the simulated weeks of both runs.</p>"
    b, c = names
    rows = []
    previous = None
    for r in s.itertuples(index=False):
        d = r.difference
        cls = "" if (math.isnan(d) or abs(d) < 0.5) else (" class='pos'" if d > 0 else " class='neg'")
        first = r.figure != previous
        previous = r.figure
        rows.append([f"<b>{_e(r.figure)}</b>" if first else "", _e(r.window),
                     _e(fmt_ci(r.baseline_mean, r.baseline_ci_low, r.baseline_ci_high)),
                     _e(fmt_ci(r.scenario_mean, r.scenario_ci_low, r.scenario_ci_high)),
                     f"<span{cls}>{_fmt_diff(d)}</span>"
                     + (f" [{_fmt_diff(r.difference_ci_low)}, {_fmt_diff(r.difference_ci_high)}]"
                        if not math.isnan(r.difference_ci_low) else "")])
    return (note + "<p class='note'>Difference = scenario mean - baseline mean, with the 95% interval of "
            "the paired per-replication differences: both runs use the same seeds (common random "
            "numbers), so replication r of each shares its random numbers.</p>"
            + _table(["figure", "window", f"baseline: {_e(b)}", f"scenario: {_e(c)}", "difference"], rows,
                     num_from=2))


def _targets_section(weekly: pd.DataFrame, targets: Targets | None) -> str:
    if targets is None:
        return "<p>No targets file.</p>"
    inside = [t for t in targets.targets if resolve_windows(weekly, {t.id: (t.window.start, t.window.end)})]
    outside = [t.id for t in targets.targets if t not in inside]
    if not inside:
        return "<p>None of the letter's targets lies inside the simulated weeks.</p>"
    chk = compare(weekly, Targets(source=targets.source, targets=inside))
    rows = []
    for r in chk.itertuples():
        rows.append([_e(r.id), _e(r.label), f"{r.letter:,.0f}", _e(fmt_ci(r.mean, r.ci_low, r.ci_high)),
                     f"{r.rel_error:+.1%}" if not math.isnan(r.rel_error) else "-", f"±{r.tolerance:.0%}",
                     "<span class='ok'>yes</span>" if r.ok else "<span class='no'>no</span>"])
    extra = (f"<p class='note'>Targets outside the simulated weeks: {_e(', '.join(outside))}.</p>"
             if outside else "")
    return (f"<p class='note'>Source: {_e(targets.source)}. The letter describes 2020 as it happened: "
            "the baseline should match it, a what-if may rightly differ.</p>"
            + _table(["id", "figure", "letter", "simulated (95% interval)", "error", "tolerance", "within"],
                     rows, num_from=2) + extra)


# ------------------------------------------------------------------ plots

def _plots_section(weekly: pd.DataFrame, manifest: Mapping[str, Any], base: pd.DataFrame | None,
                   names: tuple[str, str], targets: Targets | None) -> str:
    phases = phases_from_manifest(manifest)
    present = set(weekly.metric.unique())
    out = []
    band = ("Line: mean over replications; band: the central 90% of replications; red: the letter's "
            "figure over its window; grey lines and shading: policy phases.")
    for label, metrics in REPORT_SERIES:
        if not set(metrics) <= present:
            continue
        if base is not None and set(metrics) <= set(base.metric.unique()):
            ax = plot_compare({names[0]: base, names[1]: weekly}, metrics, targets=targets, phases=phases,
                              title=label)
        else:
            ax = plot_series(weekly, metrics, targets=targets, phases=phases, title=label)
        out.append(_figure(ax.figure, label, band))
    if "coa.occupancy" in present:
        out.append(_figure(plot_occupancy(weekly, phases=phases).figure, "COA occupancy against places",
                           "COA occupancy at week end (mean, 90% band) against the places available."))
    window = next((w for w in CHAIN_WINDOW_CHOICES if resolve_windows(weekly, {"w": w})), None)
    try:
        ax = plot_chain(weekly, window)
        out.append(_figure(ax.figure, "chain overview",
                           "Band widths proportional to mean persons per week; stocks at the window's end. "
                           "Forced departures include Dublin transfers carried out by force."))
        if base is not None:
            ax = plot_chain(base, window, title=f"Baseline ({names[0]}): " + ax.get_title(loc="left"))
            out.append(_figure(ax.figure, "chain overview of the baseline", "The same for the baseline."))
    except KeyError as exc:
        log.info("no chain overview: %s", exc)
    return "".join(out)


def _pressure_section(weekly: pd.DataFrame, manifest: Mapping[str, Any]) -> str:
    from .pressure import has_pressure, plot_pressure, pressure_rows

    if not has_pressure(weekly):
        return "<p class='note'>No reception-network metrics in these results.</p>"
    table = _table(["figure", "mean", "peak", "places (mean)", "places (peak)"], pressure_rows(weekly))
    fig = plot_pressure(weekly, phases_from_manifest(manifest))
    return (table + _figure(fig, "reception pressure",
                            "Occupancy by stage against its places (COL: the agreed limit); mean over the run "
                            "and peak week, mean [95% interval] over replications."))


def _parts_section(weekly: pd.DataFrame, manifest: Mapping[str, Any], base: pd.DataFrame | None,
                   names: tuple[str, str], targets: Targets | None) -> str:
    phases = phases_from_manifest(manifest)
    out = []
    for part in parts(weekly):
        fig = plot_part(weekly, part, targets=targets, phases=phases, baseline=base, names=names)
        out.append(_figure(fig, f"all metrics of {part}"))
    return "".join(out)


def _capacity_section(weekly: pd.DataFrame, manifest: Mapping[str, Any]) -> str:
    """Fan charts of the places needed (reception, quarantine/isolation, detention) and, under
    inflow bands, the band's spread apart from replication noise."""
    from ..metrics.need import need_table, peak_needs
    from ..scenario.schema import Scenario
    from .fan import band_shares, band_split, plot_bands, plot_need

    need = manifest.get("need") or {}
    prob, buf = float(need.get("prob", 0.9)), float(need.get("buffer", 0.0))
    try:
        sc = Scenario.model_validate(manifest["scenario"])
    except Exception:  # noqa: BLE001 - an old or foreign manifest: capacities from metrics only
        sc = None
    table = need_table(weekly, prob, buf, sc)
    if table.empty:
        return "<p>No occupancy metrics in these results.</p>"
    phases = phases_from_manifest(manifest)
    out = [f"<p>Places needed per week at P{prob * 100:g}{f' plus {buf:.0%}' if buf else ''}: in at least "
           f"{prob:.0%} of the replications this many places would have sufficed (week-end persons "
           "needing a place; quarantine includes those left unplaced).</p>"]
    peaks = peak_needs(table)
    out.append(_table(list(map(_e, peaks.columns)), [[_e(v) for v in r] for r in peaks.itertuples(index=False)]))
    for group in table.group.unique():
        ax = plot_need(table, group, phases=phases)
        out.append(_figure(ax.figure, f"required {group} places", "Band: P10-P90 of the demand over "
                           "replications; line: median; dashed: the need at the chosen certainty; "
                           "black: capacity in place."))
    split = band_split(weekly, "coa.occupancy")
    if split is not None:
        b, n = band_shares(split)
        bands = sc.inflow.bands if sc is not None else None
        names = {round(b.scale, 9): n for n, b in bands.levels.items()} if bands is not None else None
        ax = plot_bands(weekly, "coa.occupancy", labels=names, phases=phases, title="COA occupancy by inflow band")
        out.append(f"<p>Two sources of spread in COA occupancy over the last 13 weeks: the inflow band "
                   f"(an assumption, sampled per replication) {b:.0%} of the variance, replication noise "
                   f"{n:.0%}.</p>")
        out.append(_figure(ax.figure, "occupancy by inflow band", "One line per inflow band (mean); the "
                           "shaded band around it is the 10-90% spread of its replications."))
    return "".join(out)


# ------------------------------------------------------------------ assumptions, provenance

def _assumptions_section(manifest: Mapping[str, Any]) -> str:
    sc = manifest.get("scenario") or {}
    notes = [f"<li><b>{_e(p['name'])}</b> (from {_e(p.get('start'))}): {_e(p['note'])}</li>"
             for p in sc.get("phases", []) if p.get("note")]
    reps = len(manifest.get("replications", []))
    return (f"<p>{_e(sc.get('description', '')).strip()}</p>"
            + (f"<ul>{''.join(notes)}</ul>" if notes else "")
            + "<ul class='note'>"
            f"<li>Every figure comes from {reps} replications of a stochastic simulation of individual "
            "persons and households; intervals show the uncertainty of the mean over those replications, "
            "bands the spread between them. More replications give narrower intervals.</li>"
            "<li>Inflows, capacities and rates are inputs of the scenario (see below); the baseline is "
            "calibrated to the letter of 5 October 2020. A what-if changes only what the scenario says.</li>"
            "<li>Weeks are ISO weeks; stocks are counted at the end of a week, flows over the week.</li>"
            "</ul>"
            "<details><summary>The full resolved scenario (YAML)</summary><pre>"
            + _e(yaml.safe_dump(sc, sort_keys=False, allow_unicode=True)) + "</pre></details>")


def _provenance_rows(m: Mapping[str, Any]) -> list[tuple[str, str]]:
    reps = m.get("replications", [])
    runtimes = [r.get("runtime_s", 0) for r in reps]
    errors = sum(1 for r in reps if r.get("error"))
    return [
        ("scenario", str(m.get("scenario_name"))),
        ("scenario hash", str(m.get("scenario_hash"))),
        ("root seed", str(m.get("seed"))),
        ("replications", f"{len(reps)}" + (f" ({errors} failed)" if errors else "")),
        ("ketensim version", str(m.get("package_version"))),
        ("Python", str(m.get("python"))),
        ("started at", str(m.get("started_at"))),
        ("wall time", f"{m.get('wall_time_s', 0):.1f} s on {m.get('workers')} worker(s)"),
        ("runtime per replication", f"{sum(runtimes) / len(runtimes):.2f} s" if runtimes else "-"),
    ]


def _provenance_section(manifest: Mapping[str, Any], base_manifest: Mapping[str, Any] | None,
                        sources: tuple[str, str | None]) -> str:
    rows = _provenance_rows(manifest) + [("results folder", sources[0])]
    if base_manifest is None:
        return _table(["", "scenario"], [[_e(k), _e(v)] for k, v in rows], num_from=9)
    brows = dict(_provenance_rows(base_manifest) + [("results folder", sources[1] or "")])
    return _table(["", "scenario", "baseline"], [[_e(k), _e(v), _e(brows.get(k, ""))] for k, v in rows],
                  num_from=9)


# ------------------------------------------------------------------ the page

def build_report(weekly: pd.DataFrame, manifest: Mapping[str, Any], *, baseline: pd.DataFrame | None = None,
                 base_manifest: Mapping[str, Any] | None = None, targets: Targets | None = None,
                 sources: tuple[str, str | None] = ("", None)) -> str:
    """The report as one HTML string."""
    name = str(manifest.get("scenario_name") or "results")
    bname = str(base_manifest.get("scenario_name") or "baseline") if base_manifest else "baseline"
    if base_manifest is not None and bname == name:
        bname = f"{bname} (baseline)"
    names = (bname, name)
    ws = pd.to_datetime(weekly.week_start)
    first, last = ws.min().date(), ws.max().date() + dt.timedelta(days=6)
    iso_a, iso_b = first.isocalendar(), last.isocalendar()
    reps = weekly.replication.nunique()
    failed = [r for r in manifest.get("replications", []) if r.get("error")]
    warn = (f"<p class='warn'>{len(failed)} replication(s) failed and are left out; their errors are in "
            "manifest.json.</p>" if failed else "")
    against = f" compared with <b>{_e(bname)}</b>" if baseline is not None else ""
    sections = [
        ("changes", "What this scenario changes", _changes_section(manifest, base_manifest)),
        ("figures", "Key figures", _key_figures_section(weekly, baseline, names)),
        ("targets", "The letter's figures", _targets_section(weekly, targets)),
        ("plots", "Plots", _plots_section(weekly, manifest, baseline, names, targets)),
        ("pressure", "Reception pressure", _pressure_section(weekly, manifest)),
        ("capacity", "Required capacity", _capacity_section(weekly, manifest)),
        ("parts", "Every metric, by part of the chain", _parts_section(weekly, manifest, baseline, names, targets)),
        ("assumptions", "Assumptions", _assumptions_section(manifest)),
        ("provenance", "Provenance", _provenance_section(manifest, base_manifest, sources)),
    ]
    nav = "".join(f'<a href="#{k}">{_e(t)}</a>' for k, t, _ in sections)
    body = "".join(f'<h2 id="{k}">{_e(t)}</h2>{content}' for k, t, content in sections)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ketensim report: {_e(name)}</title><style>{CSS}</style></head>
<body>
<h1>ketensim report: {_e(name)}</h1>
<p class="sub">Scenario <b>{_e(name)}</b>{against}: {reps} replications, ISO weeks
{iso_a[0]}-W{iso_a[1]:02d} to {iso_b[0]}-W{iso_b[1]:02d} ({_e(first)} to {_e(last)}).
Generated {_e(dt.datetime.now().strftime('%Y-%m-%d %H:%M'))} by ketensim {_e(manifest.get('package_version', ''))}.</p>
{warn}<nav>{nav}</nav>
{body}
</body></html>
"""


def write_report(results_dir: str | os.PathLike[str], baseline: str | os.PathLike[str] | None = None,
                 out: str | os.PathLike[str] | None = None, targets: Targets | None = None) -> Path:
    """Read stored results (and a baseline's), write the report; returns its path (default
    ``RESULTS_DIR/report.html``)."""
    from ..experiment.store import read_results

    weekly, manifest = read_results(results_dir)
    base_weekly = base_manifest = None
    if baseline is not None:
        base_weekly, base_manifest = read_results(baseline)
    page = build_report(weekly, manifest, baseline=base_weekly, base_manifest=base_manifest, targets=targets,
                        sources=(str(results_dir), None if baseline is None else str(baseline)))
    path = Path(out) if out else Path(results_dir) / "report.html"
    from ..experiment.store import atomic_write

    atomic_write(path, lambda p: p.write_text(page, encoding="utf-8"))  # no .tmp left on a full disk
    return path
