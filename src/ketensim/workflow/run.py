"""Run a scenario into a results folder: finished replications are kept in a resume store
(a hidden sibling of the folder) as they finish, so an interrupted or failed run resumes
where it stopped; the folder is written as a set (with ``need.csv`` when asked) only when
every replication succeeded, or when partial results are asked for; then the store goes."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from ..experiment.replications import check_replications
from ..scenario.errors import RunFault

if TYPE_CHECKING:
    import pandas as pd

    from ..experiment.results import Results
    from ..scenario.schema import Scenario


ExtraFiles = Callable[["Results", "pd.DataFrame | None"], Mapping[str, Callable[[Path], object]]]
"""More files of a results set, from the results and the required-capacity table: name -> writer."""


@dataclass(frozen=True)
class Need:
    """Required capacity: the places that sufficed in at least ``prob`` of the replications,
    plus a ``buffer`` share (``metrics.need``)."""

    prob: float
    buffer: float = 0.0


@dataclass
class StoredRun:
    """A run written to ``out``: its results, the required-capacity table (with ``Need``)
    and the failed replications kept as partial results (empty when all succeeded)."""

    results: "Results"
    out: Path
    need: "pd.DataFrame | None" = None
    failed: list[dict[str, Any]] | None = None


def run_replications(scenario: "Scenario", reps: int | None = None, seed: int | None = None, *,
                     workers: int | None = None, executor: Any = None, overrides: Sequence[str] = (),
                     progress: Callable[..., None] | None = None, store: str | os.PathLike[str] | None = None,
                     keep_partial: bool = False, consequence: str = "",
                     remedy: str = "or keep the finished ones with keep_partial=True") -> "Results":
    """Replications of a scenario in memory (no results folder), under the failed-replication
    policy: an error by default, or with ``keep_partial`` the finished ones with the failed
    ones flagged in the manifest (``Results.failed_replications``)."""
    from ..experiment.runner import run_scenario

    reps = scenario.replications if reps is None else reps
    res = run_scenario(scenario, reps=reps, seed=seed, workers=workers, executor=executor, store=store,
                       overrides=overrides, progress=progress)
    check_replications(res.manifest, reps, keep_partial=keep_partial, consequence=consequence, remedy=remedy)
    return res


def run_to_folder(scenario: "Scenario", out: str | os.PathLike[str], reps: int | None = None,
                  seed: int | None = None, *, workers: int | None = None, executor: Any = None,
                  overrides: Sequence[str] = (), progress: Callable[..., None] | None = None,
                  need: Need | None = None, keep_partial: bool = False,
                  extra_files: ExtraFiles | None = None) -> StoredRun:
    """Run ``reps`` replications into the results folder ``out`` with resume (the folder is
    checked before anything runs). A failed replication leaves ``out`` untouched and keeps
    the finished ones in the store (``ReplicationsFailed``), unless ``keep_partial``.
    ``extra_files(results, need_table)`` names more files of the set (a workbook) and their
    writers: they are written with the rest, or none is."""
    from ..experiment.runner import run_scenario
    from ..experiment.store import check_output_dir, run_store_path

    out = check_output_dir(Path(out), results_set=True)
    reps = scenario.replications if reps is None else reps
    store = run_store_path(out)
    with _faults_kept(store, out, reps):
        res = run_scenario(scenario, reps=reps, seed=seed, workers=workers, executor=executor, store=store,
                           overrides=list(overrides), progress=progress)
    failed = check_replications(
        res.manifest, reps, keep_partial=keep_partial,
        consequence=f", so {out} was not written (earlier results there are untouched); the failed runs' "
                    f"errors and the finished replications are kept in {store}")
    table = _write(res, out, store, reps, need, scenario, extra_files)
    if not failed:
        shutil.rmtree(store, ignore_errors=True)
    return StoredRun(res, out, table, failed)


class _faults_kept:
    """Turn Ctrl-C and a failed write to the store (a full disk) into a ``RunFault`` that
    says how many replications are kept for a resume and that ``out`` is unchanged."""

    def __init__(self, store: Path, out: Path, reps: int) -> None:
        self.store, self.out, self.reps = store, out, reps

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        from ..experiment.store import RunStore, kept_note

        if isinstance(exc, KeyboardInterrupt):
            raise RunFault(f"interrupted: {kept_note(RunStore(self.store), self.reps)} (partial); rerun the same "
                           f"command to resume; {self.out} is unchanged", 130) from None
        if isinstance(exc, OSError):  # e.g. the disk filled up while storing a replication
            raise RunFault(f"{exc.filename or self.store}: {exc.strerror or exc}; "
                           f"{kept_note(RunStore(self.store), self.reps)}; rerun the same command to resume; "
                           f"{self.out} is unchanged") from None
        return None


def _write(res: "Results", out: Path, store: Path, reps: int, need: Need | None,
           scenario: "Scenario", extra_files: ExtraFiles | None = None) -> "pd.DataFrame | None":
    """Write the results folder as a set, with ``need.csv`` when asked; the required-capacity
    table (None without ``need`` or without weeks)."""
    from ..experiment.store import write_results

    extras: dict[str, Callable[[Path], object]] = {}
    table = None
    if need is not None:
        res.manifest["need"] = {"prob": need.prob, "buffer": need.buffer}
        if not res.weekly.empty:
            from ..metrics.need import need_table

            table = frame = need_table(res.weekly, need.prob, need.buffer, scenario)
            extras["need.csv"] = lambda p: frame.to_csv(p, index=False)  # part of the set
    if extra_files is not None:
        extras.update(extra_files(res, table))
    try:
        write_results(out, res.weekly, res.manifest, extras)
    except OSError as exc:
        raise RunFault(f"{out}: cannot write the results ({exc.strerror or exc}); earlier results there "
                       f"are untouched; the {reps} replications are kept in {store}: rerun the same "
                       "command to write them") from None
    return table
