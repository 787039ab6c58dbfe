"""Fit the uncertain parameters to the letter's targets with Optuna (TPE), resumably.

Every trial runs the same replications (same seed: common random numbers), so trials
differ only by their parameters. The study lives in a journal file in the output folder:
running the same command again continues it instead of starting over.
"""
from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from .. import __version__
from ..analysis.targets import Targets, load_targets
from ..scenario.loader import load_scenario
from .objective import Score, score
from .spec import CalibrationSpec, Parameter

log = logging.getLogger(__name__)


@dataclass
class FitResult:
    best: dict[str, float]
    score: Score
    trials: pd.DataFrame
    out_dir: Path


def runner_for(scenario_path: Path, reps: int, seed: int, workers: int | None,
               fixed: Sequence[str] = ()) -> Callable[[Sequence[str]], pd.DataFrame]:
    """A function overrides -> weekly table (replications 0..reps-1, fixed seed); ``fixed``
    overrides come first on every run."""
    from ..experiment.replications import check_replications
    from ..experiment.runner import run_scenario

    def run(overrides: Sequence[str]) -> pd.DataFrame:
        sc = load_scenario(scenario_path, [*fixed, *overrides])
        res = run_scenario(sc, reps=reps, seed=seed, workers=workers)
        check_replications(res.manifest, reps, consequence=f" with {', '.join(overrides) or 'the scenario values'}",
                           remedy="")
        return res.weekly

    return run


def claim_folder(spec: CalibrationSpec, base_dir: Path, out_dir: Path, ids: Sequence[str],
                 simulated: bool) -> None:
    """Tie an output folder to one calibration (scenario, fixed overrides, targets, fitted ids,
    parameters, replications, seed): resuming a different one there would silently reuse
    results that no longer apply, so it is refused with a one-line error."""
    import hashlib

    from ..experiment.runner import scenario_hash
    from ..scenario.errors import ScenarioError

    if not simulated:  # a caller-supplied run function (tests, notebooks): nothing to check
        return
    blob = json.dumps({
        "scenario": scenario_hash(load_scenario(base_dir / spec.scenario, list(spec.fixed))),
        "targets": (base_dir / spec.targets).read_text(),
        "spec": spec.model_dump(mode="json", exclude={"budget"}), "fit": list(ids),
    }, sort_keys=True).encode()
    fingerprint = hashlib.sha256(blob).hexdigest()[:16]
    path = out_dir / "fingerprint.txt"
    if path.exists() and path.read_text().strip() != fingerprint:
        raise ScenarioError(str(out_dir), "", "holds a calibration of another scenario, spec or target "
                            "set; choose another --out or remove the folder")
    path.write_text(fingerprint + "\n")


def suggest(trial: Any, p: Parameter) -> float:
    if p.integer:
        return float(trial.suggest_int(p.path, int(math.ceil(p.low)), int(math.floor(p.high)), log=p.scale == "log"))
    return float(trial.suggest_float(p.path, p.low, p.high, log=p.scale == "log"))


