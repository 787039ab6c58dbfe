"""Sweeps split across CI jobs: run one shard of the design into its own store, then merge.

Run (point p, replication r) belongs to shard ``(r * points + p) mod N``: every run is in
exactly one shard whatever N, the shards are balanced to within one run, and a shard keeps
its runs when the number of replications grows (the index does not depend on it). Shard
stores are ordinary run stores (resumable) with a ``shard`` entry in their manifest; the
merge refuses stores of different sweeps or code, duplicate runs and gaps, so a merged
store is exactly the store a single machine would have written.
"""
from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..scenario.errors import ScenarioError
from .store import RunStore, atomic_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shard:
    k: int  # 1-based, as written on the command line
    n: int

    def owns(self, point: int, replication: int, points: int) -> bool:
        return (replication * points + point) % self.n == self.k - 1

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"


def parse_shard(text: str) -> Shard:
    """'2/3' -> Shard(2, 3); K runs from 1 to N."""
    k, sep, n = text.partition("/")
    try:
        shard = Shard(int(k), int(n))
    except ValueError:
        raise ScenarioError("--shard", "", f"expected K/N with whole numbers (e.g. 2/3), got {text!r}") from None
    if not sep or shard.n < 1 or not 1 <= shard.k <= shard.n:
        raise ScenarioError("--shard", "", f"expected K/N with 1 <= K <= N, got {text!r}")
    return shard


def run_shard(path: str | Path, out: str | Path, shard: Shard, **kw: Any) -> Any:
    """``run_sweep`` restricted to the runs of one shard; the store remembers its shard and
    refuses to continue as another one."""
    from .sweep import plan_sweep, run_sweep

    old = RunStore(out).read_manifest()
    if old is not None and old.get("shard") != {"k": shard.k, "n": shard.n}:
        was = old.get("shard")
        raise ScenarioError(str(out), "manifest.json",
                            f"holds shard {was['k']}/{was['n']}, not {shard}" if was else
                            f"holds an unsharded sweep, not shard {shard}; use another output folder")
    points = len(plan_sweep(path, kw.get("replications")).points)
    return run_sweep(path, out, select=lambda p, r: shard.owns(p, r, points),
                     extra={"shard": {"k": shard.k, "n": shard.n}}, **kw)


def _same(manifests: list[tuple[Path, dict[str, Any]]], key: str, what: str,
          get: Any = None) -> None:
    get = get or (lambda m: m.get(key))
    (p0, m0), *rest = manifests
    for p, m in rest:
        if get(m) != get(m0):
            raise ScenarioError(str(p), "manifest.json",
                                f"{what} differs from {p0} ({get(m)!r} vs {get(m0)!r}); "
                                "merge only shards of one sweep run by one code version")


def _code(m: dict[str, Any]) -> tuple[Any, Any]:
    code = m.get("code", {})
    return code.get("package"), code.get("git")


def merge_stores(out: str | Path, stores: list[str | Path]) -> tuple[RunStore, int]:
    """Copy the runs of shard stores into one store at ``out`` after checking that they hold
    the same design, seed, replications and code version, and together every run exactly
    once. Returns the merged store and its number of runs."""
    if not stores:
        raise ScenarioError("sweep merge", "", "give at least one shard store")
    manifests = []
    for s in map(Path, stores):
        m = RunStore(s).read_manifest()
        if m is None or m.get("kind") != "sweep":
            raise ScenarioError(str(s), "manifest.json", "not found: not a sweep store")
        manifests.append((s, m))
    _same(manifests, "fingerprint", "the sweep (design, seed or scenarios)")
    _same(manifests, "replications", "the number of replications")
    _same(manifests, "code", "the code version", _code)
    first = manifests[0][1]
    n_points, reps = len(first["design"]), int(first["replications"])
    owner: dict[tuple[int, int], Path] = {}
    for s, _ in manifests:
        store = RunStore(s)
        if store.clean_partial():
            log.info("%s: removed partial files", s)
        for f in store.files():
            key = store.key_of(f)
            if key in owner:
                raise ScenarioError(str(s), f"runs/point={key[0]:04d}/rep={key[1]:03d}",
                                    f"duplicate run: also in {owner[key]}")
            owner[key] = s
    files = {key: RunStore(s).path(*key) for key, s in owner.items()}
    missing = [(p, r) for p in range(n_points) for r in range(reps) if (p, r) not in owner]
    extra = sorted(set(owner) - {(p, r) for p in range(n_points) for r in range(reps)})
    if missing:
        p, r = missing[0]
        sh = first.get("shard")
        hint = f" (shard {(r * n_points + p) % sh['n'] + 1}/{sh['n']})" if sh else ""
        raise ScenarioError(str(stores[0]), "runs",
                            f"gap: {len(missing)} of {n_points * reps} runs missing, first point={p:04d} "
                            f"rep={r:03d}{hint}; run the missing shard(s) first")
    if extra:
        raise ScenarioError(str(owner[extra[0]]), "runs", f"run point={extra[0][0]:04d} rep={extra[0][1]:03d} "
                            f"is outside the design of {n_points} points x {reps} replications")
    target = RunStore(out)
    if target.files():
        raise ScenarioError(str(out), "runs", "already holds runs; merge into a new folder")
    with target.lock():
        for key, src in sorted(files.items()):
            atomic_write(target.path(*key), _copier(src))
        manifest = {k: v for k, v in first.items() if k != "shard"}
        manifest["merged_from"] = [{"store": str(s), "shard": m.get("shard"),
                                    "created_at": m.get("created_at")} for s, m in manifests]
        manifest["merged_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        target.write_manifest(manifest)
        _write_summary(target, manifest)
    return target, len(files)


def _copier(src: Path) -> Any:
    def copy(dest: Path) -> None:
        shutil.copyfile(src, dest)

    return copy


def _write_summary(store: RunStore, manifest: dict[str, Any]) -> None:
    """summary.csv as ``ketensim sweep`` writes it, when the sweep file can be re-planned
    here (it is only needed for the outcome definitions and the horizon)."""
    from .sweep import plan_sweep, summarise

    try:
        plan = plan_sweep(manifest["sweep_file"], manifest["replications"])
    except ScenarioError as exc:
        log.warning("summary.csv not written: the sweep file cannot be read here (%s)", exc)
        return
    if plan.fingerprint() != manifest["fingerprint"]:
        log.warning("summary.csv not written: %s no longer matches the stored design", manifest["sweep_file"])
        return
    summary = summarise(store, plan)
    atomic_write(store.root / "summary.csv", lambda f: summary.to_csv(f, index=False))
