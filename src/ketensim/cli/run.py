"""`ketensim run`: replications of a scenario into a results folder, and the key figures."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import options as opt
from .progress import Progress, plural

if TYPE_CHECKING:
    import pandas as pd


def add_parser(sub: opt.Subparsers) -> None:
    r = sub.add_parser("run", help="run replications of a scenario and print the key figures")
    opt.add_scenario(r)
    opt.add_reps(r, help="replications (default: the scenario's)")
    opt.add_seed(r)
    opt.add_out(r, help="output folder (default: results/<scenario name>, with -set-<hash> for --set)")
    r.add_argument("--targets", help=f"targets file to compare with (default: {opt.DEFAULT_TARGETS} when present)")
    r.add_argument("--need", type=opt.certainty, metavar="P",
                   help="also report the places needed per week at certainty P (e.g. 0.9): need.csv")
    r.add_argument("--buffer", type=float, default=0.0, metavar="SHARE",
                   help="with --need: add this share on top of the quantile (e.g. 0.05)")
    opt.add_windows(r)
    opt.add_xlsx(r)
    opt.add_executor(r)
    r.set_defaults(func=handle, plots=False)  # no plots: `run` does not import matplotlib


def handle(args: argparse.Namespace) -> int:
    from ..experiment.store import check_output_dir, default_out
    from ..scenario.loader import load_scenario
    from ..workflow.run import Need, run_to_folder

    windows = opt.windows(args)
    sc = load_scenario(args.scenario, args.overrides)
    targets = opt.targets_arg(args.targets)
    reps = args.reps or sc.replications
    out = check_output_dir(Path(args.out) if args.out else default_out(sc.name, args.overrides), results_set=True)
    workbook = _workbook(args, sc.name, windows, out) if args.xlsx else None
    with opt.executor(args, reps) as ex:
        run = run_to_folder(sc, out, reps, args.seed, executor=ex, overrides=args.overrides,
                            progress=Progress(f"{sc.name}", args.quiet, unit="replication"),
                            need=None if args.need is None else Need(args.need, args.buffer),
                            extra_files=workbook)
    if run.need is not None:
        _print_need(run.need, args.need, args.buffer, out)
    _print_figures(args, sc, run.results, targets, windows, out)
    if workbook is not None:
        print(f"workbook: {out / _workbook_name(sc.name)}")
    return 0


def _workbook_name(scenario: str) -> str:
    from ..experiment.store import safe_name

    return f"{safe_name(scenario)}.xlsx"


def _workbook(args: argparse.Namespace, name: str, windows: Any, out: Path) -> Any:
    """The workbook as one more file of the results set (written with the rest, or not at all)."""
    def files(res: Any, need: Any) -> dict[str, Any]:
        from ..report.xlsx import workbook_for
        from ..workflow.xlsx import write_workbook

        book = workbook_for(res.weekly, res.manifest, windows=windows, stat=args.stat, need=need, lang=args.lang,
                            sources=(str(out), None))
        return {_workbook_name(name): lambda path: write_workbook(path, book)}

    return files


def _print_figures(args: argparse.Namespace, sc: Any, res: Any, targets: Any, windows: Any, out: Path) -> None:
    """The key figures over the windows, the targets inside the run, notes and timing."""
    import pandas as pd

    from ..analysis.stats import statistic_label
    from ..analysis.summary import inside
    from ..analysis.targets import Targets, compare
    from ..report.binding import binding_for_run, weekly_sentences
    from ..report.table import format_targets, window_table

    reps = args.reps or sc.replications
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\n{sc.name}: {plural(reps, 'replication')}, seed {res.manifest['seed']}; "
              f"{statistic_label(args.stat)} ±95% half-width [letter]")
        if not res.weekly.empty:
            table = window_table(res.weekly, targets, windows, args.stat, sc)
            print(table.to_string())
            if any("(partial:" in str(c) for c in table.columns):
                print("(partial: the window lies partly outside the simulated weeks; computed over the weeks shown)")
            if targets is not None:
                kept = Targets(source=targets.source, targets=[t for t in targets.targets
                                                               if inside(res.weekly, t.window)])
                if kept.targets:  # only targets whose window lies wholly inside the simulated weeks
                    print()
                    print(format_targets(compare(res.weekly, kept)))
    for line in binding_for_run(sc, args.scenario, args.overrides):
        print(f"\nnote: {line}")
    for line in weekly_sentences(res.weekly):
        print(f"note: {line}")
    print("\n" + _times(res.manifest, out))


def _times(manifest: dict[str, Any], out: Path) -> str:
    """Where the results are, the wall time and the CPU time per replication, labelled."""
    per_run = [r["runtime_s"] for r in manifest["replications"]]
    n = len(per_run)
    cpu = f"; CPU {sum(per_run) / n:.2f}s per replication" if n else ""
    resumed = manifest.get("resumed_replications") or 0
    return (f"results: {out}/weekly.parquet, weekly.csv, manifest.json (wall time {manifest['wall_time_s']:.1f}s "
            f"for {plural(n, 'replication')} on {plural(int(manifest.get('workers') or 1), 'worker')}{cpu}"
            + (f"; {resumed} resumed from an interrupted run" if resumed else "") + ")")


def _print_need(table: "pd.DataFrame", prob: float, buffer: float, out: Path) -> None:
    from ..metrics.need import peak_needs

    extra = f" plus {buffer:.0%} buffer" if buffer else ""
    print(f"\nrequired capacity at P{prob * 100:g}{extra} (places that sufficed in >= {prob:.0%} of "
          f"replications), per week in {out}/need.csv:")
    print(peak_needs(table).to_string(index=False))
