"""ketensim command line. Heavy libraries are imported inside the commands, so that
`ketensim --help` starts fast."""
from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .scenario.schema import Scenario


DEFAULT_TARGETS = "scenarios/targets/letter-2020-10-05.yaml"
SET_HELP = ("override a parameter: dotted.path=value, dotted.path@phase=value, or a dated change "
            "dotted.path@DATE=value / dotted.path@DATE..DATE=value (DATE: 2020-11-01 or 2020-W40; "
            "value '*0.5' = half the phases' value); repeatable")
log = logging.getLogger("ketensim")


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1 (argparse turns the error into exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 replication', '2 replications'."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


class Progress:
    """Progress on stderr: a one-line bar with ETA on a terminal; plain lines (every tenth,
    and the last) when stderr is not a terminal, such as a CI log; nothing when quiet."""

    def __init__(self, label: str, quiet: bool = False, stream: Any = None, unit: str = "run") -> None:
        self.label, self.quiet, self.t0 = label, quiet, time.monotonic()
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.unit, self.done, self.total, self._last_line = unit, 0, 0, -1

    def __call__(self, done: int, total: int, failed: int = 0) -> None:
        self.done, self.total = done, total
        if self.quiet or total <= 0:
            return
        if done == 0:  # (re)start the clock when the first job is handed out
            self.t0 = time.monotonic()
        elapsed = time.monotonic() - self.t0
        eta = f"{elapsed / done * (total - done):5.1f}s" if done else "  ?  "
        fail = f"  {failed} failed" if failed else ""
        if self.tty:
            width = 24
            bar = "#" * int(width * done / total) + "-" * (width - int(width * done / total))
            end = "\n" if done == total else ""
            self.stream.write(f"\r{self.label} [{bar}] {done}/{total}  {elapsed:5.1f}s  eta {eta}{fail}{end}")
        else:
            step = int(10 * done / total)
            if done == 0 or (step == self._last_line and done != total):
                return
            self._last_line = step
            self.stream.write(f"{self.label}: {done}/{plural(total, self.unit)} done, {elapsed:.1f}s wall"
                              f"{fail}\n")
        self.stream.flush()


def _add_window_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--window", dest="windows", action="append", default=None, metavar="[NAME=]FROM..TO",
                   help="a window of ISO weeks or dates, e.g. 2020-W40..2020-W53 or autumn=2020-W40..2020-W53 "
                        "(repeatable; replaces the default windows: the letter's and the scenario's report.windows)")
    p.add_argument("--stat", default="mean", metavar="STAT",
                   help="statistic over a window's weeks: mean (weekly mean, default), sum, end, max, min, or a "
                        "quantile pNN (p90)")


def _windows(args: argparse.Namespace) -> list[Any] | None:
    """The --window texts parsed (a bad one is a one-line error naming it)."""
    from .scenario.errors import ScenarioError
    from .stats import parse_statistic, parse_window

    try:
        parse_statistic(args.stat)
    except ValueError as exc:
        raise ScenarioError("--stat", "", str(exc)) from None
    if not args.windows:
        return None
    out = []
    for text in args.windows:
        try:
            out.append(parse_window(text))
        except ValueError as exc:
            raise ScenarioError(f"--window {text}", "", str(exc)) from None
    return out


def _add_scenario_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help=SET_HELP)


def cmd_check(args: argparse.Namespace) -> int:
    from .scenario.loader import load_scenario

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

    from .scenario.phases import build_timeline

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
    from .scenario.overrides import get_path

    try:
        return get_path(params.model_dump(mode="json"), path)
    except (KeyError, IndexError, TypeError):
        return "?"


def _targets_arg(value: str | None):
    """The targets to compare with: the file given (which must exist) or, by default, the
    letter's targets file when it is there."""
    from .report.targets import load_targets

    if value is None or value == DEFAULT_TARGETS:
        return load_targets(DEFAULT_TARGETS) if Path(DEFAULT_TARGETS).is_file() else None
    return load_targets(value)


