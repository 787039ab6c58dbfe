"""The report's weekly charts, built from the shared summaries (``WeeklyBands``) and drawn
as inline SVG (``svgchart``): what ``plots.plot_series`` / ``plot_compare`` /
``plot_occupancy`` / ``plot_part``, ``pressure.plot_pressure`` and ``fan.plot_need`` /
``plot_bands`` draw with matplotlib, without computing a summary twice or rasterising.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..analysis.targets import Targets
from ..analysis.weekly_bands import WeeklyBands
from .i18n import TEXT, translator
from .labels import figure_label, metric_group
from .svgchart import Chart, Series

Phases = Iterable[tuple[str, dt.date]] | None
SMALL = (360, 236)
LARGE = (800, 340)


def _small_title(metric: str, lang: str) -> list[str]:
    """A small multiple's title: the label with its unit, and the id when they differ."""
    label = figure_label(metric, lang)
    return [label] if label.startswith(metric) else [label, metric]


def band_series(runs: Mapping[str, WeeklyBands], metrics: str | Sequence[str], lang: str) -> list[Series]:
    """Each run's mean and band of a figure (the baseline first, dashed, when there are two)."""
    tr = translator(lang)
    out = []
    for i, (name, wb) in enumerate(runs.items()):
        b = wb.band(metrics)
        share = f"{b.share:.0%}"
        label = (tr("plot.scenario_band").format(name=name, band=share) if len(runs) > 1
                 else tr("plot.mean") + " · " + tr("plot.band").format(band=share))
        out.append(Series(b.weeks, b.mean, label, kind="band", color=i, low=b.low, high=b.high,
                          dash="da" if i == 0 and len(runs) > 1 else ""))
    return out


def series_chart(runs: Mapping[str, WeeklyBands], metrics: str | Sequence[str], *, targets: Targets | None = None,
                 phases: Phases = None, title: str | Sequence[str] | None = None, lang: str = "en",
                 small: bool = False, legend: bool = True) -> Chart:
    """A figure's weekly mean and band per run, with the letter's values and the phases."""
    runs = {n: wb for n, wb in runs.items() if wb.has(metrics)}
    head = [title] if isinstance(title, str) else list(title or [figure_label(metrics, lang)])
    return Chart(head, band_series(runs, metrics, lang), letter=letter_of(targets, metrics), phases=phases,
                 lang=lang, size=SMALL if small else LARGE, legend=legend, alt=" ".join(head))


def letter_of(targets: Targets | None, metrics: str | Sequence[str]) -> list[dict[str, Any]]:
    from .plots import letter_segments

    return letter_segments(targets, metrics)


def occupancy_chart(run: WeeklyBands, *, phases: Phases = None, baseline: WeeklyBands | None = None,
                    names: tuple[str, str] = ("baseline", "scenario"), lang: str = "en") -> Chart:
    """COA occupancy (mean, band) against the places, the persons in emergency locations when
    there are any, and the baseline's occupancy (dashed) when given."""
    tr = translator(lang)
    occ = run.band("coa.occupancy")
    own = 1 if baseline is not None else 0
    label = tr("plot.occupancy_of").format(name=names[1]) if baseline is not None else tr("plot.occupancy")
    out = [Series(occ.weeks, occ.mean, label, kind="band", color=own, low=occ.low, high=occ.high)]
    if baseline is not None and "coa.occupancy" in baseline:
        w, m = baseline.weekly_mean("coa.occupancy")
        out.append(Series(w, m, tr("plot.occupancy_of").format(name=names[0]), color=0, dash="da"))
    if "coa.capacity" in run:
        w, m = run.weekly_mean("coa.capacity")
        out.append(Series(w, m, tr("plot.places"), kind="step", color="k", dash="dt"))
    if "coa.emergency_occupancy" in run:
        w, m = run.weekly_mean("coa.emergency_occupancy")
        if np.nanmax(m, initial=0) > 0:
            out.append(Series(w, m, tr("plot.emergency"), color=2))
    head = tr("plot.occupancy_title")
    return Chart([head], out, phases=phases, lang=lang, zero=True, alt=head)


