"""Benchmark: the cost of one replication, measured side by side with bare SimPy.

    make bench                       # python bench/run.py: full size (about 5 minutes)
    python bench/run.py --quick      # reduced size, for CI (under a minute)

Every timed figure is a ratio against a reference measured in the same run, because the
machines are shared and noisy. Each measurement runs in a fresh child process (so one
does not inherit the other's heap or garbage), in pairs: bare SimPy, then the model.

Figures (see ``GOALS``):

* R: wall time of 1,000,000 bare SimPy timeout events (1,000 processes, each yielding
  timeouts in a loop: the SimPy ceiling on this machine);
* one baseline replication (``experiment.runner.simulate``: build, run, weekly table) / R;
* efficiency: (model SimPy events per second) / (bare SimPy events per second);
* peak memory of the replication's process: ``ru_maxrss`` of the child (whole process:
  interpreter, numpy/pandas and the model);
* cost growth: the replication with 2x and 4x the persons / the 1x replication
  (``scaled``: inflow, starting stocks and every capacity times k);
* parallel speed-up: 20 replications on 1 worker / on 2 workers (``run_scenario``);
* start-up time of ``ketensim --help`` (median of several fresh processes).

``--quick`` uses a 13-week horizon and a quarter-size chain as the 1x scenario, and 4
replications for the speed-up; R stays 1,000,000 events (about a second).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline-2020.yaml"
BARE_EVENTS = 1_000_000
BARE_PROCESSES = 1_000

# figure -> (goal, "<=" or ">=")
GOALS: dict[str, tuple[float, str]] = {
    "replication_over_R": (1.0, "<="),
    "efficiency": (0.5, ">="),
    "growth_2x": (2.2, "<="),
    "growth_4x": (4.5, "<="),
    "peak_memory_mb": (300.0, "<="),
    "speedup_2_workers": (1.8, ">="),
    "startup_help_s": (0.5, "<="),
}

# Extensive quantities: multiplied by k to make a k-times larger, comparable chain.
# (dotted path in the scenario, also looked up in every phase's `set`)
SCALED_PATHS = (
    "start.reception.in_procedure",
    "start.reception.permit_holders",
    "start.reception.rejected",
    "start.dtv.outside_reception",
    "reception.housing.target_scale",
    "reception.col.limit",
    "reception.col.registrations_per_week",
    "reception.capacity.buffer",
    "ind.video.coa_rooms",
    "dtv.removals_per_week",
)
SCALED_MAPS = ("ind.physical.offices", "ind.video.ind_rooms")  # every value times k
INTEGER_PATHS = {p for p in SCALED_PATHS if p.startswith("start.") or p.endswith("rooms")} | {
    "reception.col.limit", "reception.capacity.buffer"}


# --------------------------------------------------------------------------- pure helpers


def _get(d: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        d = d[part]
    return d


def _set(d: dict[str, Any], path: str, value: Any) -> None:
    *head, last = path.split(".")
    for part in head:
        d = d[part]
    d[last] = value


def _times(value: float, k: float, integer: bool) -> float | int:
    return int(round(value * k)) if integer else value * k


def scaled(scenario: Any, k: float) -> Any:
    """The scenario with k times the persons and k times every capacity.

    Multiplied by k: inflow (``inflow.*.scale``), starting stocks, the number of COA
    locations of each group and the places of emergency locations, municipal housing per
    week, hearing rooms (physical per office, video on both sides) and forced removals per
    week, in the base and in every phase that sets them. Durations, shares and per-person
    hazards stay, so queues and stays are comparable and only the number of persons grows.
    """
    from ketensim.policy.timeline import build_timeline
    from ketensim.scenario.schema import Scenario

    if k == 1:
        return scenario
    data = scenario.model_dump(mode="python")
    for path in SCALED_PATHS:
        _set(data, path, _times(_get(data, path), k, path in INTEGER_PATHS))
    for path in SCALED_MAPS:
        _set(data, path, {name: int(round(v * k)) for name, v in _get(data, path).items()})
    for series in ("first_applications", "repeat_applications"):
        data["inflow"][series]["scale"] *= k
    for group in data["reception"]["locations"] + data["reception"]["pol"]["locations"]:
        group["count"] = max(1, int(round(group["count"] * k)))
    for em in data["reception"]["emergency"]:
        em["places"] = int(round(em["places"] * k))
        em["isolation_places"] = int(round(em["isolation_places"] * k))
    for phase in data["phases"]:
        for key, value in list(phase["set"].items()):
            if key in SCALED_PATHS:
                phase["set"][key] = _times(value, k, key in INTEGER_PATHS)
            elif key.endswith(".scale") and key.startswith("inflow."):
                phase["set"][key] = value * k
            elif any(key.startswith(m + ".") for m in SCALED_MAPS):
                phase["set"][key] = int(round(value * k))
    data["name"] = f"{scenario.name}-x{k:g}"
    out = Scenario.model_validate(data)
    build_timeline(out)  # every phase still validates
    return out


def shortened(scenario: Any, weeks: int) -> Any:
    """The scenario over its first ``weeks`` weeks (phases after the end dropped)."""
    from ketensim.scenario.schema import Scenario

    data = scenario.model_dump(mode="python")
    end = scenario.horizon.start + dt.timedelta(days=7 * weeks - 1)
    data["horizon"]["end"] = end
    data["phases"] = [data["phases"][0]] + [p for p in data["phases"][1:] if p["start"] <= end]
    return Scenario.model_validate(data)


def bench_scenario(quick: bool, k: float = 1.0) -> Any:
    """The benchmark's 1x scenario (the baseline; quick: 13 weeks, a quarter size) times k."""
    from ketensim.scenario.loader import load_scenario

    sc = load_scenario(BASELINE)
    if quick:
        sc = shortened(sc, 13)
        k *= 0.25
    return scaled(sc, k)