def cmd_run(args: argparse.Namespace) -> int:
    import shutil

    from .experiment.runner import run_scenario
    from .experiment.store import RunStore, check_output_dir, default_out, kept_note, run_store_path, write_results
    from .report.binding import binding_for_run, weekly_sentences
    from .report.summary import inside
    from .report.table import format_targets, window_table
    from .report.targets import Targets, compare
    from .scenario.errors import RunFault
    from .scenario.loader import load_scenario
    from .stats import statistic_label

    windows = _windows(args)
    sc = load_scenario(args.scenario, args.overrides)
    targets = _targets_arg(args.targets)
    reps = args.reps or sc.replications
    out = check_output_dir(Path(args.out) if args.out else default_out(sc.name, args.overrides), results_set=True)
    store = run_store_path(out)
    try:
        with _executor(args, reps) as ex:
            res = run_scenario(sc, reps=reps, seed=args.seed, executor=ex, store=store,
                               overrides=args.overrides,
                               progress=Progress(f"{sc.name}", args.quiet, unit="replication"))
    except KeyboardInterrupt:
        raise RunFault(f"interrupted: {kept_note(RunStore(store), reps)} (partial); rerun the same "
                       f"command to resume; {out} is unchanged", 130) from None
    except OSError as exc:  # e.g. the disk filled up while storing a replication
        raise RunFault(f"{exc.filename or store}: {exc.strerror or exc}; {kept_note(RunStore(store), reps)}; "
                       f"rerun the same command to resume; {out} is unchanged") from None
    failed = [r for r in res.manifest["replications"] if r["error"]]
    if failed:
        raise RunFault(f"{len(failed)} of {plural(reps, 'replication')} failed, so {out} was not written (earlier "
                       f"results there are untouched); the failed runs' errors and the finished "
                       f"replications are kept in {store}; first error: "
                       f"{failed[0]['error'].strip().splitlines()[-1]}; rerun to retry the failed ones")
    extras = {}
    need = None
    if args.need is not None:
        res.manifest["need"] = {"prob": args.need, "buffer": args.buffer}
        if not res.weekly.empty:
            from .metrics.need import need_table

            need = need_table(res.weekly, args.need, args.buffer, sc)
            extras["need.csv"] = lambda p: need.to_csv(p, index=False)  # part of the set
    try:
        write_results(out, res.weekly, res.manifest, extras)
    except OSError as exc:
        raise RunFault(f"{out}: cannot write the results ({exc.strerror or exc}); earlier results there "
                       f"are untouched; the {reps} replications are kept in {store}: rerun the same "
                       "command to write them") from None
    shutil.rmtree(store, ignore_errors=True)
    import pandas as pd

    if need is not None:
        _print_need(need, args.need, args.buffer, out)

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
    return 0


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
    from .metrics.need import peak_needs

    extra = f" plus {buffer:.0%} buffer" if buffer else ""
    print(f"\nrequired capacity at P{prob * 100:g}{extra} (places that sufficed in >= {prob:.0%} of "
          f"replications), per week in {out}/need.csv:")
    print(peak_needs(table).to_string(index=False))