def calibrate(spec: CalibrationSpec, base_dir: Path, out_dir: Path, budget: int | None = None,
              workers: int | None = None, fit_ids: Sequence[str] | None = None,
              run: Callable[[Sequence[str]], pd.DataFrame] | None = None,
              progress: Callable[[int, int], None] | None = None, fresh: bool = False) -> FitResult:
    """Run (or continue) the study until it has ``budget`` finished trials."""
    if spec.method == "least_squares":
        return calibrate_least_squares(spec, base_dir, out_dir, budget, workers, fit_ids, run,
                                       progress, fresh)
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = load_targets(base_dir / spec.targets)
    ids = list(fit_ids if fit_ids is not None else spec.use_targets)
    claim_folder(spec, base_dir, out_dir, ids, simulated=run is None)
    run = run or runner_for(base_dir / spec.scenario, spec.replications, spec.seed, workers, spec.fixed)
    storage = JournalStorage(JournalFileBackend(str(out_dir / "study.journal")))
    study = optuna.create_study(
        study_name="calibration", storage=storage, direction="minimize", load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=spec.seed, n_startup_trials=min(15, max(budget or spec.budget, 1) // 3)),
    )
    target_n = budget or spec.budget
    done = len([t for t in study.trials if t.state.is_finished()])
    if done == 0 and not fresh:
        # warm start from the scenario's current values (``fresh`` starts from the bounds only)
        study.enqueue_trial({p.path: _current(base_dir / spec.scenario, p) for p in spec.parameters},
                            skip_if_exists=True)

    def objective(trial: Any) -> float:
        values = {p.path: suggest(trial, p) for p in spec.parameters}
        weekly = run([p.override(values[p.path]) for p in spec.parameters])
        s = score(weekly, targets, ids, spec.weights)
        trial.set_user_attr("mean_abs_rel", s.mean_abs_rel)
        return s.loss

    while done < target_n:
        study.optimize(objective, n_trials=1)
        done += 1
        if progress:
            progress(done, target_n)
    best = {p.path: study.best_params[p.path] for p in spec.parameters}
    weekly = run([p.override(best[p.path]) for p in spec.parameters])
    final = score(weekly, targets, (), spec.weights)
    trials = study.trials_dataframe()
    write_outputs(spec, base_dir, out_dir, best, final, trials, targets, ids)
    return FitResult(best, final, trials, out_dir)


def _current(scenario_path: Path, p: Parameter) -> float:
    """The parameter's value in the scenario as it stands (the starting guess)."""
    sc = load_scenario(scenario_path)
    path, _, phase = p.path.partition("@")
    if phase:
        ph = next(x for x in sc.phases if x.name == phase)
        if path in ph.set:
            return float(ph.set[path])  # type: ignore[arg-type]  # a number, validated with the phase
        from ..policy.timeline import build_timeline

        params = next(r.params for r in build_timeline(sc) if r.name == phase)
    else:
        params = sc
    node: Any = params
    for part in path.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return min(max(float(node), p.low), p.high)


def calibrated_overrides(spec: CalibrationSpec, best: dict[str, float]) -> list[str]:
    return [p.override(best[p.path]) for p in spec.parameters]


def write_outputs(spec: CalibrationSpec, base_dir: Path, out_dir: Path, best: dict[str, float],
                  final: Score, trials: pd.DataFrame, targets: Targets, fit_ids: Sequence[str] = ()) -> None:
    from ..experiment.store import atomic_write

    overrides = calibrated_overrides(spec, best)
    lines = [f"# Calibrated by `ketensim calibrate` against {spec.targets}", "# Apply with --set, or",
             "# copy into the scenario.", "overrides:"]
    lines += [f"  - {json.dumps(o)}" for o in overrides]
    atomic_write(out_dir / "calibrated.yaml", lambda p: p.write_text("\n".join(lines) + "\n"))
    atomic_write(out_dir / "fit.csv", lambda p: final.table.to_csv(p, index=False))
    atomic_write(out_dir / "trials.csv", lambda p: trials.to_csv(p, index=False))
    summary = {"best": best, "loss": final.loss, "mean_abs_rel_error": final.mean_abs_rel,
               "trials": int(len(trials)), "replications": spec.replications, "seed": spec.seed,
               "fit_targets": list(fit_ids), "package_version": __version__}
    atomic_write(out_dir / "summary.json", lambda p: p.write_text(json.dumps(summary, indent=1)))


def _to_unit(p: Parameter, value: float) -> float:
    """Parameter value -> [1, 2] (log scale where declared): finite-difference steps relative
    to x then have about the same size everywhere in the range."""
    lo, hi, v = p.low, p.high, value
    if p.scale == "log":
        lo, hi, v = math.log(lo), math.log(hi), math.log(v)
    return 1.0 + (v - lo) / (hi - lo)


def _from_unit(p: Parameter, x: float) -> float:
    u = min(max(x - 1.0, 0.0), 1.0)
    if p.scale == "log":
        return math.exp(math.log(p.low) + u * (math.log(p.high) - math.log(p.low)))
    return p.low + u * (p.high - p.low)


def calibrate_least_squares(spec: CalibrationSpec, base_dir: Path, out_dir: Path, budget: int | None,
                            workers: int | None, fit_ids: Sequence[str] | None,
                            run: Callable[[Sequence[str]], pd.DataFrame] | None,
                            progress: Callable[[int, int], None] | None, fresh: bool) -> FitResult:
    """Bounded trust-region least squares (scipy) on r_i = relative error_i / tolerance_i.

    Every evaluation runs the same replications (common random numbers), so the residuals
    are a deterministic function of the parameters and finite differences are meaningful.
    Evaluations are cached in ``evaluations.jsonl``: a rerun replays them without simulating,
    which makes the fit resumable and reproducible."""
    from scipy.optimize import least_squares

    out_dir.mkdir(parents=True, exist_ok=True)
    targets = load_targets(base_dir / spec.targets)
    ids = list(fit_ids if fit_ids is not None else spec.use_targets)
    claim_folder(spec, base_dir, out_dir, ids, simulated=run is None)
    run = run or runner_for(base_dir / spec.scenario, spec.replications, spec.seed, workers, spec.fixed)
    params = spec.parameters
    cache_path = out_dir / "evaluations.jsonl"
    cache: dict[str, dict[str, Any]] = {}
    if cache_path.exists():
        for line in cache_path.read_text().splitlines():
            rec = json.loads(line)
            cache[rec["key"]] = rec
    limit = budget or spec.budget
    trials: list[dict[str, Any]] = []

    def overrides(x: Sequence[float]) -> list[str]:
        return [p.override(_from_unit(p, xi)) for p, xi in zip(params, x)]

    class Spent(Exception):
        """The budget of simulation runs is used up."""

    def residuals(x: Sequence[float]) -> list[float]:
        if len(trials) >= limit:
            raise Spent
        ov = overrides(x)
        key = "|".join(ov)
        if key not in cache:
            s = score(run(ov), targets, ids, spec.weights)
            table = s.table if not ids else s.table[s.table.id.isin(ids)]
            res = [float(r / t) if not math.isnan(r) else 10.0
                   for r, t in zip(table.rel_error, table.tolerance)]
            cache[key] = {"key": key, "overrides": ov, "residuals": res, "loss": s.loss,
                          "mean_abs_rel": s.mean_abs_rel}
            with cache_path.open("a") as fh:
                fh.write(json.dumps(cache[key]) + "\n")
        rec = cache[key]
        trials.append({"number": len(trials), "value": rec["loss"], "mean_abs_rel": rec["mean_abs_rel"],
                       **{f"params_{p.path}": _from_unit(p, xi) for p, xi in zip(params, x)}})
        if progress:
            progress(min(len(trials), limit), limit)
        return rec["residuals"]

    x0 = [1.5] * len(params) if fresh else [_to_unit(p, _current(base_dir / spec.scenario, p)) for p in params]
    try:  # the budget counts every run, those of the finite-difference Jacobian included
        fit = least_squares(residuals, x0, bounds=(1.0, 2.0), diff_step=0.06, x_scale=1.0, method="trf")
        log.info("least squares stopped: %s", fit.message)
    except Spent:
        log.info("least squares: budget of %d runs used", limit)
    evaluated = pd.DataFrame(trials)
    best_row = evaluated.loc[evaluated.value.idxmin()]
    best = {p.path: float(best_row[f"params_{p.path}"]) for p in params}
    weekly = run([p.override(best[p.path]) for p in params])
    final = score(weekly, targets, (), spec.weights)
    write_outputs(spec, base_dir, out_dir, best, final, evaluated, targets, ids)
    return FitResult(best, final, evaluated, out_dir)
