"""Bench figure: the README's sizing command (docs/howto/sizing.md), timed as a planner runs
it, in a fresh process on 2 workers.

    python bench/size_bench.py [--quick]     # prints the figure as JSON

The full command is the README's (20 replications, search from 0); ``--quick`` the reduced
development version (5 replications, 100..400 in steps of 25). Besides the wall time the
figure keeps the CPU time of the process and its children, the answer, its interval and the
replications run, so a faster run with another answer shows.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "scenarios/second-wave-2020.yaml"
QUESTION = ["--lever", "health.quarantine.external_places@2020-W38", "--metric", "health.quarantine_shortfall",
            "--window", "2020-W38..2020-W53", "--stat", "sum", "--at-most", "0", "--prob", "0.9"]
FULL = ["--reps", "20"]
QUICK = ["--reps", "5", "--low", "100", "--high", "400", "--step", "25"]
WORKERS = 2  # the goal is stated for 2 cores


def size_readme(quick: bool = False, workers: int = WORKERS) -> dict[str, Any]:
    """Wall minutes of ``ketensim size <the README's question>`` in a fresh process, with its
    CPU seconds (children included), answer, interval and replications run."""
    args = [SCENARIO, *QUESTION, *(QUICK if quick else FULL), "--workers", str(workers), "--quiet"]
    with tempfile.TemporaryDirectory(prefix="ketensim-size-bench-") as tmp:
        cmd = [sys.executable, "-c", "import sys; from ketensim.cli import main; sys.exit(main())",
               "size", *args, "--out", tmp]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"ketensim size failed:\n{proc.stderr}")
        data = json.loads((Path(tmp) / "size.json").read_text())
    return {"minutes": wall / 60.0, "wall_s": wall,
            "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "value": data["value"], "interval": data["interval"], "prob_achieved": data["prob_achieved"],
            "values": len(data["evaluations"]), "replications_run": data.get("replications_run"),
            "reps": data["reps"], "prefix": data.get("prefix"),
            "command": "ketensim size " + " ".join(args)}


if __name__ == "__main__":
    print(json.dumps(size_readme("--quick" in sys.argv[1:]), indent=1))