def _certainty(text: str) -> float:
    """argparse type: a probability in (0, 1]."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {v:g}")
    return v


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .calibration.fit import calibrate
    from .calibration.spec import load_spec

    spec_path = Path(args.spec or Path(args.scenario).with_suffix(".calibration.yaml"))
    spec, base = load_spec(spec_path)
    from .experiment.store import check_output_dir

    out = check_output_dir(Path(args.out or f"results/calibration/{Path(args.scenario).stem}"))
    fit_ids = args.fit_targets.split(",") if args.fit_targets else None
    if fit_ids:
        from .calibration.spec import check_names

        check_names(spec, base, "--fit-targets", fit_ids)
    res = calibrate(spec, base, out, budget=args.budget, workers=args.workers, fit_ids=fit_ids,
                    progress=Progress("calibrate", args.quiet), fresh=args.fresh)
    print(f"\nbest after {len(res.trials)} trials (loss {res.score.loss:.3f}, "
          f"mean |relative error| {res.score.mean_abs_rel:.1%}):")
    for k, v in res.best.items():
        print(f"  {k} = {v:.6g}")
    from .report.table import format_targets

    print()
    print(format_targets(res.score.table))
    if fit_ids:
        oos = res.score.table[~res.score.table.id.isin(fit_ids)]
        if len(oos):
            print(f"\nout of sample ({', '.join(oos.id)}): mean |relative error| {oos.rel_error.abs().mean():.1%}")
    kept = "evaluations.jsonl" if spec.method == "least_squares" else "study.journal"
    print(f"\nwritten: {out}/calibrated.yaml, fit.csv, trials.csv, summary.json; rerunning continues "
          f"from {out}/{kept}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from .calibration.fit import runner_for
    from .calibration.sensitivity import morris, plot, ranking
    from .calibration.spec import load_spec
    from .experiment.store import atomic_write
    from .report.targets import load_targets

    spec_path = Path(args.spec or Path(args.scenario).with_suffix(".calibration.yaml"))
    spec, base = load_spec(spec_path)
    targets = load_targets(base / spec.targets)
    run = runner_for(base / spec.scenario, args.reps, spec.seed, args.workers, spec.fixed)
    outcomes = args.outcomes.split(",") if args.outcomes else ()
    table = morris(spec, targets, run, trajectories=args.trajectories, outcomes=outcomes,
                   seed=spec.seed, progress=Progress("morris", args.quiet))
    out = Path(args.out or f"results/sensitivity/{Path(args.scenario).stem}")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "morris.csv", lambda p: table.to_csv(p, index=False))
    plot(table, str(out / "morris.png"))
    print(ranking(table).to_string(index=False))
    print(f"\nwritten: {out}/morris.csv, morris.png")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .calibration.validation import write_validation
    from .experiment.runner import run_scenario
    from .experiment.store import check_output_dir
    from .report.targets import load_targets
    from .scenario.loader import load_scenario

    sc = load_scenario(args.scenario, args.overrides)
    targets = load_targets(args.targets)
    check_output_dir(args.out)
    res = run_scenario(sc, reps=args.reps, seed=args.seed, workers=args.workers,
                       progress=Progress(f"validate {sc.name}", args.quiet))
    failed = [r for r in res.manifest["replications"] if r["error"]]
    if failed:
        print(f"{plural(len(failed), 'replication')} failed: {failed[0]['error'].strip().splitlines()[-1]}", file=sys.stderr)
        return 1
    command = f"ketensim validate {args.scenario} --reps {args.reps}"
    out = Path(args.out)
    summary = write_validation(res.weekly, res.manifest, targets, out, command,
                               backtest=Path(args.backtest) if args.backtest else None)
    print(f"targets within tolerance: {summary['targets_ok']} of {summary['targets']}; "
          f"qualitative facts reproduced: {summary['facts_ok']} of {summary['facts']}")
    print(f"written: {out}/README.md, targets.csv, facts.csv and the plots")
    return 0


def _add_executor_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("where to run")
    g.add_argument("--workers", type=positive_int, help="local processes (default: all cores; 1 = in this process)")
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask cluster")
    g.add_argument("--dask-workers", type=positive_int, metavar="N",
                   help="start a local Dask cluster of N workers (bound to 127.0.0.1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _executor(args: argparse.Namespace, jobs: int | None = None):
    from .experiment.executors import make_executor

    workers = args.workers
    if workers is None and jobs is not None and not (args.scheduler or args.dask_workers):
        import os

        workers = max(1, min(jobs, os.cpu_count() or 1))
    return make_executor(workers=workers, scheduler=args.scheduler, dask_workers=args.dask_workers)


def cmd_compare(args: argparse.Namespace) -> int:
    import shutil

    from .experiment.compare import compare_scenarios
    from .experiment.figures import key_figures
    from .experiment.runner import StoredRuns
    from .experiment.store import RunStore, check_output_dir, kept_note, run_store_path, safe_name
    from .report.binding import binding_for_run
    from .scenario.errors import RunFault, ScenarioError
    from .scenario.loader import load_scenario

    windows = _windows(args)
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
        with _executor(args, reps * (1 + len(alts))) as ex, runs.lock():
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
    from .experiment.store import atomic_write

    atomic_write(table, lambda p: cmp.table.to_csv(p, index=False))
    print(f"\nplot: {plot}  table: {table}")
    bad = {k: v for k, v in cmp.errors.items() if v}
    for name, errs in bad.items():
        print(f"{name}: {plural(len(errs), 'replication')} failed; last line of the first error: "
              f"{errs[0].strip().splitlines()[-1]}", file=sys.stderr)
    if not bad:
        shutil.rmtree(runs.root, ignore_errors=True)
    return 1 if bad else 0


def cmd_sweep(args: argparse.Namespace) -> int:
    import pandas as pd

    from .experiment.sweep import plan_sweep, run_sweep

    plan = plan_sweep(args.sweep, args.reps)
    from .experiment.store import check_output_dir, safe_name

    shard = None
    if args.shard:
        from .experiment.shard import parse_shard, run_shard

        shard = parse_shard(args.shard)
    suffix = f"-shard-{shard.k}-of-{shard.n}" if shard else ""
    out = check_output_dir(Path(args.out or f"results/sweeps/{safe_name(plan.spec.name)}{suffix}"))
    from .experiment.store import RunStore, kept_note
    from .report.binding import sweep_notes
    from .scenario.errors import RunFault

    for line in sweep_notes(plan.points, plan.scenarios):
        print(f"note: {line}", file=sys.stderr)
    try:
        with _executor(args, plan.total) as ex:
            kw = dict(executor=ex, replications=args.reps,
                      progress=Progress(f"sweep {plan.spec.name}{suffix}", args.quiet))
            res = run_shard(args.sweep, out, shard, **kw) if shard else run_sweep(args.sweep, out, **kw)
    except KeyboardInterrupt:
        raise RunFault(f"interrupted: {kept_note(RunStore(out), plan.total)}; rerun the same command "
                       "to resume", 130) from None
    except OSError as exc:  # e.g. the disk filled up while storing a run
        raise RunFault(f"{exc.filename or out}: {exc.strerror or exc}; {kept_note(RunStore(out), plan.total)}; "
                       "rerun the same command to resume") from None
    if res.store.damaged:
        print(f"{len(res.store.damaged)} damaged or misplaced run file(s) were set aside (*.damaged) and "
              f"redone, e.g. {res.store.damaged[0][0]}: {res.store.damaged[0][1]}", file=sys.stderr)
    with pd.option_context("display.width", 220, "display.max_columns", 30, "display.max_rows", 200,
                           "display.float_format", "{:,.1f}".format):
        shown = res.summary.copy()
        for col in shown.columns:
            if col.startswith(("lever:", "uncertainty:")):
                shown[col] = shown[col].map(str)
        print(shown.to_string(index=False))
    print(f"\n{plan.spec.name}: {plural(len(plan.points), 'design point')} x "
          f"{plural(plan.spec.replications, 'replication')} = {plural(plan.total, 'run')}"
          f"{f' (shard {shard}: {res.ran + res.skipped})' if shard else ''}; "
          f"ran {res.ran}, skipped {res.skipped} finished, {res.failed} failed; "
          f"wall time {res.wall_s:.1f}s on {ex.name} ({plural(ex.workers, 'worker')})")
    print(f"store: {out}/runs/point=*/rep=*.parquet, {out}/manifest.json, {out}/summary.csv")
    print(f"open it: ketensim report {out}  (overview), ketensim report {out} --point N --baseline-point M, "
          f"or ketensim.read('{out}').point(N) in Python")
    if res.failed:
        print(f"{plural(res.failed, 'run')} failed; their errors are in the run files' metadata "
              f"(ketensim.experiment.store.RunStore.read_meta); rerun to retry them", file=sys.stderr)
        return 1
    return 0


def cmd_sweep_merge(args: argparse.Namespace) -> int:
    from .experiment.shard import merge_stores

    store, n = merge_stores(args.out, args.stores)
    print(f"merged {len(args.stores)} store(s): {n} runs into {store.root} "
          f"(manifest.json, summary.csv, runs/point=*/rep=*.parquet)")
    return 0


def cmd_advise(args: argparse.Namespace) -> int:
    import pandas as pd

    from .experiment.advise import advise
    from .experiment.compare import run_replications
    from .experiment.figures import figure_values, key_figures
    from .scenario.loader import load_scenario

    sc = load_scenario(args.scenario, args.overrides)
    seed = sc.seed if args.seed is None else args.seed
    with _executor(args, args.pilot) as ex:
        (recs,) = run_replications([sc], args.pilot, [seed], ex, Progress(f"pilot {sc.name}", args.quiet))
    frames = [r.weekly for r in recs if r.weekly is not None]
    if len(frames) < 2:
        print("ketensim: error: fewer than 2 pilot replications succeeded", file=sys.stderr)
        return 1
    values = figure_values(pd.concat(frames, ignore_index=True), key_figures(sc, args.metrics or None))
    table = advise(values, args.precision)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(f"{sc.name}: replications for a 95% CI half-width within {args.precision:.0%} of the mean "
              f"(pilot of {args.pilot}, CI half-width method)")
        shown = table.assign(mean=table["mean"].map("{:,.1f}".format),
                             rel_half_width=table.rel_half_width.map("{:.1%}".format))
        print(shown.to_string(index=False))
    need = int(table.needed.max()) if len(table) else 0
    print(f"\nmost demanding: {need} replications")
    return 0


def cmd_size(args: argparse.Namespace) -> int:
    from .experiment.size import SizeError
    from .experiment.size_scenario import default_out, size_scenario, write_size

    def shown(v: float, p: float) -> None:
        if not args.quiet:
            print(f"  {' + '.join(args.lever)} = {v:g}: P = {p:.2f}", file=sys.stderr)

    try:
        with _executor(args, args.reps) as ex:
            res = size_scenario(args.scenario, args.lever, args.metric, args.window, args.stat,
                                at_most=args.at_most, at_least=args.at_least, prob=args.prob,
                                reps=args.reps, low=args.low, high=args.high, step=args.step,
                                seed=args.seed, overrides=tuple(args.overrides), executor=ex,
                                on_eval=shown, slack=args.slack)
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
          f"[{lo}, {hi}]; {len(res.evaluations)} values x {res.reps} replications (CRN)"
          + (f"; {res.note}" if res.note else ""))
    print(f"written: {js}, {png}")
    return 0


def cmd_forecast(args: argparse.Namespace) -> int:
    from .experiment.runner import run_scenario
    from .report.forecast_write import write_forecast
    from .scenario.loader import load_scenario

    sc = load_scenario(args.scenario, args.overrides)
    if args.reps < 20:
        log.warning("forecast with %d replications: the 90%% band needs at least 20", args.reps)
    with _executor(args, args.reps) as ex:
        res = run_scenario(sc, reps=args.reps, seed=args.seed, executor=ex,
                           progress=Progress(f"{sc.name}", args.quiet))
    failed = [r for r in res.manifest["replications"] if r["error"]]
    h = sc.horizon
    out = Path(args.out or f"results/forecast-{h.start.isocalendar()[0]}-{h.end.isocalendar()[0]}")
    write_forecast(res.weekly, res.manifest, out, first_year=args.from_year)
    print((out / "README.md").read_text())
    if failed:
        print(f"{plural(len(failed), 'replication')} failed; errors are in {out}/manifest.json", file=sys.stderr)
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .experiment.store import check_output_dir, read_results
    from .experiment.sweep_results import is_sweep_store
    from .report.html import write_report
    from .scenario.errors import ScenarioError

    windows = _windows(args)
    sweep = is_sweep_store(args.results)
    for d in [args.results] + ([args.baseline] if args.baseline else []):
        if is_sweep_store(d):
            continue
        if not (Path(d) / "weekly.parquet").exists() or not (Path(d) / "manifest.json").exists():
            raise ScenarioError(d, "", "no results here (expected weekly.parquet and manifest.json, as written by "
                                "`ketensim run`, or a sweep store written by `ketensim sweep`)")
        read_results(d)  # a damaged folder is a one-line error before any work
    if not sweep and (args.point is not None or args.baseline_point is not None):
        raise ScenarioError(args.results, "", "--point and --baseline-point need a sweep store")
    if args.baseline_point is not None and args.point is None:
        raise ScenarioError(args.results, "", "--baseline-point needs --point N")
    targets = _targets_arg(args.targets)
    if args.out:
        check_output_dir(Path(args.out).parent, "--out")
    path = write_report(args.results, baseline=args.baseline, out=args.out, targets=targets, lang=args.lang,
                        windows=windows, stat=args.stat, chain=args.chain_window, point=args.point,
                        baseline_point=args.baseline_point)
    print(f"report: {path}")
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    """Print the metric registry of a chain's parts (default: the model's)."""
    import importlib

    from .metrics.registry import format_table
    from .model.parts import registry_for

    module, _, attr = args.parts.partition(":")
    try:
        parts = getattr(importlib.import_module(module), attr or "PARTS")
    except (ImportError, AttributeError) as exc:
        print(f"ketensim: error: --parts {args.parts}: {exc}; expected MODULE[:NAME] naming a tuple of parts",
              file=sys.stderr)
        return 2
    print(format_table(registry_for(parts), args.format))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ketensim", description="Simulate the Dutch migration chain under COVID-19.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    p.add_argument("--no-limits", action="store_true",
                   help="lift the plausibility bounds on stocks, capacities, rates and sizes")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="validate a scenario and print a summary")
    _add_scenario_args(c)
    c.set_defaults(func=cmd_check, plots=False)

    r = sub.add_parser("run", help="run replications of a scenario and print the key figures")
    _add_scenario_args(r)
    r.add_argument("--reps", type=positive_int, help="replications (default: the scenario's)")
    r.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    r.add_argument("--out", help="output folder (default: results/<scenario name>, with -set-<hash> for --set)")
    r.add_argument("--targets", help=f"targets file to compare with (default: {DEFAULT_TARGETS} when present)")
    r.add_argument("--need", type=_certainty, metavar="P",
                   help="also report the places needed per week at certainty P (e.g. 0.9): need.csv")
    r.add_argument("--buffer", type=float, default=0.0, metavar="SHARE",
                   help="with --need: add this share on top of the quantile (e.g. 0.05)")
    _add_window_args(r)
    _add_executor_args(r)
    r.set_defaults(func=cmd_run, plots=False)  # no plots: `run` does not import matplotlib

    f = sub.add_parser("forecast", help="trajectories with a 90%% band and planning tables of a "
                       "multi-year scenario (results/forecast-<first>-<last year>/)")
    _add_scenario_args(f)
    f.add_argument("--reps", type=positive_int, default=20, help="replications (default 20, at least 20)")
    f.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    f.add_argument("--from-year", type=int, default=2021, help="first forecast year (default 2021)")
    f.add_argument("--out", help="output folder (default: results/forecast-<first>-<last year>)")
    _add_executor_args(f)
    f.set_defaults(func=cmd_forecast)

    c = sub.add_parser("calibrate", help="fit the calibration parameters to the letter's targets")
    c.add_argument("scenario", help="scenario YAML file (its .calibration.yaml sits next to it)")
    c.add_argument("--spec", help="calibration file (default: SCENARIO with .calibration.yaml)")
    c.add_argument("--targets", help="ignored when the calibration file names its targets")
    c.add_argument("--budget", type=positive_int, help="finished trials to reach (resumes an existing study)")
    c.add_argument("--fit-targets", help="comma-separated target ids to fit (backtest: the rest is out of sample)")
    c.add_argument("--fresh", action="store_true", help="do not warm-start from the scenario's values")
    c.add_argument("--workers", type=positive_int, help="local processes per trial")
    c.add_argument("--out", help="output folder (default: results/calibration/<scenario>)")
    c.add_argument("--quiet", action="store_true")
    c.set_defaults(func=cmd_calibrate)

    v = sub.add_parser("validate", help="write the validation report (targets, facts, plots, backtest)")
    _add_scenario_args(v)
    v.add_argument("--reps", type=positive_int, default=20)
    v.add_argument("--seed", type=int)
    v.add_argument("--workers", type=positive_int)
    v.add_argument("--targets", default=DEFAULT_TARGETS)
    v.add_argument("--out", default="results/validation")
    v.add_argument("--backtest", default="results/validation/backtest",
                   help="folder of a calibration fitted on an early window (fit.csv, summary.json)")
    v.add_argument("--quiet", action="store_true")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("sensitivity", help="Morris screening of the calibration parameters")
    s.add_argument("scenario")
    s.add_argument("--spec", help="calibration file (default: SCENARIO with .calibration.yaml)")
    s.add_argument("--trajectories", type=positive_int, default=4)
    s.add_argument("--reps", type=positive_int, default=2, help="replications per design point")
    s.add_argument("--outcomes", help="comma-separated target ids (default: all)")
    s.add_argument("--workers", type=positive_int)
    s.add_argument("--out")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_sensitivity)
    c = sub.add_parser("compare", help="paired differences of key figures with common random numbers")
    c.add_argument("base", help="base scenario YAML")
    c.add_argument("alternatives", nargs="*", metavar="alt",
                   help="alternative scenario YAML(s) (none with --alt-set: the base with those overrides)")
    c.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help=SET_HELP + " (in every scenario)")
    c.add_argument("--alt-set", dest="alt_set", action="append", default=[], metavar="PATH=VALUE",
                   help="override in the alternatives only, e.g. a dated change 'path@2020-W40=value' (repeatable)")
    c.add_argument("--store", metavar="DIR", help="also store every scenario's results in DIR/<name> (for the report)")
    c.add_argument("--reps", type=positive_int, help="replications (default: the base scenario's)")
    c.add_argument("--seed", type=int, help="root seed for all scenarios (default: the base's)")
    c.add_argument("--metric", dest="metrics", action="append", default=[],
                   help="only figures of this metric (repeatable)")
    c.add_argument("--plot", help="PNG of the differences (default: results/compare/BASE-vs-ALT.png)")
    _add_window_args(c)
    _add_executor_args(c)
    c.set_defaults(func=cmd_compare)

    s = sub.add_parser("sweep", help="run a sweep file (levers x uncertainties x replications)")
    s.add_argument("sweep", help="sweep YAML file")
    s.add_argument("--out", help="result store (default: results/sweeps/<sweep name>)")
    s.add_argument("--reps", type=positive_int, help="replications per design point (default: the file's)")
    s.add_argument("--shard", metavar="K/N", help="run only shard K of N into its own store (merge with "
                   "`ketensim sweep merge OUT STORE...`)")
    _add_executor_args(s)
    s.set_defaults(func=cmd_sweep)
    m = sub.add_parser("sweep-merge", help="merge shard stores (also spelled `ketensim sweep merge OUT STORE...`)")
    m.add_argument("out", metavar="OUT", help="new store folder")
    m.add_argument("stores", nargs="+", metavar="STORE", help="shard stores of one sweep")
    m.set_defaults(func=cmd_sweep_merge)

    a = sub.add_parser("advise", help="replications needed for a relative precision (CI half-width)")
    _add_scenario_args(a)
    a.add_argument("--pilot", type=positive_int, default=10, help="pilot replications (default 10)")
    a.add_argument("--precision", type=float, default=0.05, help="relative half-width > 0 (default 0.05)")
    a.add_argument("--metric", dest="metrics", action="append", default=[],
                   help="only figures of this metric (repeatable)")
    a.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    _add_executor_args(a)
    a.set_defaults(func=cmd_advise)
    z = sub.add_parser("size", help="smallest/largest lever value meeting a condition with probability P")
    _add_scenario_args(z)
    z.add_argument("--lever", required=True, action="append", metavar="PATH[@DATE]",
                   help="the parameter to size (override grammar); repeat to tie several to one value")
    z.add_argument("--metric", required=True, help="weekly metric of the condition")
    z.add_argument("--window", required=True, metavar="FROM..TO", help="ISO weeks or dates, e.g. 2020-W38..2020-W53")
    z.add_argument("--stat", default="sum", help="statistic over the window: sum, mean, max, min, end")
    g = z.add_mutually_exclusive_group(required=True)
    g.add_argument("--at-most", type=float, metavar="V", help="condition: statistic <= V")
    g.add_argument("--at-least", type=float, metavar="V", help="condition: statistic >= V")
    z.add_argument("--prob", type=_certainty, default=0.9, help="required probability over replications (default 0.9)")
    z.add_argument("--reps", type=positive_int, default=20, help="replications per value (default 20)")
    z.add_argument("--low", type=float, help="lowest value searched (default 0)")
    z.add_argument("--high", type=float, help="highest value searched (default: doubled until met)")
    z.add_argument("--step", type=float, help="resolution of the answer (default 1 for whole numbers)")
    z.add_argument("--slack", type=int, default=1, metavar="K",
                   help="accept a dip of the probability by up to K replications between evaluated values "
                        "(default 1); a larger dip is refused as non-monotone")
    z.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    z.add_argument("--out", help="output folder (default: results/size/<scenario>-<hash>)")
    _add_executor_args(z)
    z.set_defaults(func=cmd_size)
    rep = sub.add_parser("report", help="write a self-contained HTML report of stored results")
    rep.add_argument("results", metavar="RESULTS_DIR",
                     help="results folder written by `ketensim run`, or a sweep store (overview report)")
    rep.add_argument("--baseline", metavar="DIR", help="results folder of the baseline to compare with")
    rep.add_argument("--point", type=int, metavar="N", help="a sweep store's design point N (its full report)")
    rep.add_argument("--baseline-point", type=int, metavar="M", help="compare --point N with point M of the store")
    rep.add_argument("--out", metavar="FILE", help="HTML file (default: RESULTS_DIR/report.html)")
    rep.add_argument("--targets", help=f"targets file with the letter's figures (default: {DEFAULT_TARGETS} when present)")
    rep.add_argument("--lang", choices=["en", "nl"], default="en", help="language of the report (default en)")
    rep.add_argument("--chain-window", metavar="[NAME=]FROM..TO",
                     help="window of the chain overview (default: where the scenarios differ most)")
    _add_window_args(rep)
    rep.set_defaults(func=cmd_report)

    m = sub.add_parser("metrics", help="list every metric: name, part, kind, unit, meaning")
    m.add_argument("--format", choices=("text", "markdown"), default="text")
    m.add_argument("--parts", default="ketensim.model.chain:ALL_PARTS", metavar="MODULE[:NAME]",
                   help="the parts to list (default: the model's chain)")
    m.set_defaults(func=cmd_metrics, plots=False)
    return p


INPUT_OPTIONS = ("targets", "spec", "backtest", "baseline")
"""Options naming a file or folder to read: when given explicitly, it must exist."""


def _check_common_args(args: argparse.Namespace, defaults: dict[str, object] | None = None) -> None:
    """Checks of options whatever subcommand declares them: a seed is a whole number in
    range, a precision a positive finite number, an explicitly given input file exists."""
    import math

    from .experiment.runner import check_seed
    from .scenario.errors import ScenarioError

    if getattr(args, "seed", None) is not None:
        check_seed(args.seed, "--seed")
    precision = getattr(args, "precision", None)
    if precision is not None and not (isinstance(precision, float) and math.isfinite(precision) and precision > 0):
        raise ScenarioError("--precision", "", f"must be a positive number (a relative half-width such as "
                            f"0.05), got {precision}")
    for opt in INPUT_OPTIONS:
        value = getattr(args, opt, None)
        if value and value != (defaults or {}).get(opt) and value != DEFAULT_TARGETS and not Path(value).exists():
            raise ScenarioError(f"--{opt}", value, "not found")


def _defaults(parser: argparse.ArgumentParser, command: str | None) -> dict[str, object]:
    """The chosen subcommand's option defaults (to tell an explicit option from a default)."""
    for action in parser._subparsers._group_actions if parser._subparsers else []:  # noqa: SLF001
        sub = getattr(action, "choices", {}).get(command) if command else None
        if sub is not None:
            return {a.dest: a.default for a in sub._actions}  # noqa: SLF001
    return {}


