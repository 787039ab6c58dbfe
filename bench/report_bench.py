"""Bench figure: `ketensim report` on a 20-replication run (issue 27).

The planner waits for the report after every run, so its figure is the wall time of the
command as a user types it, in a fresh process (interpreter start, imports, reading both
result folders, the comparison with the baseline, writing the HTML), and the size of the file
it writes. The runs it reports on are made once with `ketensim run` and kept under the bench
output folder (``report-cache/``; delete it to make them afresh): the baseline and a what-if
(IND distancing halved from 2020-W10), 20 replications of 2020 each (``--quick``: 4
replications of 13 weeks, so bench-ci stays short).

    python bench/report_bench.py --out /tmp/report-bench   # this figure alone
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline-2020.yaml"
WHAT_IF = "ind.physical.distancing_factor@2020-W10=*0.5"
QUICK_END = "horizon.end=2020-W13-7"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ketensim.cli", *args]


def _children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def runs(cache: Path, quick: bool, log: Callable[[str], None] = print) -> tuple[Path, Path, int]:
    """(baseline folder, what-if folder, replications): made with `ketensim run` unless the
    cache holds them already (a manifest with the expected replications)."""
    reps = 4 if quick else 20
    where = cache / ("quick" if quick else "full")
    out = []
    for name, extra in (("baseline", []), ("what-if", ["--set", WHAT_IF])):
        folder = where / name
        manifest = folder / "manifest.json"
        if not (manifest.exists() and len(json.loads(manifest.read_text()).get("replications", [])) == reps):
            log(f"  report: making the {name} run ({reps} replications) in {folder}")
            sets = ["--set", QUICK_END] if quick else []
            subprocess.run(_cli("run", str(BASELINE), "--reps", str(reps), "--workers", "1", "--quiet",
                                "--out", str(folder), *sets, *extra), check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL)
        out.append(folder)
    return out[0], out[1], reps


def measure_report(cache: Path, quick: bool, repeats: int = 3, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Median wall time (and CPU time) of `ketensim report WHAT_IF --baseline BASE --out x.html`
    in fresh processes, and the size of the file: figures ``report_20_reps_s``, ``_mb``."""
    base, alt, reps = runs(cache, quick, log)
    out = cache / ("quick" if quick else "full") / "report.html"
    walls, cpus = [], []
    for i in range(repeats):
        cpu0, t0 = _children_cpu_s(), time.perf_counter()
        subprocess.run(_cli("report", str(alt), "--baseline", str(base), "--out", str(out)), check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t0)
        cpus.append(_children_cpu_s() - cpu0)
        log(f"  report {i + 1}/{repeats}: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU, "
            f"{out.stat().st_size / 1e6:.2f} MB")
    page = out.read_text(encoding="utf-8")
    return {
        "figures": {"report_20_reps_s": statistics.median(walls), "report_20_reps_mb": out.stat().st_size / 1e6},
        "measured": {"replications": reps, "weeks": 13 if quick else 53, "wall_s": walls, "cpu_s": cpus,
                     "bytes": out.stat().st_size, "charts": page.count('<svg class="ch"'),
                     "images": page.count("<img "), "runs": [str(base), str(alt)]},
        "note": (f"`ketensim report <what-if> --baseline <baseline> --out report.html` in a fresh process, median "
                 f"of {repeats}; {reps} replications of {'13 weeks' if quick else '2020'} each (what-if: "
                 f"{WHAT_IF}); the runs are kept in {cache} (delete to make them afresh)"),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="4 replications of 13 weeks")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=str(ROOT / "results" / "bench"), help="bench output folder (runs cached here)")
    args = p.parse_args(argv)
    result = measure_report(Path(args.out) / "report-cache", args.quick, args.repeats,
                            log=lambda s: print(s, file=sys.stderr, flush=True))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
