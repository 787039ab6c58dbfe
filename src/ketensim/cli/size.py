"""`ketensim size`: the smallest/largest lever value meeting a condition with probability P."""
from __future__ import annotations

import argparse
import sys

from . import options as opt


def add_parser(sub: opt.Subparsers) -> None:
    z = sub.add_parser("size", help="smallest/largest lever value meeting a condition with probability P")
    opt.add_scenario(z)
    z.add_argument("--lever", required=True, action="append", metavar="PATH[@DATE]",
                   help="the parameter to size (override grammar); repeat to tie several to one value")
    z.add_argument("--metric", required=True, help="weekly metric of the condition")
    z.add_argument("--window", required=True, metavar="FROM..TO", help="ISO weeks or dates, e.g. 2020-W38..2020-W53")
    z.add_argument("--stat", default="sum", help="statistic over the window: sum, mean, max, min, end")
    g = z.add_mutually_exclusive_group(required=True)
    g.add_argument("--at-most", type=float, metavar="V", help="condition: statistic <= V")
    g.add_argument("--at-least", type=float, metavar="V", help="condition: statistic >= V")
    z.add_argument("--prob", type=opt.certainty, default=0.9, help="required probability over replications (default 0.9)")
    opt.add_reps(z, 20, help="replications per value (default 20)")
    z.add_argument("--low", type=float, help="lowest value searched (default 0)")
    z.add_argument("--high", type=float, help="highest value searched (default: doubled until met)")
    z.add_argument("--step", type=float, help="resolution of the answer (default 1 for whole numbers)")
    z.add_argument("--slack", type=int, default=1, metavar="K",
                   help="accept a dip of the probability by up to K replications between evaluated values "
                        "(default 1); a larger dip is refused as non-monotone")
    z.add_argument("--full", action="store_true",
                   help="run every replication at every value (default: stop a value's replications once its "
                        "verdict is certain; the same answer and interval, P bounded at some values)")
    z.add_argument("--straight", action="store_true",
                   help="run every replication from the start at every value (default, for a lever from a date "
                        "or phase on: the part before it once per replication, continued per value; checked "
                        "bit-identical against a straight run first)")
    opt.add_seed(z)
    opt.add_out(z, help="output folder (default: results/size/<scenario>-<hash>)")
    opt.add_executor(z)
    z.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from ..experiment.size import SizeError
    from ..experiment.size_scenario import default_out, size_scenario, write_size

    def shown(v: float, lo: float, hi: float, runs: int) -> None:
        if not args.quiet:
            p = f"P = {lo:.2f}" if lo == hi else (f"P >= {lo:.2f}" if lo >= args.prob - 1e-12 else f"P <= {hi:.2f}")
            print(f"  {' + '.join(args.lever)} = {v:g}: {p} ({runs} of {args.reps} replications)", file=sys.stderr)

    try:
        with opt.executor(args, args.reps) as ex:
            res = size_scenario(args.scenario, args.lever, args.metric, args.window, args.stat,
                                at_most=args.at_most, at_least=args.at_least, prob=args.prob,
                                reps=args.reps, low=args.low, high=args.high, step=args.step,
                                seed=args.seed, overrides=tuple(args.overrides), executor=ex,
                                on_eval=shown, slack=args.slack, curtail=not args.full, prefix=not args.straight)
    except SizeError as exc:
        if exc.result is not None and exc.result.evaluations:
            out = args.out or default_out(args.scenario, exc.result)
            write_size(exc.result, out)
            print(f"ketensim: size: {exc} (evaluations in {out}/size.json)", file=sys.stderr)
            return 1
        print(f"ketensim: error: {exc}", file=sys.stderr)
        return 2
    out = args.out or default_out(args.scenario, res)
    js, png = write_size(res, out)
    lo, hi = (("-" if x is None else f"{x:g}") for x in res.interval)
    below = "-" if res.prob_below is None else f"{res.prob_below:.2f}"
    print(f"{res.value:g}")
    print(f"{res.direction} {res.lever} with P({args.stat} {args.metric} over {args.window} "
          f"{res.condition}) >= {res.prob:g}: {res.value:g} (P = {res.prob_achieved:.2f}; one step "
          f"{'below' if res.direction == 'smallest' else 'above'}: {below}); 90% bootstrap interval "
          f"[{lo}, {hi}]; {len(res.evaluations)} values, {res.replications_run} of "
          f"{len(res.evaluations) * res.reps} replications run (CRN"
          + ("" if args.full else "; each value stopped once its verdict was certain") + ")"
          + (f"; {res.note}" if res.note else ""))
    print(f"written: {js}, {png}")
    return 0