def _run_guarded(args: argparse.Namespace, defaults: dict[str, object] | None = None) -> int:
    """Run a subcommand so that every failure is one line on stderr: bad input exits 2, a
    fault during the run 1 (the message says what was kept), Ctrl-C 130; ``-v`` adds the
    traceback of unexpected errors. Text given to matplotlib is never parsed as maths (in the
    commands that plot: the others, ``plots=False``, do not import matplotlib at all)."""
    from .experiment.executors import ExecutorError
    from .scenario.bounds import limits_off
    from .scenario.errors import RunFault, ScenarioError, one_line, sigterm_as_interrupt

    def fail(message: str, code: int) -> int:
        clear = "\r\033[K" if sys.stderr.isatty() else ""  # over a progress bar, not after it
        print(f"{clear}ketensim: error: {one_line(message)}", file=sys.stderr)
        return code

    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(sigterm_as_interrupt())  # SIGTERM cleans up like Ctrl-C (exit 143)
            if getattr(args, "no_limits", False):
                stack.enter_context(limits_off())
            if getattr(args, "plots", True):  # ``plots=False``: matplotlib not imported (~0.1 s)
                with contextlib.suppress(ImportError):
                    import matplotlib

                    stack.enter_context(matplotlib.rc_context({"text.parse_math": False}))
            _check_common_args(args, defaults)
            return int(args.func(args) or 0)
    except (ScenarioError, ExecutorError) as exc:
        return fail(str(exc), getattr(exc, "exit_code", 2))
    except RunFault as exc:
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt as exc:
        return fail("interrupted", getattr(exc, "exit_code", 130))
    except BrokenPipeError:  # output piped into `head`: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = exc.filename or "ketensim"
        return fail(f"{where}: {exc.strerror or exc}", 1)
    except RecursionError:
        return fail("input nested too deeply", 2)
    except MemoryError:
        return fail("out of memory (try fewer replications, design points or weeks)", 1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        if args.verbose:
            traceback.print_exc()
        return fail(f"internal error: {type(exc).__name__}: {exc} (rerun with -v for the traceback)", 1)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["sweep", "merge"] and not Path("merge").exists():  # `sweep merge OUT STORE...`
        argv = ["sweep-merge", *argv[2:]]
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    return _run_guarded(args, _defaults(parser, getattr(args, "command", None)))


if __name__ == "__main__":
    sys.exit(main())
