"""Small scenarios and sweep files for the experiment tests (runs of ~0.1 s each)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml

from conftest import BASELINE, SCENARIOS

# The last five weeks of 2020 (every phase of the baseline has started), with a tenth of the
# starting stocks: a replication takes about a tenth of a second.
TINY = {
    "name": "tiny",
    "replications": 3,
    "horizon": {"start": "2020-W49", "end": "2021-01-03"},
    "start": {"reception": {"in_procedure": 1350, "permit_holders": 560, "rejected": 820},
              "ind": {"appeals_open": 820},  # appellants are among the rejected (all of them, as the clamp did)
              "dtv": {"outside_reception": 300}},
}


def tiny_scenario(folder: Path, extends: Path = BASELINE, name: str = "tiny", small: bool = True,
                  **extra) -> Path:
    """The tiny scenario; ``small=False`` keeps the baseline's starting stocks (runs of ~1 s)."""
    path = folder / f"{name}.yaml"
    data = {"extends": str(extends), **TINY, "name": name, **extra}
    if not small:
        del data["start"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _as_at_a_terminal() -> None:
    """In the child before exec: Ctrl-C and SIGTERM as a command started at a terminal gets
    them. A test suite started in the background by a non-interactive shell (``make test &``)
    ignores SIGINT, every process it starts inherits that, and the command would rightly
    ignore Ctrl-C too."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _signal_state(pid: int) -> str:
    """The blocked, ignored and caught signal masks of a process (``/proc/PID/status``)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError as exc:
        return str(exc)
    return ", ".join(line.replace("\t", " ") for line in lines if line.startswith(("SigBlk", "SigIgn", "SigCgt")))


def signal_mid_run(cmd: list[str], env: dict[str, str], store: Any, total: int, sig: int,
                   clean: Sequence[Path] = (), stdout: Any = None,
                   on_frozen: Callable[[int], None] | None = None, attempts: int = 3) -> tuple[Any, str]:
    """Start ``cmd`` (a run or sweep storing its runs in ``store``) in its own process group;
    when its first run is stored, freeze the group (SIGSTOP), send ``sig`` to the command
    while runs are still to do, and let the group go on (SIGCONT): the signal lands
    mid-run however slowly this test process is scheduled. If the command finished before it
    could be frozen, it is started again (``clean`` removed first), at most ``attempts``
    times. ``on_frozen(pid)`` runs while the group is frozen. Returns the finished process
    and its stderr."""
    for _ in range(attempts):
        for path in clean:
            shutil.rmtree(path, ignore_errors=True)
        proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True,
                                start_new_session=True, preexec_fn=_as_at_a_terminal)
        t0 = time.monotonic()
        while len(store.files()) < 1 and proc.poll() is None and time.monotonic() - t0 < 120:
            time.sleep(0.02)
        try:
            os.killpg(proc.pid, signal.SIGSTOP)
        except ProcessLookupError:
            pass
        frozen_mid_run = proc.poll() is None and 1 <= len(store.files()) < total  # poll() does not see a stop
        state = ""
        if frozen_mid_run:
            if on_frozen is not None:
                on_frozen(proc.pid)
            state = _signal_state(proc.pid)
            os.kill(proc.pid, sig)
        try:
            os.killpg(proc.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        _, err = proc.communicate(timeout=120)
        if frozen_mid_run:
            if proc.returncode == 0:  # the signal was lost: say what the command's signal state was
                err += f"\n[ended normally after the signal; its signal state when sent: {state}]"
            return proc, err
    raise AssertionError(f"{' '.join(cmd[2:4])} finished before it could be signalled, {attempts} times")


def tiny_sweep(folder: Path, replications: int = 2, name: str = "tiny-sweep", small: bool = True,
               levers: dict | None = None, **extra) -> Path:
    """2 levers x 3 levels (x 1 uncertainty level) on the tiny scenario."""
    tiny_scenario(folder, small=small)
    spec = {
        "name": name,
        "base": "tiny.yaml",
        "replications": replications,
        "levers": levers or {
            "ind.video.coa_rooms@recovery": {"values": [10, 20, 40]},
            "ind.physical.distancing_factor@recovery": {"low": 0.3, "high": 0.9, "levels": 3},
        },
        "uncertainties": {"dtv.independent_weekly_hazard": {"values": [0.0076]}},
        "outcomes": [
            {"name": "video hearings /wk", "metrics": ["ind.hearings_video"]},
            {"name": "backlog at end", "metrics": ["ind.backlog"], "statistic": "snapshot"},
        ],
        **extra,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def ketensim(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ketensim.cli", *args], capture_output=True,
                          text=True, **kw)


TELEHOREN = SCENARIOS / "telehoren-permanent.yaml"
