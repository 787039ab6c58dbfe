"""Morris elementary-effects screening of the calibration parameters (SALib).

Ranks parameters by mu* (mean absolute elementary effect) on chosen outcomes, each the
replication mean of a target's statistic, so a planner sees which uncertain inputs drive
which letter figures.
"""
from __future__ import annotations

from typing import Callable, Sequence, cast

import numpy as np
import pandas as pd

from ..analysis.targets import Targets, per_replication
from .spec import CalibrationSpec


def morris(spec: CalibrationSpec, targets: Targets, run: Callable[[Sequence[str]], pd.DataFrame],
           trajectories: int = 4, levels: int = 4, outcomes: Sequence[str] = (), seed: int = 1,
           progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Rows: (outcome, parameter) with mu_star, mu_star_conf, sigma; sorted by mu_star."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    params = spec.parameters
    problem = {"num_vars": len(params), "names": [p.path for p in params],
               "bounds": [[p.low, p.high] for p in params]}
    X = morris_sample.sample(problem, N=trajectories, num_levels=levels, seed=seed)
    chosen = [t for t in targets.targets if not outcomes or t.id in outcomes]
    Y = np.zeros((len(X), len(chosen)))
    for i, x in enumerate(X):
        weekly = run([p.override(v) for p, v in zip(params, x)])
        for j, t in enumerate(chosen):
            Y[i, j] = per_replication(weekly, t).mean()
        if progress:
            progress(i + 1, len(X))
    rows = []
    for j, t in enumerate(chosen):
        res = morris_analyze.analyze(problem, X, Y[:, j], num_levels=levels, seed=seed)
        for k, name in enumerate(cast("list[str]", problem["names"])):
            rows.append({"outcome": t.id, "label": t.label, "parameter": name,
                         "mu_star": float(res["mu_star"][k]), "mu_star_conf": float(res["mu_star_conf"][k]),
                         "sigma": float(res["sigma"][k]),
                         "mu_star_rel": float(res["mu_star"][k]) / abs(t.value) if t.value else np.nan})
    out = pd.DataFrame(rows)
    return out.sort_values(["outcome", "mu_star"], ascending=[True, False]).reset_index(drop=True)


def ranking(table: pd.DataFrame) -> pd.DataFrame:
    """Overall rank: mean relative mu* over outcomes (effects scaled by each target's value)."""
    return (table.groupby("parameter").mu_star_rel.mean().sort_values(ascending=False)
            .rename("mean_rel_mu_star").reset_index())


def plot(table: pd.DataFrame, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rank = ranking(table)
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(rank) + 1.5))
    ax.barh(rank.parameter[::-1], rank.mean_rel_mu_star[::-1], color="#3b6ea5")
    ax.set_xlabel("mean relative μ* over outcomes (effect / target value)")
    ax.set_title("Morris screening of the calibration parameters")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
