"""What binds, said plainly: the findings of ``ketensim.analysis.binding`` as sentences, in
English or Dutch, for the CLI, the report and a sweep's notes (``find_binding`` decides; this
module only words it)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..analysis.binding import Finding, baseline_without, constraint_codes, find_binding, weekly_codes

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario.schema import Scenario


def describe(f: Finding, tr: Callable[[str], str] | None = None) -> str:
    """The finding as one plain sentence (``tr`` translates label keys; English default)."""
    from .i18n import translator

    tr = tr or translator("en")
    from .labels import metric_label

    detail = f": {f.detail}" if f.detail else ""
    return tr("binding.sentence").format(
        lever=f.lever, output=metric_label(f.output, tr.lang),  # type: ignore[attr-defined]
        start=f.start.isoformat(), limit=tr(f.limit.key), value=f"{f.value:,.0f}", unit=tr(f"unit.{f.limit.unit}"),
        detail=detail, why=tr(f.why) if f.why else "")


def weekly_sentences(weekly: Any, lang: str = "en") -> list[str]:
    """'ind.binding_constraint: what binds, by weeks: hearing rooms 20, decision staff 33.'"""
    from .i18n import translator

    tr = translator(lang)
    out = []
    for metric, counts in weekly_codes(weekly).items():
        names = constraint_codes(metric)
        parts = [f"{names.get(c, str(c))} {n}" for c, n in counts.items()]
        if parts:
            out.append(tr("binding.weekly").format(metric=metric, parts=", ".join(parts)))
    return out


@dataclass(frozen=True)
class RunView:
    """What ``binding_messages`` reads of a run: its weekly table, its manifest and, when at
    hand, its scenario (else the manifest's); a ``Results`` is one too."""

    weekly: pd.DataFrame
    manifest: dict[str, Any]
    scenario: Any = None


def binding_messages(results: Any, levers: Sequence[str] | None = None,
                     baseline: Any = None, lang: str = "en") -> list[str]:
    """Sentences for a run (a ``Results``: ``scenario``, ``manifest``, ``weekly``): levers
    (``--set`` texts or paths; default: the run's recorded overrides) checked against the
    baseline's scenario (default: the scenario without them)."""
    from ..scenario.schema import Scenario
    from .i18n import translator

    tr = translator(lang)
    sc = results.scenario or (Scenario.model_validate(results.manifest["scenario"])
                              if results.manifest.get("scenario") else None)
    texts = list(levers if levers is not None else results.manifest.get("overrides") or [])
    msgs: list[str] = []
    if sc is not None and texts:
        base: Scenario | None = None
        if baseline is not None:
            base = baseline.scenario or Scenario.model_validate(baseline.manifest["scenario"])
        else:
            base = baseline_without(sc, texts)
        if base is not None:
            msgs += [describe(f, tr) for f in find_binding(sc, base, texts)]
    msgs += weekly_sentences(results.weekly, lang)
    return msgs


def binding_for_run(scenario: "Scenario", path: str, overrides: Sequence[str], lang: str = "en") -> list[str]:
    """Sentences for ``ketensim run SCENARIO --set ...``: the file without the overrides is
    the comparison."""
    from ..scenario.loader import load_scenario
    from .i18n import translator

    if not overrides:
        return []
    base = load_scenario(path, [o for o in overrides if o.split("=", 1)[0].strip().startswith("horizon.")])
    tr = translator(lang)
    return [describe(f, tr) for f in find_binding(scenario, base, list(overrides))]


def sweep_notes(points: Sequence[Any], scenarios: Sequence["Scenario"], lang: str = "en") -> list[str]:
    """Before a sweep runs: pairs of design points that differ in one lever only and give
    the same capacity because another limit binds (runs that would show no difference)."""
    from .i18n import translator

    tr = translator(lang)
    msgs: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, p in enumerate(points):
        for j in range(i + 1, len(points)):
            q = points[j]
            diff = [k for k in p.levers if p.levers[k] != q.levers[k]]
            if len(diff) != 1 or p.uncertainties != q.uncertainties:
                continue
            lever = diff[0]
            key = (lever, f"{p.levers[lever]}|{q.levers[lever]}")
            if key in seen:
                continue
            seen.add(key)
            found = find_binding(scenarios[j], scenarios[i], [f"{lever}={q.levers[lever]}"])
            if found:
                msgs.append(f"design points {p.point} and {q.point} differ only in {lever} "
                            f"({p.levers[lever]} vs {q.levers[lever]}): {describe(found[0], tr)}")
    return msgs