def verdict(figure: str, value: float | None) -> bool | None:
    if value is None:
        return None
    goal, op = GOALS[figure]
    return value <= goal if op == "<=" else value >= goal


def median_ratio(num: list[float], den: list[float]) -> float:
    """Median of the pair-by-pair ratios (pairs measured back to back)."""
    return statistics.median(a / b for a, b in zip(num, den))


# --------------------------------------------------------------------------- children


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def child_bare(n_events: int, n_procs: int) -> dict[str, Any]:
    """n_procs processes yielding timeouts until n_events timeouts have been processed."""
    import simpy

    per_proc = n_events // n_procs
    t0 = time.perf_counter()
    env = simpy.Environment()

    def worker(env: simpy.Environment, delay: float):
        for _ in range(per_proc):
            yield env.timeout(delay)

    for i in range(n_procs):
        env.process(worker(env, 1.0 + (i % 97) / 97.0))
    env.run()
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "events": next(env._eid), "timeouts": per_proc * n_procs}


class GcTimer:
    """Time spent in Python's cyclic garbage collector, per generation (gc.callbacks).

    A profiler charges a collection to whichever function happened to allocate; this
    shows it apart.
    """

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.collections = [0, 0, 0]
        self._t = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t = time.perf_counter()
        else:
            g = info["generation"]
            self.seconds[g] += time.perf_counter() - self._t
            self.collections[g] += 1

    def __enter__(self) -> "GcTimer":
        import gc

        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        import gc

        gc.callbacks.remove(self)


def child_replication(quick: bool, k: float) -> dict[str, Any]:
    from ketensim.experiment.runner import simulate

    sc = bench_scenario(quick, k)
    rss0 = _maxrss_mb()
    with GcTimer() as gct:
        t0 = time.perf_counter()
        rec = simulate(sc, 0)
        wall = time.perf_counter() - t0
    if rec.error:
        raise RuntimeError(rec.error)
    return {"wall_s": wall, "events": rec.events, "maxrss_mb": _maxrss_mb(),
            "maxrss_before_mb": rss0, "rows": len(rec.weekly),
            "gc_s": sum(gct.seconds), "gc_collections": gct.collections}


