"""ketensim: a discrete-event simulator of the Dutch migration chain under COVID-19.

The package import is kept light (no pandas, SimPy or matplotlib at import time) so the
command line starts fast; the Python API functions import what they need when called.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load", "run"]


def load(path, *overrides: str, **kw_overrides):
    """Load and validate a scenario file, with optional ``dotted.path=value`` overrides.

    >>> from ketensim import load
    >>> sc = load("scenarios/baseline-2020.yaml", "ind.video.coa_rooms=40")  # doctest: +SKIP
    """
    from .scenario.loader import load_scenario

    sets = list(overrides) + [f"{k.replace('__', '.')}={v}" for k, v in kw_overrides.items()]
    return load_scenario(path, sets)


def run(scenario, reps: int | None = None, seed: int | None = None, workers: int | None = None):
    """Run replications of a scenario (a path or a Scenario); returns a Results object."""
    from .experiment.runner import run_scenario
    from .scenario.loader import load_scenario

    if not hasattr(scenario, "horizon"):
        scenario = load_scenario(scenario, [])
    return run_scenario(scenario, reps=reps, seed=seed, workers=workers)
