"""The validation report: how well the scenario reproduces what the letter says.

Quantitative targets (replication mean with a 95% interval next to the letter), the letter's
qualitative facts checked one by one on the weekly results, time-series plots with the
letter's values and the phases, and the backtest of a calibration fitted on an early window.
Everything is recomputed from a run by ``ketensim validate``; nothing here is typed in.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..analysis.stats import monday
from ..analysis.targets import Target, Targets, Window, compare, mean_ci, per_replication


@dataclass(frozen=True)
class Fact:
    """A qualitative statement of the letter and how it is checked on weekly results."""

    id: str
    statement: str
    quote: str
    check: Callable[[pd.DataFrame], tuple[bool, str]]


class NotSimulated(Exception):
    """A fact reads weeks that the run did not simulate: it is not checked, rather than
    judged on an empty window."""


def _stat(weekly: pd.DataFrame, metrics: list[str], a: str, b: str, statistic: str = "weekly_mean") -> np.ndarray:
    window = Window.model_validate({"from": a, "to": b})
    weeks = pd.to_datetime(weekly.week_start)
    if weeks.empty or pd.Timestamp(monday(window.start)) < weeks.min() or pd.Timestamp(monday(window.end)) > weeks.max():
        raise NotSimulated(f"{a}..{b}")
    t = Target(id="", label="", metrics=metrics, window=window, statistic=statistic, value=1, tolerance=1)
    return per_replication(weekly, t).to_numpy(dtype=float)


def _fmt(v: np.ndarray) -> str:
    m, lo, hi = mean_ci(v)
    return f"{m:,.1f}" if math.isnan(lo) else f"{m:,.1f} [{lo:,.1f}, {hi:,.1f}]"


def _paired_below(a: np.ndarray, b: np.ndarray) -> bool:
    """a < b per replication on average, with the 95% interval of the difference below 0."""
    m, lo, hi = mean_ci(a - b)
    return bool(hi < 0) if not math.isnan(hi) else bool(m < 0)


def _has(weekly: pd.DataFrame, *metrics: str) -> bool:
    present = set(weekly.metric.unique())
    return all(m in present for m in metrics)


def _nareis_dip(w: pd.DataFrame) -> tuple[bool, str]:
    pre = _stat(w, ["nareis.applications"], "2020-W01", "2020-W11")
    dip = _stat(w, ["nareis.applications"], "2020-W12", "2020-W25")
    after = _stat(w, ["nareis.applications"], "2020-W27", "2020-W37")
    ok = _paired_below(dip, pre) and bool(np.mean(after) >= 0.85 * np.mean(pre))
    return ok, f"weekly mean W01-11 {_fmt(pre)}, W12-25 {_fmt(dip)}, W27-37 {_fmt(after)}"


def _nareis_open_grows(w: pd.DataFrame) -> tuple[bool, str]:
    a = _stat(w, ["nareis.open"], "2020-W11", "2020-W11", "snapshot")
    b = _stat(w, ["nareis.open"], "2020-W26", "2020-W26", "snapshot")
    return _paired_below(a, b), f"open applications end of W11 {_fmt(a)}, end of W26 {_fmt(b)}"


def _dublin(w: pd.DataFrame) -> tuple[bool, str]:
    during = _stat(w, ["dublin.transfers"], "2020-W13", "2020-W26", "sum")
    lapsed = _stat(w, ["dublin.lapsed"], "2020-W13", "2020-W37", "sum")
    after = _stat(w, ["dublin.transfers"], "2020-07-01", "2020-W37", "sum")
    ok = bool(np.all(during == 0)) and bool(np.mean(lapsed) > 0) and bool(np.mean(after) > 0)
    return ok, (f"transfers W13-26 {_fmt(during)}, from 1 July {_fmt(after)}; "
                f"lapsed deadlines W13-37 {_fmt(lapsed)}")


def _quarantine(w: pd.DataFrame) -> tuple[bool, str]:
    demand = _stat(w, ["health.isolated", "health.quarantined"], "2020-W12", "2020-W37")
    short = _stat(w, ["health.quarantine_shortfall"], "2020-W12", "2020-W37", "sum")
    ok = bool(np.mean(demand) > 0)
    return ok, (f"persons in isolation/quarantine (weekly mean W12-37) {_fmt(demand)}; "
                f"persons without a place W12-37 {_fmt(short)}")


def _telehoren(w: pd.DataFrame) -> tuple[bool, str]:
    before = _stat(w, ["ind.hearings_video"], "2020-W01", "2020-W17", "sum")
    after = _stat(w, ["ind.hearings_video"], "2020-W19", "2020-W37")
    ok = bool(np.all(before == 0)) and bool(np.mean(after) > 0)
    return ok, f"video hearings W01-17 {_fmt(before)} in all; from W19 {_fmt(after)} a week"


def _t3(w: pd.DataFrame) -> tuple[bool, str]:
    metrics = ["ind.hearings_physical", "ind.hearings_video"]
    pre, rec = _stat(w, metrics, "2020-W01", "2020-W11"), _stat(w, metrics, "2020-W27", "2020-W37")
    ratio = rec / pre
    ok = bool(0.8 <= np.mean(ratio) <= 1.0)
    return ok, f"hearings a week W27-37 {_fmt(rec)} vs W01-11 {_fmt(pre)} (ratio {np.mean(ratio):.2f})"


def _detention(w: pd.DataFrame) -> tuple[bool, str]:
    start = _stat(w, ["detention.population"], "2020-W02", "2020-W02", "snapshot")
    end = _stat(w, ["detention.population"], "2020-W37", "2020-W37", "snapshot")
    return _paired_below(end, start), f"in detention end of W02 {_fmt(start)}, end of W37 {_fmt(end)}"


def _resettlement(w: pd.DataFrame) -> tuple[bool, str]:
    during = _stat(w, ["resettlement.arrivals"], "2020-W13", "2020-W42", "sum")
    return bool(np.mean(during) <= 10), f"resettlement arrivals W13-42 {_fmt(during)} in all"


def _coa(w: pd.DataFrame) -> tuple[bool, str]:
    occ = _stat(w, ["coa.occupancy"], "2020-W27", "2020-W37")
    return bool(abs(np.mean(occ) / 27_000 - 1) <= 0.05), f"COA occupancy W27-37 {_fmt(occ)} (letter ~27,000, ±5%)"


def _zoutkamp(w: pd.DataFrame) -> tuple[bool, str]:
    """Newcomers in the emergency location only in the first wave: none before week 12, some
    in weeks 13-17, none from week 23 (no newcomers after 12 May, then the 14-day stay)."""
    pre = _stat(w, ["coa.emergency_occupancy"], "2020-W01", "2020-W11")
    lock = _stat(w, ["coa.emergency_occupancy"], "2020-W13", "2020-W17")
    late = _stat(w, ["coa.emergency_occupancy"], "2020-W23", "2020-W53")
    ok = bool(np.all(pre == 0) and np.mean(lock) > 0 and np.all(late == 0))
    return ok, (f"emergency location occupancy W01-11 {_fmt(pre)}, W13-17 {_fmt(lock)}, "
                f"W23 on {_fmt(late)}")


def _mvv(w: pd.DataFrame) -> tuple[bool, str]:
    a = _stat(w, ["mvv.backlog"], "2020-W11", "2020-W11", "snapshot")
    b = _stat(w, ["mvv.backlog"], "2020-W20", "2020-W20", "snapshot")
    return _paired_below(a, b), f"uncollected/undecided MVVs end of W11 {_fmt(a)}, end of W20 {_fmt(b)}"


FACTS = [
    Fact("Q1", "Hearings in weeks 27-37 are almost back at the pre-COVID level (T3)",
         "grotendeels weer bijna op het pre-COVID-19 niveau", _t3),
    Fact("Q2", "Telehoren starts in May 2020; before it there were no video hearings",
         "telehoren van asielzoekers via een beveiligde videoverbinding", _telehoren),
    Fact("Q3", "Nareis applications dip in weeks 12-25 and are back at the pre-COVID level after",
         "aantal nareisaanvragen ... weer op het niveau van voor de COVID-19-crisis", _nareis_dip),
    Fact("Q4", "Open nareis applications grow while interviews and DNA tests are postponed",
         "gehoren en DNA-onderzoeken ... uitgesteld", _nareis_open_grows),
    Fact("Q5", "Dublin transfers stop, resume on 1 July; deadlines lapse meanwhile",
         "Dublinoverdrachten ... hervat ... leiden er in enkele gevallen toe dat ... termijn verstrijkt",
         _dublin),
    Fact("Q6", "Detention shrinks during the pandemic but stays (prospect of removal)",
         "circa 210 personen in vreemdelingenbewaring", _detention),
    Fact("Q7", "Isolation and quarantine places are needed in the locations; demand is counted",
         "quarantaine- en isolatieplekken op de locaties", _quarantine),
    Fact("Q8", "Resettlement travel is suspended (no arrivals until the October charter)",
         "hervestiging ... opgeschort", _resettlement),
    Fact("Q9", "COA reception stays near 27,000 residents",
         "op een totale populatie van ongeveer 27.000 personen", _coa),
    Fact("Q10", "A temporary emergency location (Zoutkamp) takes newcomers only in the first wave",
         "noodonderdaklocatie in Zoutkamp", _zoutkamp),
    Fact("Q11", "Entry visas cannot be collected while consulates are closed: a backlog builds",
         "mvv ... niet kon worden opgehaald", _mvv),
]

FACT_METRICS = {
    "Q1": ["ind.hearings_physical", "ind.hearings_video"], "Q2": ["ind.hearings_video"], "Q3": ["nareis.applications"],
    "Q4": ["nareis.open"], "Q5": ["dublin.transfers", "dublin.lapsed"],
    "Q6": ["detention.population"], "Q7": ["health.isolated", "health.quarantined"],
    "Q8": ["resettlement.arrivals"], "Q9": ["coa.occupancy"], "Q10": ["coa.emergency_occupancy"],
    "Q11": ["mvv.backlog"],
}


def check_facts(weekly: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for f in FACTS:
        if not _has(weekly, *FACT_METRICS[f.id]):
            rows.append({"id": f.id, "statement": f.statement, "ok": False, "evidence": "metric missing",
                         "quote": f.quote})
            continue
        try:
            ok, evidence = f.check(weekly)
        except NotSimulated as gap:
            ok, evidence = False, f"not checked: it reads weeks {gap} that the run did not simulate"
        rows.append({"id": f.id, "statement": f.statement, "ok": ok, "evidence": evidence, "quote": f.quote})
    return pd.DataFrame(rows)


PLOTS = [
    ("hearings-physical", ["ind.hearings_physical"]),
    ("hearings-video", ["ind.hearings_video"]),
    ("departures", ["dtv.departures_independent", "dtv.departures_forced"]),
    ("forced-origin", ["dtv.departures_forced_origin"]),
    ("dublin-transfers", ["dublin.transfers"]),
    ("detention", ["detention.population"]),
    ("detected-cases", ["health.new_detected"]),
    ("isolation-quarantine", ["health.isolated", "health.quarantined"]),
    ("quarantine-shortfall", ["health.quarantine_shortfall"]),
    ("nareis-applications", ["nareis.applications"]),
    ("nareis-open", ["nareis.open"]),
    ("resettlement-waiting", ["resettlement.waiting"]),
    ("coa-occupancy", ["coa.occupancy"]),
    ("ind-backlog", ["ind.backlog"]),
]


def write_plots(weekly: pd.DataFrame, manifest: dict, targets: Targets, out: Path) -> list[tuple[str, str]]:
    from ..report import plots

    phases = plots.phases_from_manifest(manifest)
    made = []
    present = set(weekly.metric.unique())
    for name, metrics in PLOTS:
        if not all(m in present for m in metrics):
            continue
        fig = plots.new_figure((8, 3.4))
        ax = fig.add_subplot(1, 1, 1)
        plots.plot_series(weekly, metrics if len(metrics) > 1 else metrics[0], ax=ax, targets=targets,
                          phases=phases)
        fig.savefig(out / f"{name}.png", dpi=96, bbox_inches="tight")
        made.append((name, plots.label_of(metrics if len(metrics) > 1 else metrics[0])))
    return made


def _md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def write_validation(weekly: pd.DataFrame, manifest: dict, targets: Targets, out: Path,
                     command: str, backtest: Path | None = None) -> dict:
    """Write the report (README.md, targets.csv, facts.csv, PNGs) as one set
    (``experiment.fileset``: an interrupted write leaves the earlier report as it was; the
    folder's other outputs are not touched) and return a summary."""
    from ..experiment.fileset import write_set

    summary: dict = {}
    write_set(out, lambda folder: summary.update(_write_validation(weekly, manifest, targets, folder, command,
                                                                   backtest, Path(out))))
    return summary


def _write_validation(weekly: pd.DataFrame, manifest: dict, targets: Targets, out: Path,
                      command: str, backtest: Path | None, home: Path) -> dict:
    """``write_validation`` into ``out`` (a fresh folder); ``home`` is where the report
    goes, whose sensitivity screening it quotes."""
    table = compare(weekly, targets)
    table.to_csv(out / "targets.csv", index=False)
    facts = check_facts(weekly)
    facts.to_csv(out / "facts.csv", index=False)
    figs = write_plots(weekly, manifest, targets, out)
    reps = int(weekly.replication.nunique())
    quotes = {t.id: t.quote for t in targets.targets}
    shown = pd.DataFrame({
        "id": table.id, "target": table.label, "letter": table.letter.map("{:,.0f}".format),
        "simulated mean [95% CI]": [f"{m:,.1f} [{lo:,.1f}, {hi:,.1f}]" for m, lo, hi
                                    in zip(table["mean"], table.ci_low, table.ci_high)],
        "error": table.rel_error.map("{:+.1%}".format), "tolerance": table.tolerance.map("±{:.0%}".format),
        "ok": table.ok.map({True: "yes", False: "NO"}), "quote": table.id.map(quotes),
    })
    lines = [
        "# Validation of the baseline against the letter of 5 October 2020", "",
        f"Regenerate with `{command}`. Scenario `{manifest.get('scenario_name')}` "
        f"(hash {manifest.get('scenario_hash')}), {reps} replications, seed {manifest.get('seed')}, "
        f"ketensim {manifest.get('package_version')}, generated {dt.date.today().isoformat()}.", "",
        "## Quantitative targets (T1-T12)", "",
        "Replication mean with its 95% t-interval; the tolerance is the one in "
        "`scenarios/targets/letter-2020-10-05.yaml`. T13 (the 2021 resettlement plan: 500 + 1,000) "
        "is an input of `scenarios/resettlement-2021.yaml`, not an output.", "",
        _md_table(shown), "",
        f"Within tolerance: {int(table.ok.sum())} of {len(table)}; mean |relative error| "
        f"{table.rel_error.abs().mean():.1%}.", "",
        "## Qualitative facts of the letter", "",
        _md_table(facts.assign(ok=facts.ok.map({True: "yes", False: "NO"}))[["id", "statement", "ok", "evidence", "quote"]]),
        "",
    ]
    if backtest is not None and (backtest / "fit.csv").exists():
        fit = pd.read_csv(backtest / "fit.csv")
        summary = json.loads((backtest / "summary.json").read_text()) if (backtest / "summary.json").exists() else {}
        fitted = summary.get("fit_targets") or []
        fit["role"] = fit.id.map(lambda i: "fitted" if i in fitted else "out of sample")
        oos = fit[fit.role == "out of sample"]
        lines += ["## Backtest: fitted up to week 26, judged on weeks 27-37", "",
                  f"From `{backtest}` (`ketensim calibrate ... --fit-targets {','.join(fitted)}`).", "",
                  _md_table(fit.assign(rel_error=fit.rel_error.map("{:+.1%}".format))[
                      ["id", "label", "role", "letter", "mean", "rel_error", "ok"]].round(1)), "",
                  f"Out of sample mean |relative error|: {oos.rel_error.abs().mean():.1%}." if len(oos) else "", ""]
    morris = home / "sensitivity" / "morris.csv"
    if morris.exists():
        from .sensitivity import ranking

        rank = ranking(pd.read_csv(morris))
        lines += ["## Sensitivity: Morris screening of the calibration parameters", "",
                  "From `ketensim sensitivity scenarios/baseline-2020.yaml --trajectories 4 --reps 2 "
                  "--out results/validation/sensitivity` (per-target effects in `sensitivity/morris.csv`): "
                  "mean over the targets of μ* relative to the target's value.", "",
                  _md_table(rank.assign(mean_rel_mu_star=rank.mean_rel_mu_star.map("{:.3f}".format))), "",
                  "![Morris ranking](sensitivity/morris.png)", ""]
    lines += ["## Weekly series", "",
              "Replication mean and the band of the central 90% of replications; the letter's values "
              "in red; the policy phases shaded.", ""]
    lines += [f"![{label}]({name}.png)" for name, label in figs]
    (out / "README.md").write_text("\n".join(lines) + "\n")
    return {"targets_ok": int(table.ok.sum()), "targets": len(table), "facts_ok": int(facts.ok.sum()),
            "facts": len(facts)}
