"""`ketensim observed`: list the observed figures and the officials' forecasts
(``data/observed``) with the metric and statistic that measure each."""
from __future__ import annotations

import argparse

from . import options as opt


def add_parser(sub: opt.Subparsers) -> None:
    o = sub.add_parser("observed", help="list the observed figures and the officials' forecasts (data/observed): "
                       "value, source, and the metric and statistic that measure each")
    o.add_argument("--year", type=int, metavar="YYYY", help="figures of a calendar year (a date in it or a period touching it)")
    o.add_argument("--metric", metavar="METRIC|PART", help="figures measured by a metric, or by any metric of a part (coa, ind, dtv, ...)")
    o.add_argument("--kind", metavar="KIND", help="outcome or forecast")
    o.add_argument("--use", metavar="USE", help="target, bound, check, none or forecast")
    o.add_argument("--near", metavar="DATE", help="the observed stocks within a month of DATE, the nearest per metric")
    o.add_argument("--pending", action="store_true", help="the figures that wait for a metric the model does not have yet")
    o.add_argument("--format", choices=("text", "markdown", "csv"), default="text")
    o.add_argument("--data", metavar="DIR", help="the data set's folder (default: data/observed)")
    o.set_defaults(func=handle, plots=False)


def handle(args: argparse.Namespace) -> int:
    """Print the figures (filtered), and in text a line counting them by use."""
    from ..api import observed
    from ..observed.listing import format_observed, summary_line

    table = observed(args.year, args.metric, args.kind, args.use, root=args.data, pending=args.pending, near=args.near)
    print(format_observed(table, args.format))
    if args.format == "text":
        waiting = None if args.pending else len(observed(root=args.data, pending=True))
        print(summary_line(table, waiting))
    return 0
