"""Benchmark: the cost of one replication, measured side by side with bare SimPy.

    make bench                       # python bench/run.py: full size (about 6 minutes)
    python bench/run.py --quick      # reduced size, for CI (about a minute)

Every timed figure is a ratio against a reference measured in the same run, because the
machines are shared and noisy. Each measurement runs in a fresh child process (so one
does not inherit the other's heap or garbage), in pairs: bare SimPy, then the model.

Figures (see ``GOALS``):

* R: wall time of 1,000,000 bare SimPy timeout events (1,000 processes, each yielding
  timeouts in a loop: the SimPy ceiling on this machine);
* whole process: ``ketensim run <baseline> --reps 1 --workers 1`` as a new user runs it
  (interpreter start, imports, loading, the replication, writing results) / R;
* in process: one replication (``experiment.runner.simulate``: build, run, weekly table) / R;
* fixed cost: the whole process over a one-week horizon / R;
* three years: one in-process replication of ``scenarios/chain-2020-2022.yaml`` / R and its
  peak memory ("absent" while the file does not exist);
* efficiency: (model SimPy events per second) / (bare SimPy events per second);
* peak memory of the replication's process: ``ru_maxrss`` of the child (whole process:
  interpreter, numpy/pandas and the model);
* cost growth: the replication with 2x and 4x the persons / the 1x replication; "k times
  the persons" multiplies every schema field marked ``EXTENSIVE``
  (``ketensim.scenario.extensive.scale_persons``);
* parallel speed-up: 20 replications on 1 worker / on 2 workers (``run_scenario``);
* start-up time of ``ketensim --help`` (median of several fresh processes);
* the committed baseline calibration's wall time on 2 cores, estimated from this run: its
  trials x replications (results/validation/calibration/summary.json) x the in-process
  replication time / the measured 2-worker speed-up (not run: it would take minutes);
* `ketensim report` of a 20-replication what-if against its baseline, wall time in a fresh
  process and file size (``report_bench.py``; the runs are kept under ``OUT/report-cache``).

``--quick`` uses a 13-week horizon and a quarter-size chain as the 1x scenario, and 4
replications for the speed-up; R stays 1,000,000 events (about a second). ``--before REF``
also measures that git ref's whole-process, in-process and fixed-cost figures and its
profile in the same rounds, against the same R (a before column in the table).
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
THREE_YEARS = ROOT / "scenarios" / "chain-2020-2022.yaml"
CALIBRATION = ROOT / "results" / "validation" / "calibration" / "summary.json"
BARE_EVENTS = 1_000_000
BARE_PROCESSES = 1_000

# figure -> (goal, "<=" or ">=")  (issue 13's goals)
GOALS: dict[str, tuple[float, str]] = {
    "whole_process_over_R": (1.5, "<="),
    "replication_over_R": (1.0, "<="),
    "whole_process_pure_over_R": (1.5, "<="),
    "replication_pure_over_R": (1.0, "<="),
    "fixed_cost_over_R": (0.5, "<="),
    "three_year_over_R": (4.5, "<="),  # issue 27 (issue 13 had 4.0)
    "efficiency": (0.5, ">="),
    "growth_2x": (2.2, "<="),
    "growth_4x": (4.5, "<="),
    "peak_memory_mb": (300.0, "<="),
    "three_year_peak_memory_mb": (300.0, "<="),
    "speedup_2_workers": (1.8, ">="),
    "startup_help_s": (0.5, "<="),
    "calibration_minutes": (4.0, "<="),
    "report_20_reps_s": (10.0, "<="),  # issue 27: `ketensim report` of a 20-replication run (report_bench.py)
    "report_20_reps_mb": (3.0, "<="),
    "size_readme_minutes": (5.0, "<="),  # issue 27: the README's sizing command on 2 workers
}


# --------------------------------------------------------------------------- pure helpers


def scaled(scenario: Any, k: float) -> Any:
    """The scenario with k times every extensive quantity (schema marker ``EXTENSIVE``)."""
    if k == 1:
        return scenario
    from ketensim.policy.timeline import build_timeline
    from ketensim.scenario.extensive import scale_persons

    out = scale_persons(scenario, k)
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


def bench_scenario(quick: bool, k: float = 1.0, which: str = "baseline", weeks: int | None = None) -> Any:
    """The benchmark's 1x scenario (the baseline or the three years; quick: 13 weeks, a
    quarter size) times k; ``weeks`` shortens the horizon further (the fixed cost)."""
    from ketensim.scenario.loader import load_scenario

    sc = load_scenario(THREE_YEARS if which == "three_years" else BASELINE)
    if quick:
        sc = shortened(sc, 13)
        k *= 0.25
    if weeks is not None:
        sc = shortened(sc, weeks)
    return scaled(sc, k)


def calibration_size(path: Path = CALIBRATION) -> tuple[int, int] | None:
    """(trials, replications per trial) of the committed baseline calibration."""
    if not path.exists():
        return None
    summary = json.loads(path.read_text())
    return int(summary["trials"]), int(summary["replications"])


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


def _scenario(quick: bool, k: float = 1.0, which: str = "baseline", scenario_file: str | None = None) -> Any:
    """The benchmark scenario, or the one written to ``scenario_file`` (for another version)."""
    if scenario_file:
        from ketensim.scenario.loader import load_scenario

        return load_scenario(scenario_file)
    return bench_scenario(quick, k, which)


def child_replication(quick: bool, k: float, which: str = "baseline",
                      scenario_file: str | None = None) -> dict[str, Any]:
    from ketensim.experiment.runner import simulate

    sc = _scenario(quick, k, which, scenario_file)
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


def child_write_scenario(quick: bool, weeks: int | None, path: str) -> dict[str, Any]:
    """The benchmark scenario as a YAML file, for the whole-process runs of the CLI."""
    import yaml

    sc = bench_scenario(quick, weeks=weeks)
    Path(path).write_text(yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False))
    return {"path": path, "weeks": sc.horizon.weeks}


def _env(src: str | None, pure: bool = False) -> dict[str, str] | None:
    """The environment of a child that imports ketensim from ``src`` (another version), or
    runs the pure-Python model although it is compiled (``pure``: KETENSIM_PURE=1)."""
    if src is None and not pure:
        return None
    env = {**os.environ, **({"PYTHONPATH": src} if src else {})}
    if pure:
        env["KETENSIM_PURE"] = "1"
    return env


def whole_process(scenario_file: str, out: str, src: str | None = None, pure: bool = False) -> float:
    """Wall time of ``ketensim run <file> --reps 1 --workers 1`` in a fresh process."""
    cmd = [sys.executable, "-c", "import sys; from ketensim.cli import main; sys.exit(main())",
           "run", scenario_file, "--reps", "1", "--workers", "1", "--quiet", "--out", out]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=_env(src, pure))
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"ketensim run {scenario_file} failed:\n{proc.stderr}")
    return wall


def child_profile(quick: bool, top: int, scenario_file: str | None = None) -> dict[str, Any]:
    """cProfile of one replication: the top functions by own time."""
    import cProfile
    import pstats

    from ketensim.experiment.runner import simulate

    sc = _scenario(quick, scenario_file=scenario_file)
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
            "parallel": child_parallel, "profile": child_profile, "write_scenario": child_write_scenario}


def run_child(kind: str, src: str | None = None, pure: bool = False, **kwargs: Any) -> dict[str, Any]:
    """Run one measurement in a fresh Python process (with ketensim from ``src`` if given:
    the version measured alongside; ``pure``: the pure-Python model); returns its JSON answer."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(kwargs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=_env(src, pure))
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


