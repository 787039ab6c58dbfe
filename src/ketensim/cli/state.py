"""`ketensim state`: the state of a run at a date as a scenario file that starts there."""
from __future__ import annotations

import argparse
import datetime as dt

from . import options as opt


def _monday(text: str) -> dt.date:
    from ..clock import parse_when

    try:
        return parse_when(text)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"expected a date (2021-01-04) or an ISO week (2021-W01), got {text!r}: "
                                         f"{exc}") from None


def add_parser(sub: opt.Subparsers) -> None:
    p = sub.add_parser("state", help="the state of a run at a date (mean over replications) as a start: block, "
                                     "optionally matched to the observed stocks near it")
    opt.add_scenario(p)
    p.add_argument("--at", required=True, type=_monday, metavar="DATE",
                   help="the Monday the state starts (date or ISO week); the runs end the day before")
    p.add_argument("--match-observed", action="store_true",
                   help="rescale the stocks to the observed aggregates within a month of the date "
                        "(the structure from the model, the totals from the data; see `ketensim observed`)")
    opt.add_reps(p, default=10, help="replications averaged (default 10)")
    p.add_argument("--workers", type=opt.positive_int, default=None, help="processes (default: all cores)")
    opt.add_out(p, help="the scenario file to write (default: next to the scenario, NAME.state-DATE.yaml)")
    p.set_defaults(func=handle, plots=False)


def handle(args: argparse.Namespace) -> int:
    import os

    from ..experiment.state import COA_STOCKS, IND_STOCKS
    from ..workflow.state import take_and_write

    workers = args.workers or os.cpu_count() or 1
    state, path = take_and_write(args.scenario, args.at, overrides=args.overrides, reps=args.reps,
                                 workers=workers, match=args.match_observed, out=args.out)
    print(f"{state.scenario}: state on {state.at} (mean of {state.reps} replications) written to {path}")
    if args.match_observed:
        print("matched to the observed figures:")
        for m in state.matched:
            print(f"  {m.metric:24s} model {m.model:>9,.0f} -> observed {m.observed:>9,.0f}  x{m.factor:.3f}  ({m.source})")
    v = state.values
    in_coa, ind = (sum(v[k] for k in keys) for keys in (COA_STOCKS, IND_STOCKS))
    print(f"in COA: {in_coa:,.0f}; IND stock {ind:,.0f}; permit holders in COA "
          f"{v['start.reception.permit_holders']:,.0f}; detention {v['start.detention.population']:,.0f}")
    print(f"run it: ketensim run {path}")
    return 0