def part_charts(runs: Mapping[str, WeeklyBands], part: str, *, targets: Targets | None = None,
                phases: Phases = None, lang: str = "en") -> list[Chart]:
    """Small multiples of every metric of one report group, against the baseline when one is
    given (``runs`` maps names to summaries, the baseline first); the legend on the first."""
    scenario = list(runs.values())[-1]
    metrics = sorted(str(m) for m in scenario.metrics if metric_group(str(m)) == part)
    if not metrics:
        raise KeyError(f"no metrics of part {part!r} in the results")
    return [series_chart(runs, m, targets=targets, phases=phases, title=_small_title(m, lang), lang=lang,
                         small=True, legend=i == 0) for i, m in enumerate(metrics)]


def parts_of(run: WeeklyBands) -> list[str]:
    """The report groups present in a run, in chain order."""
    from .plots import groups_of

    return groups_of(str(m) for m in run.metrics)


def part_title(part: str, lang: str) -> str:
    key = f"part.{part}"
    return translator(lang)(key) if key in TEXT else part


def pressure_charts(run: WeeklyBands, stages: Mapping[str, tuple[str, str]], phases: Phases = None,
                    lang: str = "en") -> list[Chart]:
    """One chart per reception stage: occupancy (mean, band) against its places; the
    registration centre's also shows the persons above its limit."""
    tr = translator(lang)
    out = []
    for i, (label, (occ, cap)) in enumerate(stages.items()):
        if not run.has([occ, cap]):
            continue
        o = run.band(occ)
        col = occ == "coa.col_occupancy"
        lines = [Series(o.weeks, o.mean, tr("chart.occupancy"), kind="band", low=o.low, high=o.high)]
        w, c = run.weekly_mean(cap)
        lines.append(Series(w, c, tr("chart.limit") if col else tr("plot.places"), kind="step", color="k",
                            dash="da"))
        if col and "coa.col_overflow" in run:
            w, v = run.weekly_mean("coa.col_overflow")
            lines.append(Series(w, v, tr("chart.above_limit"), color="r"))
        key = f"press.row.{label}"
        head = tr(key) if key in TEXT else label
        out.append(Chart([head], lines, phases=phases, lang=lang, size=(800, 250), zero=True, alt=head))
    return out


def need_chart(table: pd.DataFrame, group: str, *, phases: Phases = None, lang: str = "en") -> Chart:
    """P10-P90 band of the demand over replications, the median, the need at the table's
    certainty (with its buffer) and the capacity in place, per week (``metrics.need``)."""
    tr = translator(lang)
    g = table[table.group == group].sort_values("week_start")
    weeks = pd.DatetimeIndex(g.week_start).to_numpy().astype("datetime64[D]")
    prob, buf = float(g.prob.iloc[0]), float(g.buffer.iloc[0])
    extra = tr("chart.buffer").format(b=f"{buf:.0%}") if buf else ""
    lines = [Series(weeks, g["median"].to_numpy(dtype=float), tr("chart.median_p10_p90"), kind="band",
                    low=g.p10.to_numpy(dtype=float), high=g.p90.to_numpy(dtype=float)),
             Series(weeks, g.need.to_numpy(dtype=float), tr("chart.need").format(p=f"{prob * 100:g}", extra=extra),
                    kind="step", color="r", dash="da")]
    if g.capacity.notna().any():
        lines.append(Series(weeks, g.capacity.to_numpy(dtype=float), tr("chart.capacity"), kind="step", color="k"))
    key = f"need.{group}"
    head = tr("chart.required").format(what=tr(key) if key in TEXT else g.label.iloc[0])
    return Chart([head], lines, phases=phases, lang=lang, zero=True, alt=head)


def inflow_band_chart(weekly: pd.DataFrame, metric: str, band_metric: str, *,
                      labels: Mapping[float, str] | None = None, phases: Phases = None, title: str = "",
                      lang: str = "en") -> Chart:
    """One mean line and 10-90% replication band per inflow band (``fan.plot_bands``)."""
    band = weekly[weekly.metric == band_metric].groupby("replication")["value"].first().round(9)
    lines = []
    for i, (scale, reps) in enumerate(sorted(band.groupby(band).groups.items())):
        wb = WeeklyBands(weekly[weekly.replication.isin(list(reps)) & (weekly.metric == metric)], share=0.8)
        b = wb.band(metric)
        name = (labels or {}).get(scale, f"scale {scale:g}")
        lines.append(Series(b.weeks, b.mean, f"{name} ({len(reps)})", kind="band", color=i, low=b.low, high=b.high))
    return Chart([title or metric], lines, phases=phases, lang=lang, alt=title or metric)