def child_parallel(quick: bool, reps: int, workers: int) -> dict[str, Any]:
    from ketensim.experiment.runner import run_scenario

    sc = bench_scenario(quick)
    t0 = time.perf_counter()
    res = run_scenario(sc, reps=reps, workers=workers)
    wall = time.perf_counter() - t0
    errors = [r for r in res.manifest["replications"] if r["error"]]
    if errors:
        raise RuntimeError(errors[0]["error"])
    return {"wall_s": wall, "reps": reps, "workers": workers}


def child_profile(quick: bool, top: int) -> dict[str, Any]:
    """cProfile of one replication: the top functions by own time."""
    import cProfile
    import pstats

    from ketensim.experiment.runner import simulate

    sc = bench_scenario(quick)
    prof = cProfile.Profile()
    prof.enable()
    simulate(sc, 0)
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (path, line, fn), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = path.split("site-packages/")[-1].split("src/")[-1]
        rows.append({"function": f"{short}:{line}({fn})", "calls": ncalls,
                     "own_s": tottime, "cum_s": cumtime})
    rows.sort(key=lambda r: -r["own_s"])
    return {"total_s": total, "top": rows[:top]}


def _bare_job(n_events: int) -> float:
    return child_bare(n_events, BARE_PROCESSES)["wall_s"]


def child_bare_parallel(jobs: int, n_events: int, workers: int) -> dict[str, Any]:
    """The machine's own speed-up: bare SimPy jobs on local processes, as run_scenario does."""
    from concurrent.futures import ProcessPoolExecutor

    t0 = time.perf_counter()
    if workers <= 1:
        for _ in range(jobs):
            _bare_job(n_events)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_bare_job, [n_events] * jobs))
    return {"wall_s": time.perf_counter() - t0, "jobs": jobs, "workers": workers}


CHILDREN = {"bare": child_bare, "bare_parallel": child_bare_parallel, "replication": child_replication,
            "parallel": child_parallel, "profile": child_profile}


