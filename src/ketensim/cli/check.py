"""`ketensim check`: validate a scenario and print its summary and timeline."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from . import options as opt

if TYPE_CHECKING:
    from ..scenario.schema import Scenario


def add_parser(sub: opt.Subparsers) -> None:
    c = sub.add_parser("check", help="validate a scenario and print a summary")
    opt.add_scenario(c)
    c.set_defaults(func=handle, plots=False)


def handle(args: argparse.Namespace) -> int:
    from ..scenario.loader import load_scenario

    sc = load_scenario(args.scenario, args.overrides)
    h = sc.horizon
    print(f"{args.scenario}: valid scenario {sc.name!r}")
    print(f"  horizon   {h.start} .. {h.end} ({h.weeks} weeks, warm-up {h.warmup_days} days)")
    print(f"  seed      {sc.seed}, {sc.replications} replications by default")
    s = sc.start
    print(f"  start     COA {s.reception.in_procedure + s.reception.permit_holders + s.reception.rejected + s.dublin.awaiting_transfer:,}"
          f" (in procedure {s.reception.in_procedure:,}, permit holders {s.reception.permit_holders:,},"
          f" rejected {s.reception.rejected:,}, Dublin {s.dublin.awaiting_transfer:,}); caseload outside COA {s.dtv.outside_reception:,}")
    print(f"            detention {s.detention.population:,} (places {sc.detention.places:,})")
    r = sc.reception
    print(f"  reception COL {r.col.name} limit {r.col.limit:,}; POL {sum(g.count * g.places for g in r.pol.locations):,} "
          f"places; AZC {r.regular_places:,} places in {sum(g.count for g in r.locations)} locations; "
          f"emergency {', '.join(e.name for e in r.emergency) or 'none'}; crisis {r.crisis.locations} x {r.crisis.places}")
    print("  timeline" if sc.changes else "  phases")
    for line in timeline_lines(sc, args.scenario):
        print("    " + line)
    return 0


def timeline_lines(sc: "Scenario", source: str) -> list[str]:
    """One line per step of the resolved timeline: its start, the phase in force, the phase's
    own changes when it starts there (marking a value a dated change holds back), and the
    dated changes that start or end there with the value that results."""
    import datetime as dt

    from ..scenario.phases import build_timeline

    steps = build_timeline(sc, source)
    lines, seen = [], set()
    for i, step in enumerate(steps):
        start = sc.horizon.start + dt.timedelta(days=step.start_day)
        before = steps[i - 1].changes if i else ()
        parts = []
        if step.phase not in seen:
            seen.add(step.phase)
            src = next(p for p in sc.phases if p.name == step.phase)
            held = {t.split("@", 1)[0] for t in step.changes}
            parts += [f"{k}={v}" + (" (held back by a dated change)" if k in held else "")
                      for k, v in src.set.items()]
        for text in step.changes:
            if text not in before:
                path = text.split("@", 1)[0]
                parts.append(f"from now: {text} -> {path}={_value_at(step.params, path)}")
        for text in before:
            if text not in step.changes:
                path = text.split("@", 1)[0]
                parts.append(f"ended: {text} -> {path}={_value_at(step.params, path)}")
        name = step.phase if not step.changes else f"{step.phase} (+{len(step.changes)} dated)"
        lines.append(f"{start}  {name:<30} {', '.join(parts) or '-'}")
    return lines


def _value_at(params: "Scenario", path: str) -> object:
    from ..scenario.overrides import get_path

    try:
        return get_path(params.model_dump(mode="json"), path)
    except (KeyError, IndexError, TypeError):
        return "?"