def native_status() -> dict[str, Any]:
    """Whether the figures are of the compiled model (ketensim.native), as a child sees it."""
    from ketensim import native

    st = native.status()
    return {"compiled": st.compiled, "describe": st.describe()}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    return {"python": platform.python_version(), "machine": platform.machine(), "cpu": cpu,
            "cpus": os.cpu_count(), "memory_gb": mem_gb, "system": platform.platform()}


def export_version(ref: str, folder: str) -> str:
    """``git archive`` of a ref's src/ into folder; returns its src path (for PYTHONPATH)."""
    archive = subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return str(Path(folder) / "src")


def run_calibration(trials: int, workers: int = 2) -> float:
    """Wall seconds of the committed baseline calibration run afresh (its calibration file,
    ``trials`` trials, ``workers`` processes) into a temporary folder: the real thing, not an
    estimate."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", "import sys; from ketensim.cli import main; sys.exit(main())",
               "calibrate", str(BASELINE), "--workers", str(workers),
               "--budget", str(trials), "--out", tmp, "--quiet"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0


def measure(quick: bool, repeats: int, profile_top: int, par_reps: int | None = None,
            log=print, before: str | None = None, calibrate: bool = False, cache: Path | None = None) -> dict[str, Any]:
    import tempfile

    started = time.time()
    bare_n = BARE_EVENTS
    scale_ks = (1.0, 2.0, 4.0)
    par_reps = par_reps or (4 if quick else 20)
    three = THREE_YEARS.exists()

    tmp = tempfile.TemporaryDirectory(prefix="ketensim-bench-")
    full_file, week_file = f"{tmp.name}/bench.yaml", f"{tmp.name}/one-week.yaml"
    run_child("write_scenario", quick=quick, weeks=None, path=full_file)
    run_child("write_scenario", quick=quick, weeks=1, path=week_file)
    old_src = old_full = old_week = None
    if before:  # the same 1x figures of an earlier version, in the same rounds
        Path(f"{tmp.name}/before").mkdir()
        old_src = export_version(before, f"{tmp.name}/before")
        old_full, old_week = full_file, week_file  # the same scenario files, read by that version
    old: dict[str, list[tuple[float, Any]]] = {"replication": [], "whole": [], "fixed": []}
    pure: dict[str, list[tuple[float, Any]]] = {"replication": [], "whole": []}
    compiled = native_status()["compiled"]

    def bare() -> dict[str, Any]:
        b = run_child("bare", n_events=bare_n, n_procs=BARE_PROCESSES)
        bares.append(b)
        return b

    bares: list[dict[str, Any]] = []
    reps: dict[float, list[tuple[dict[str, Any], dict[str, Any]]]] = {k: [] for k in scale_ks}
    whole: list[tuple[float, float]] = []
    fixed: list[tuple[float, float]] = []
    years: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for i in range(repeats):
        for k in scale_ks:
            b = bare()
            r = run_child("replication", quick=quick, k=k)
            reps[k].append((b, r))
            log(f"  round {i + 1}/{repeats} x{k:g}: bare {b['wall_s']:.2f}s, "
                f"replication {r['wall_s']:.2f}s ({r.get('gc_s', 0):.2f}s in the cyclic GC), "
                f"{r['events']:,} events, {r['maxrss_mb']:.0f} MB")
        b = bare()
        w = whole_process(full_file, f"{tmp.name}/out-full")
        whole.append((b["wall_s"], w))
        b = bare()
        f = whole_process(week_file, f"{tmp.name}/out-week")
        fixed.append((b["wall_s"], f))
        log(f"  round {i + 1}/{repeats}: whole process {w:.2f}s, one-week horizon {f:.2f}s")
        if compiled:  # the pure-Python fallback, in the same rounds
            b = bare()
            pure["replication"].append((b["wall_s"], run_child("replication", pure=True, quick=quick, k=1.0)))
            b = bare()
            pure["whole"].append((b["wall_s"], whole_process(full_file, f"{tmp.name}/out-pure", pure=True)))
            log(f"  round {i + 1}/{repeats} pure Python: replication {pure['replication'][-1][1]['wall_s']:.2f}s, "
                f"whole process {pure['whole'][-1][1]:.2f}s")
        if old_src:
            b = bare()
            old["replication"].append((b["wall_s"], run_child("replication", src=old_src, quick=quick, k=1.0,
                                                              scenario_file=full_file)))
            b = bare()
            old["whole"].append((b["wall_s"], whole_process(old_full, f"{tmp.name}/out-old", old_src)))
            b = bare()
            old["fixed"].append((b["wall_s"], whole_process(old_week, f"{tmp.name}/out-old-week", old_src)))
            r = old["replication"][-1][1]
            log(f"  round {i + 1}/{repeats} {before}: replication {r['wall_s']:.2f}s, {r['events']:,} events; "
                f"whole process {old['whole'][-1][1]:.2f}s, one-week {old['fixed'][-1][1]:.2f}s")
        if three:
            b = bare()
            r = run_child("replication", quick=quick, k=1.0, which="three_years")
            years.append((b, r))
            log(f"  round {i + 1}/{repeats}: three years {r['wall_s']:.2f}s, {r['events']:,} events, "
                f"{r['maxrss_mb']:.0f} MB")
    one = [r for _, r in reps[1.0]]
    R = statistics.median(b["wall_s"] for b in bares)
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
    helps, help_bares = startup_times(5 if quick else 9)

    rep_s = statistics.median(r["wall_s"] for r in one)
    cal = calibration_size()
    calibration_min = (cal[0] * cal[1] * rep_s / max(speedup, 1.0) / 60.0) if cal and not quick else None
    calibration_how = "estimated"
    if calibrate and cal:
        log(f"  calibration: {cal[0]} trials on 2 workers, run afresh")
        calibration_min, calibration_how = run_calibration(cal[0]) / 60.0, "run"
    from report_bench import measure_report  # bench/report_bench.py (the script's folder is on sys.path)

    report = measure_report(cache or Path(tmp.name) / "report-cache", quick, 1 if quick else 3, log)
    figures: dict[str, float | None] = {
        **report["figures"],
        "whole_process_over_R": median_ratio([w for _, w in whole], [b for b, _ in whole]),
        "replication_over_R": rep_over_R,
        "whole_process_pure_over_R": median_ratio([w for _, w in pure["whole"]], [b for b, _ in pure["whole"]])
        if compiled else None,
        "replication_pure_over_R": median_ratio([r["wall_s"] for _, r in pure["replication"]],
                                                [b for b, _ in pure["replication"]]) if compiled else None,
        "fixed_cost_over_R": median_ratio([f for _, f in fixed], [b for b, _ in fixed]),
        "three_year_over_R": median_ratio([r["wall_s"] for _, r in years], [b["wall_s"] for b, _ in years])
        if years else None,
        "efficiency": eff,
        "growth_2x": growth[2.0],
        "growth_4x": growth[4.0],
        "peak_memory_mb": max(r["maxrss_mb"] for r in one),
        "three_year_peak_memory_mb": max(r["maxrss_mb"] for _, r in years) if years else None,
        "speedup_2_workers": speedup,
        "startup_help_s": statistics.median(helps),
        "calibration_minutes": calibration_min,
    }
    from size_bench import size_readme  # bench/ is this script's folder, first on sys.path

    log("  sizing: the README's `ketensim size` question on 2 workers" + (" (reduced)" if quick else ""))
    size = size_readme(quick)
    figures["size_readme_minutes"] = size["minutes"]
    prof = run_child("profile", quick=quick, top=profile_top) if profile_top else None
    before_figures = None
    if old_src:
        orep = old["replication"]
        before_figures = {
            "ref": before,
            "whole_process_over_R": median_ratio([w for _, w in old["whole"]], [b for b, _ in old["whole"]]),
            "replication_over_R": median_ratio([r["wall_s"] for _, r in orep], [b for b, _ in orep]),
            "fixed_cost_over_R": median_ratio([f for _, f in old["fixed"]], [b for b, _ in old["fixed"]]),
            "efficiency": statistics.median((r["events"] / r["wall_s"]) / (bare_n / b) for b, r in orep),
            "peak_memory_mb": max(r["maxrss_mb"] for _, r in orep),
            "events_per_replication": orep[0][1]["events"],
            "profile": run_child("profile", src=old_src, quick=quick, top=profile_top, scenario_file=full_file)
            if profile_top else None,
        }
    tmp.cleanup()
    return {
        "mode": "quick" if quick else "full",
        "figures": figures,
        "goals": {f: {"goal": g, "op": op, "met": verdict(f, figures[f])} for f, (g, op) in GOALS.items()},
        "measured": {
            "R_s": R,
            "bare": {"timeouts": bare_n, "processes": BARE_PROCESSES,
                     "events": bares[0]["events"], "wall_s": [b["wall_s"] for b in bares]},
            "replication": {f"x{k:g}": [{"wall_s": r["wall_s"], "events": r["events"],
                                          "maxrss_mb": round(r["maxrss_mb"], 1),
                                          "gc_s": r["gc_s"], "gc_collections": r["gc_collections"],
                                          "paired_R_s": b["wall_s"]} for b, r in reps[k]]
                            for k in scale_ks},
            "whole_process": [{"wall_s": w, "paired_R_s": b} for b, w in whole],
            "fixed_cost_one_week": [{"wall_s": f, "paired_R_s": b} for b, f in fixed],
            "three_years": [{"wall_s": r["wall_s"], "events": r["events"], "maxrss_mb": round(r["maxrss_mb"], 1),
                             "paired_R_s": b["wall_s"]} for b, r in years] if years else "absent",
            "events_per_replication": one[0]["events"],
            "replication_s": rep_s,
            "memory_before_simulation_mb": round(one[0]["maxrss_before_mb"], 1),
            "parallel": {"reps": par_reps, "wall_1_worker_s": p1["wall_s"], "wall_2_workers_s": p2["wall_s"],
                         "bare_simpy_speedup_2_workers": machine_speedup,
                         "speedup_over_bare_speedup": speedup / machine_speedup},
            "startup": {"help_s": helps, "python_pass_s": help_bares,
                        "python_pass_median_s": statistics.median(help_bares)},
            "calibration": {"trials": cal[0], "replications": cal[1], "how": calibration_how} if cal else "absent",
            "report": report["measured"],
            "size_readme": size,
        },
        "profile": prof,
        "before": before_figures,
        "notes": {
            "whole_process": "`ketensim run <scenario> --reps 1 --workers 1 --quiet` in a fresh process "
                             "(the benchmark's scenario written to a YAML file)",
            "replication": "experiment.runner.simulate(baseline, replication 0): build, run, weekly table"
                           + ("; quick: 13 weeks, quarter size" if quick else ""),
            "fixed_cost": "the whole process over the first week of the same scenario",
            "three_years": "scenarios/chain-2020-2022.yaml, in process" if three else
                           "absent: scenarios/chain-2020-2022.yaml does not exist yet",
            "peak_memory": "ru_maxrss of the child process running one replication (whole process)",
            "scaling": "every schema field marked EXTENSIVE (stocks, capacities, places, quotas, "
                       "inflow series scales), in the base and in the phases, times k "
                       "(ketensim.scenario.extensive.scale_persons)",
            "calibration": (f"run afresh (--calibrate): `ketensim calibrate {BASELINE.relative_to(ROOT)} "
                            f"--workers 2 --budget {cal[0]}` ({cal[1]} replications a trial), wall time"
                            if calibration_how == "run" else
                            f"estimated, not run (--calibrate runs it): {cal[0]} trials x {cal[1]} replications x "
                            f"{rep_s:.2f} s per replication / speed-up {speedup:.2f}"
                            if cal and not quick else "not estimated at the reduced size"),
            "report": report["note"],
            "size_readme": f"wall time of `{size['command']}` in a fresh process: answer {size['value']:g}, "
                           f"interval {size['interval']}, {size['replications_run']} replications run",
            "ratios": "each timed run is paired with a bare SimPy run just before it; figures are "
                      "medians of the pair-by-pair ratios",
        },
        "environment": {**machine(), "model": native_status(), "load_avg": os.getloadavg(),
                        "date": time.strftime("%Y-%m-%d %H:%M"), "bench_wall_s": round(time.time() - started, 1),
                        "command": "python bench/run.py" + (" --quick" if quick else "")
                        + (f" --before {before}" if before else "")},
    }


LABELS = {
    "whole_process_over_R": ("2020 replication, whole process (`ketensim run --reps 1 --workers 1`) / R",
                             "{:.2f} R"),
    "replication_over_R": ("2020 replication, in process / R", "{:.2f} R"),
    "whole_process_pure_over_R": ("the same whole process, pure-Python model (KETENSIM_PURE=1) / R", "{:.2f} R"),
    "replication_pure_over_R": ("the same in process, pure-Python model / R", "{:.2f} R"),
    "fixed_cost_over_R": ("fixed cost: one-week horizon, whole process / R", "{:.2f} R"),
    "three_year_over_R": ("three-year replication (2020-2022), in process / R", "{:.2f} R"),
    "efficiency": ("efficiency (model events/s / bare events/s)", "{:.2f}"),
    "growth_2x": ("2x persons / 1x", "{:.2f}x"),
    "growth_4x": ("4x persons / 1x", "{:.2f}x"),
    "peak_memory_mb": ("peak memory, 2020 replication (ru_maxrss)", "{:.0f} MB"),
    "three_year_peak_memory_mb": ("peak memory, three-year replication", "{:.0f} MB"),
    "speedup_2_workers": ("speed-up, 2 workers vs 1", "{:.2f}"),
    "startup_help_s": ("`ketensim --help` start-up (median)", "{:.2f} s"),
    "calibration_minutes": ("committed baseline calibration on 2 cores", "{:.1f} min"),
    "report_20_reps_s": ("`ketensim report` of a 20-replication what-if against its baseline", "{:.1f} s"),
    "report_20_reps_mb": ("size of that report (every plot in it)", "{:.2f} MB"),
    "size_readme_minutes": ("README sizing command (`ketensim size`, 2 workers)", "{:.1f} min"),
}


def markdown(result: dict[str, Any]) -> str:
    m, env = result["measured"], result["environment"]
    lines = [
        f"# Benchmark ({result['mode']})",
        "",
        f"Command: `{env['command']}` ({env['date']}; {env.get('cpu', env['machine'])}, "
        f"{env['cpus']} CPUs, {env.get('memory_gb')} GB, Python {env['python']}; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in env['load_avg'])}).",
        "",
        f"R = {m['R_s']:.2f} s for {m['bare']['timeouts']:,} bare SimPy timeouts "
        f"({m['bare']['processes']:,} processes); one replication = "
        f"{m['events_per_replication']:,} SimPy events, {m['replication_s']:.2f} s.",
        "",
    ]
    old = result.get("before")
    if old:
        lines += [f"| figure | before ({old['ref']}) | measured | goal | met? |", "|---|---|---|---|---|"]
    else:
        lines += ["| figure | measured | goal | met? |", "|---|---|---|---|"]
    for f, (label, fmt) in LABELS.items():
        g, value = result["goals"][f], result["figures"][f]
        goal = f"{'≤' if g['op'] == '<=' else '≥'} {g['goal']:g}"
        met = {True: "yes", False: "**no**", None: "-"}[g["met"]]
        shown = fmt.format(value) if value is not None else "absent"
        if old:
            was = fmt.format(old[f]) if old.get(f) is not None else "-"
            lines.append(f"| {label} | {was} | {shown} | {goal} | {met} |")
        else:
            lines.append(f"| {label} | {shown} | {goal} | {met} |")
    if old:
        lines += ["", f"Before ({old['ref']}, same rounds, same R): {old['events_per_replication']:,} SimPy events "
                      "per replication."]
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
                 f"(the model gets {m['parallel']['speedup_over_bare_speedup']:.0%} of what the machine gives)")
    profiles = [("", result.get("profile"))]
    if old and old.get("profile"):
        profiles.append((f" before ({old['ref']})", old["profile"]))
    for which, prof in profiles:
        if not prof:
            continue
        lines += ["", f"## Profile of one replication{which} (cProfile, {prof['total_s']:.1f} s under the profiler)",
                  "", "| function | calls | own s | cumulative s |", "|---|---|---|---|"]
        for row in prof["top"]:
            lines.append(f"| `{row['function']}` | {row['calls']:,} | {row['own_s']:.2f} | {row['cum_s']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="reduced size (CI)")
    p.add_argument("--repeats", type=int, help="rounds of (bare, replication) pairs (default 3; quick 1)")
    p.add_argument("--parallel-reps", type=int, help="replications for the speed-up (default 20; quick 4)")
    p.add_argument("--profile-top", type=int, default=15, help="profile rows to keep (0 = no profile)")
    p.add_argument("--before", metavar="GIT_REF",
                   help="also measure this earlier version's 1x figures in the same rounds (a before column)")
    p.add_argument("--calibrate", action="store_true",
                   help="run the committed baseline calibration afresh and time it (a few minutes) instead of estimating")
    p.add_argument("--out", default=str(ROOT / "results" / "bench"), help="output folder")
    p.add_argument("--child", nargs=2, metavar=("KIND", "JSON"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        kind, kwargs = args.child
        print(json.dumps(CHILDREN[kind](**json.loads(kwargs))))
        return 0
    repeats = args.repeats or (1 if args.quick else 3)
    print(f"ketensim bench ({'quick' if args.quick else 'full'}, {repeats} round(s))", file=sys.stderr)
    result = measure(args.quick, repeats, args.profile_top, args.parallel_reps,
                     log=lambda s: print(s, file=sys.stderr, flush=True), before=args.before,
                     calibrate=args.calibrate, cache=Path(args.out) / "report-cache")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    (out / f"bench{suffix}.json").write_text(json.dumps(result, indent=2) + "\n")
    md = markdown(result)
    (out / f"README{suffix}.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
