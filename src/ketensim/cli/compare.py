"""`ketensim compare`: paired differences of key figures with common random numbers."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import options as opt
from .progress import Progress, plural


def add_parser(sub: opt.Subparsers) -> None:
    c = sub.add_parser("compare", help="paired differences of key figures with common random numbers")
    c.add_argument("base", help="base scenario YAML")
    c.add_argument("alternatives", nargs="*", metavar="alt",
                   help="alternative scenario YAML(s) (none with --alt-set: the base with those overrides)")
    opt.add_set(c, " (in every scenario)")
    c.add_argument("--alt-set", dest="alt_set", action="append", default=[], metavar="PATH=VALUE",
                   help="override in the alternatives only, e.g. a dated change 'path@2020-W40=value' (repeatable)")
    c.add_argument("--store", metavar="DIR", help="also store every scenario's results in DIR/<name> (for the report)")
    opt.add_reps(c, help="replications (default: the base scenario's)")
    opt.add_seed(c, help="root seed for all scenarios (default: the base's)")
    c.add_argument("--metric", dest="metrics", action="append", default=[],
                   help="only figures of this metric (repeatable)")
    c.add_argument("--plot", help="PNG of the differences (default: results/compare/BASE-vs-ALT.png)")
    opt.add_windows(c)
    opt.add_xlsx(c)
    opt.add_executor(c)
    c.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    import shutil

    from ..experiment.compare import compare_scenarios
    from ..experiment.figures import key_figures
    from ..experiment.runner import StoredRuns
    from ..experiment.store import RunStore, check_output_dir, kept_note, run_store_path, safe_name
    from ..report.binding import binding_for_run
    from ..scenario.errors import RunFault, ScenarioError
    from ..scenario.loader import load_scenario

    windows = opt.windows(args)
    base = load_scenario(args.base, args.overrides)
    alt_files = args.alternatives or ([args.base] if args.alt_set else [])
    if not alt_files:
        raise ScenarioError("compare", "", "give an alternative scenario file, or --alt-set PATH=VALUE for a "
                            "what-if of the base")
    alts = [load_scenario(a, [*args.overrides, *args.alt_set]) for a in alt_files]
    if args.alt_set:
        alts = [a.model_copy(update={"name": f"{a.name}-what-if" if a.name == base.name else a.name})
                for a in alts]
    reps = args.reps or base.replications
    figures = key_figures(base, args.metrics or None, windows, args.stat)
    stem = "-vs-".join(safe_name(s.name) for s in [base, *alts])[:180]
    plot = Path(args.plot or f"results/compare/{stem}.png")
    check_output_dir(plot.parent, "--plot")
    runs = RunStore(run_store_path(plot.with_suffix("")))  # finished replications, kept for a resume
    try:
        with opt.executor(args, reps * (1 + len(alts))) as ex, runs.lock():
            cmp = compare_scenarios(base, alts, reps=reps, seed=args.seed, executor=StoredRuns(ex, runs),
                                    figures=figures, progress=Progress(f"compare {base.name}", args.quiet))
    except KeyboardInterrupt:
        raise RunFault(f"interrupted: {kept_note(runs, reps * (1 + len(alts)))}; rerun the same command "
                       "to resume", 130) from None
    print(cmp.format())
    for line in [m for a in alts for m in binding_for_run(a, args.base, args.alt_set)] if args.alt_set else []:
        print(f"\nnote: {line}")
    if args.store:
        for name, res in cmp.results.items():
            res.manifest["overrides"] = list(args.alt_set) if name != cmp.base else []
            res.write(Path(args.store) / name)
        alt0 = cmp.alternatives[0]
        print(f"\nstored: {', '.join(str(Path(args.store) / n) for n in cmp.results)}; report: ketensim report "
              f"{Path(args.store) / alt0} --baseline {Path(args.store) / cmp.base}")
    cmp.plot(plot)
    table = plot.with_suffix(".csv")
    from ..experiment.store import atomic_write

    atomic_write(table, lambda p: cmp.table.to_csv(p, index=False))
    print(f"\nplot: {plot}  table: {table}")
    if args.xlsx:
        for path in _workbooks(cmp, plot.parent, args, windows):
            print(f"workbook: {path}")
    bad = {k: v for k, v in cmp.errors.items() if v}
    for name, errs in bad.items():
        print(f"{name}: {plural(len(errs), 'replication')} failed; last line of the first error: "
              f"{errs[0].strip().splitlines()[-1]}", file=sys.stderr)
    if not bad:
        shutil.rmtree(runs.root, ignore_errors=True)
    return 1 if bad else 0


def _workbooks(cmp: Any, folder: Path, args: argparse.Namespace, windows: Any) -> list[Path]:
    """One workbook per alternative against the base (paired differences), each written
    atomically next to the comparison's table."""
    from ..experiment.store import atomic_write, safe_name
    from ..report.xlsx import workbook_for

    base = cmp.results[cmp.base]
    out = []
    for alt in cmp.alternatives:
        res = cmp.results[alt]
        res.manifest.setdefault("overrides", list(args.alt_set))
        book = workbook_for(res.weekly, res.manifest, baseline=base.weekly, base_manifest=base.manifest,
                            windows=windows, stat=args.stat, lang=args.lang)
        path = folder / f"{f'{safe_name(cmp.base)}-vs-{safe_name(alt)}'[:200]}.xlsx"
        atomic_write(path, _writer(book))
        out.append(path)
    return out


def _writer(book: Any) -> Any:
    """A writer of one workbook (bound now, not when the loop has moved on)."""
    from ..workflow.xlsx import write_workbook

    return lambda path: write_workbook(path, book)