def run_child(kind: str, **kwargs: Any) -> dict[str, Any]:
    """Run one measurement in a fresh Python process; returns its JSON answer."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(kwargs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {kind} {kwargs} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def startup_times(n: int) -> tuple[list[float], list[float]]:
    """Wall times of `ketensim --help` and of a bare `python -c pass`, alternated."""
    help_cmd = [sys.executable, "-c", "import sys; from ketensim.cli import main; sys.exit(main())", "--help"]
    bare_cmd = [sys.executable, "-c", "pass"]
    helps, bares = [], []
    for i in range(n + 1):
        for cmd, out in ((help_cmd, helps), (bare_cmd, bares)):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT)
            if i:  # the first round warms the file cache
                out.append(time.perf_counter() - t0)
    return helps, bares


# --------------------------------------------------------------------------- the bench


def measure(quick: bool, repeats: int, profile_top: int, log=print) -> dict[str, Any]:
    started = time.time()
    bare_n = BARE_EVENTS
    scale_ks = (1.0, 2.0, 4.0)
    par_reps = 4 if quick else 20

    bare, reps = [], {k: [] for k in scale_ks}
    for i in range(repeats):
        for k in scale_ks:
            b = run_child("bare", n_events=bare_n, n_procs=BARE_PROCESSES)
            r = run_child("replication", quick=quick, k=k)
            bare.append(b)
            reps[k].append((b, r))
            log(f"  round {i + 1}/{repeats} x{k:g}: bare {b['wall_s']:.2f}s, "
                f"replication {r['wall_s']:.2f}s ({r.get('gc_s', 0):.2f}s in the cyclic GC), "
                f"{r['events']:,} events, {r['maxrss_mb']:.0f} MB")
    one = [r for _, r in reps[1.0]]
    R = statistics.median(b["wall_s"] for b in bare)
    rep_over_R = median_ratio([r["wall_s"] for _, r in reps[1.0]], [b["wall_s"] for b, _ in reps[1.0]])
    # events per second of the model over events per second of bare SimPy, pair by pair
    eff = statistics.median(
        (r["events"] / r["wall_s"]) / (b["events"] / b["wall_s"]) for b, r in reps[1.0])
    # growth: the k-times replication over the 1x one; each normalised by its own paired R
    norm = {k: [r["wall_s"] / b["wall_s"] for b, r in reps[k]] for k in scale_ks}
    growth = {k: statistics.median(a / b for a, b in zip(norm[k], norm[1.0])) for k in scale_ks}

    log(f"  parallel: {par_reps} replications on 1 worker, then on 2")
    p1 = run_child("parallel", quick=quick, reps=par_reps, workers=1)
    p2 = run_child("parallel", quick=quick, reps=par_reps, workers=2)
    speedup = p1["wall_s"] / p2["wall_s"]
    # what this (shared) machine gives two processes at the moment: bare SimPy jobs
    b1 = run_child("bare_parallel", jobs=4 if quick else 8, n_events=250_000, workers=1)
    b2 = run_child("bare_parallel", jobs=4 if quick else 8, n_events=250_000, workers=2)
    machine_speedup = b1["wall_s"] / b2["wall_s"]

    log("  start-up: ketensim --help")
    helps, bares = startup_times(5 if quick else 9)

    figures = {
        "replication_over_R": rep_over_R,
        "efficiency": eff,
        "growth_2x": growth[2.0],
        "growth_4x": growth[4.0],
        "peak_memory_mb": max(r["maxrss_mb"] for r in one),
        "speedup_2_workers": speedup,
        "startup_help_s": statistics.median(helps),
    }
    prof = run_child("profile", quick=quick, top=profile_top) if profile_top else None
    return {
        "mode": "quick" if quick else "full",
        "figures": figures,
        "goals": {f: {"goal": g, "op": op, "met": verdict(f, figures[f])} for f, (g, op) in GOALS.items()},
        "measured": {
            "R_s": R,
            "bare": {"timeouts": bare_n, "processes": BARE_PROCESSES,
                     "events": bare[0]["events"], "wall_s": [b["wall_s"] for b in bare]},
            "replication": {f"x{k:g}": [{"wall_s": r["wall_s"], "events": r["events"],
                                          "maxrss_mb": round(r["maxrss_mb"], 1),
                                          "gc_s": r["gc_s"], "gc_collections": r["gc_collections"],
                                          "paired_R_s": b["wall_s"]} for b, r in reps[k]]
                            for k in scale_ks},
            "events_per_replication": one[0]["events"],
            "memory_before_simulation_mb": round(one[0]["maxrss_before_mb"], 1),
            "parallel": {"reps": par_reps, "wall_1_worker_s": p1["wall_s"], "wall_2_workers_s": p2["wall_s"],
                         "bare_simpy_speedup_2_workers": machine_speedup,
                         "speedup_over_bare_speedup": speedup / machine_speedup},
            "startup": {"help_s": helps, "python_pass_s": bares,
                        "python_pass_median_s": statistics.median(bares)},
        },
        "profile": prof,
        "notes": {
            "replication": "experiment.runner.simulate(baseline, replication 0): build, run, weekly table"
                           + ("; quick: 13 weeks, quarter size" if quick else ""),
            "peak_memory": "ru_maxrss of the child process running one replication (whole process)",
            "scaling": "inflow scale, starting stocks, COA location count and emergency places, housing "
                       "per week, hearing rooms and removals per week, all times k (bench/run.py: scaled)",
            "ratios": "each replication is paired with a bare SimPy run just before it; figures are "
                      "medians of the pair-by-pair ratios",
        },
        "environment": {"python": platform.python_version(), "machine": platform.machine(),
                        "cpus": os.cpu_count(), "load_avg": os.getloadavg(),
                        "date": time.strftime("%Y-%m-%d %H:%M"), "bench_wall_s": round(time.time() - started, 1),
                        "command": "python bench/run.py" + (" --quick" if quick else "")},
    }


LABELS = {
    "replication_over_R": ("one baseline replication / R", "{:.2f} R"),
    "efficiency": ("efficiency (model events/s / bare events/s)", "{:.2f}"),
    "growth_2x": ("2x persons / 1x", "{:.2f}x"),
    "growth_4x": ("4x persons / 1x", "{:.2f}x"),
    "peak_memory_mb": ("peak memory of one replication (ru_maxrss)", "{:.0f} MB"),
    "speedup_2_workers": ("speed-up, 2 workers vs 1", "{:.2f}"),
    "startup_help_s": ("`ketensim --help` start-up (median)", "{:.2f} s"),
}


def markdown(result: dict[str, Any]) -> str:
    m = result["measured"]
    lines = [
        f"# Benchmark ({result['mode']})",
        "",
        f"Command: `{result['environment']['command']}` "
        f"({result['environment']['date']}, Python {result['environment']['python']}, "
        f"{result['environment']['cpus']} CPUs, load average at the end "
        f"{', '.join(f'{x:.1f}' for x in result['environment']['load_avg'])}).",
        "",
        f"R = {m['R_s']:.2f} s for {m['bare']['timeouts']:,} bare SimPy timeouts "
        f"({m['bare']['processes']:,} processes); one replication = "
        f"{m['events_per_replication']:,} SimPy events.",
        "",
        "| figure | measured | goal | met? |",
        "|---|---|---|---|",
    ]
    for f, (label, fmt) in LABELS.items():
        g = result["goals"][f]
        goal = f"{'≤' if g['op'] == '<=' else '≥'} {g['goal']:g}"
        met = {True: "yes", False: "**no**", None: "-"}[g["met"]]
        lines.append(f"| {label} | {fmt.format(result['figures'][f])} | {goal} | {met} |")
    lines += ["", "Notes:"]
    lines += [f"- {k}: {v}" for k, v in result["notes"].items()]
    lines.append(f"- start-up of a bare `python -c pass` for comparison: "
                 f"{m['startup']['python_pass_median_s']:.2f} s")
    gc_share = {k: statistics.median(r["gc_s"] / r["wall_s"] for r in rs) for k, rs in m["replication"].items()}
    lines.append("- share of the replication's wall time spent in the cyclic garbage collector: "
                 + ", ".join(f"{k} {v:.0%}" for k, v in gc_share.items()))
    lines.append(f"- parallel: {m['parallel']['reps']} replications, "
                 f"{m['parallel']['wall_1_worker_s']:.1f} s on 1 worker, "
                 f"{m['parallel']['wall_2_workers_s']:.1f} s on 2; bare SimPy jobs on the same machine "
                 f"at the same time reach a speed-up of {m['parallel']['bare_simpy_speedup_2_workers']:.2f} "
                 f"(the model gets {m['parallel']['speedup_over_bare_speedup']:.0%} of what the machine gives; "
                 f"a shared machine under load cannot show 1.8)")
    prof = result.get("profile")
    if prof:
        lines += ["", f"## Profile of one replication (cProfile, {prof['total_s']:.1f} s under the profiler)",
                  "", "| function | calls | own s | cumulative s |", "|---|---|---|---|"]
        for row in prof["top"]:
            lines.append(f"| `{row['function']}` | {row['calls']:,} | {row['own_s']:.2f} | {row['cum_s']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="reduced size (CI)")
    p.add_argument("--repeats", type=int, help="rounds of (bare, replication) pairs (default 3; quick 1)")
    p.add_argument("--profile-top", type=int, default=15, help="profile rows to keep (0 = no profile)")
    p.add_argument("--out", default=str(ROOT / "results" / "bench"), help="output folder")
    p.add_argument("--child", nargs=2, metavar=("KIND", "JSON"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        kind, kwargs = args.child
        print(json.dumps(CHILDREN[kind](**json.loads(kwargs))))
        return 0
    repeats = args.repeats or (1 if args.quick else 3)
    print(f"ketensim bench ({'quick' if args.quick else 'full'}, {repeats} round(s))", file=sys.stderr)
    result = measure(args.quick, repeats, args.profile_top,
                     log=lambda s: print(s, file=sys.stderr, flush=True))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    (out / f"bench{suffix}.json").write_text(json.dumps(result, indent=2) + "\n")
    md = markdown(result)
    (out / f"README{suffix}.md" if args.quick else out / "README.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
