"""The Python API for researchers: load a scenario, run it, look at the results.

A short tour (a 20-week horizon and two replications keep it quick; the examples run as
tests from the repository root)::

    >>> import ketensim
    >>> sc = ketensim.load("scenarios/baseline-2020.yaml", "horizon.end=2020-W20-7")
    >>> res = ketensim.run(sc, reps=2, workers=1)
    >>> res.replications, res.weeks
    (2, 20)
    >>> {"ind.hearings_physical", "coa.occupancy"} <= set(res.metrics)
    True
    >>> table = res.summary(windows=["W01-11 pre", "W12-17 lockdown"])
    >>> list(table.columns)
    ['figure', 'window', 'from', 'to', 'statistic', 'mean', 'ci_low', 'ci_high', 'reps', 'partial']
    >>> res.summary(["autumn=2020-W15..2020-W30"], ["coa.occupancy"], stat="max").window.tolist()
    ['autumn (partial: W15-W20)']
    >>> checks = res.check_targets()          # the letter's figures in the run's weeks
    >>> sorted(checks.id)
    ['I1', 'T4', 'T5']
    >>> ax = res.plot("ind.hearings_physical")  # mean, 90% band, phases, the letter
    >>> ax.get_title(loc="left")
    'physical hearings (hearings/week)'

A what-if against the baseline, with common random numbers (same seed)::

    >>> tele = ketensim.run(ketensim.load("scenarios/telehoren-permanent.yaml",
    ...                                   "horizon.end=2020-W20-7"), reps=2, workers=1)
    >>> diff = tele.compare(res, windows={"May": ("2020-W19", "2020-W20")},
    ...                     figures=["ind.hearings_video"])
    >>> bool(diff.loc[0, "difference"] > 0)     # more video rooms, more video hearings
    True

Results are stored and read back with ``write`` and ``ketensim.read`` (a sweep store too:
``ketensim.read(store).point(3)`` is a design point's ``Results``); ``ketensim.html_report``
writes the HTML report of stored results.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .experiment.results import TARGETS_FILE, Results, _plain_text, _targets, default_targets_path  # noqa: F401 (API)

if TYPE_CHECKING:
    import pandas as pd

    from .analysis.targets import Targets
    from .experiment.sweep_results import SweepResults
    from .scenario.schema import Scenario

RunResults = Results
"""The results of ``run``, ``read``, a comparison or a sweep point (``ketensim.results``)."""


def load(path: str | os.PathLike[str], *overrides: str, **kw_overrides: Any) -> "Scenario":
    """Load and validate a scenario file, with overrides in the grammar of ``--set``
    (``path=value``, ``path@phase=value``, ``path@DATE[..DATE]=value``; keyword overrides
    use ``__`` for the dots).

    >>> sc = load("scenarios/baseline-2020.yaml", "ind.video.coa_rooms@recovery=40")
    >>> sc.name, [p.name for p in sc.phases][:2]
    ('baseline-2020', ['pre-covid', 'lockdown'])
    >>> load("scenarios/baseline-2020.yaml", dtv__travel_open=0.5).dtv.travel_open
    0.5
    >>> load("scenarios/baseline-2020.yaml", "dublin.transfers_per_week@2020-11-01=0").changes[0].start
    datetime.date(2020, 11, 1)
    """
    from .scenario.loader import load_scenario

    sets = list(overrides) + [f"{k.replace('__', '.')}={v}" for k, v in kw_overrides.items()]
    return load_scenario(Path(path), sets)


def run(scenario: "Scenario | str | os.PathLike[str]", reps: int | None = None, seed: int | None = None,
        workers: int | None = None, overrides: Sequence[str] = (), *,
        out: str | os.PathLike[str] | None = None, keep_partial: bool = False) -> Results:
    """Run replications of a scenario (a ``Scenario`` or a path, with optional overrides);
    ``workers=1`` runs in this process. Returns a ``Results``. With ``out`` the results are
    written there as ``ketensim run`` writes them (finished replications kept for a resume).

    A failed replication is an error (``ReplicationsFailed``, as ``ketensim run`` exits 1),
    or with ``keep_partial=True`` the finished replications are returned, flagged by
    ``Results.failed_replications``."""
    from .workflow.run import run_replications, run_to_folder

    if isinstance(scenario, (str, os.PathLike)):
        scenario = load(scenario, *overrides)
    elif overrides:
        raise ValueError("overrides apply to a scenario path; pass them to ketensim.load instead")
    if out is not None:
        return run_to_folder(scenario, out, reps, seed, workers=workers, overrides=overrides,
                             keep_partial=keep_partial).results
    return run_replications(scenario, reps, seed, workers=workers, overrides=overrides,
                            keep_partial=keep_partial)


def size(scenario: str | os.PathLike[str], lever: str, metric: str, window: str, stat: str = "sum", *,
         at_most: float | None = None, at_least: float | None = None, prob: float = 0.9,
         reps: int = 20, low: float | None = None, high: float | None = None,
         step: float | None = None, seed: int | None = None, overrides: Sequence[str] = (),
         workers: int = 1, out: str | os.PathLike[str] | None = None) -> Any:
    """The smallest (or largest) value of ``lever`` for which ``stat`` of ``metric`` over
    ``window`` is at most / at least a bound with probability ``prob`` over replications
    (common random numbers, bisection, bootstrap interval); see ``ketensim size``.
    Returns a ``SizeResult`` (``.value``, ``.prob_achieved``, ``.prob_below``, ``.interval``,
    ``.evaluations``); with ``out`` also writes ``size.json`` and ``size.png`` there."""
    from .experiment.executors import make_executor
    from .experiment.size_scenario import size_scenario, write_size

    with make_executor(workers=workers) as ex:
        res = size_scenario(str(scenario), lever, metric, window, stat, at_most=at_most,
                            at_least=at_least, prob=prob, reps=reps, low=low, high=high, step=step,
                            seed=seed, overrides=tuple(overrides), executor=ex)
    if out is not None:
        write_size(res, str(out))
    return res


def read(store: str | os.PathLike[str], point: int | None = None) -> "Results | SweepResults":
    """Stored results: a folder written by ``ketensim run`` (weekly.parquet, manifest.json)
    gives a ``Results``; a sweep store gives a ``SweepResults`` (``.point(n)`` is the
    ``Results`` of design point n, ``.summary`` the outcome table), or with ``point=`` that
    point's ``Results`` directly. A folder without (or with damaged) results is a one-line
    ``ResultsError``, a wrong ``point`` a ``ScenarioError``."""
    from .experiment.sweep_results import is_sweep_store, read_sweep

    if point is not None:
        from .experiment.runner import check_count

        check_count(point, "point", minimum=0)
    if is_sweep_store(store):
        sweep = read_sweep(store)
        return sweep if point is None else sweep.point(point)
    from .experiment.store import read_results
    from .scenario.errors import ResultsError, ScenarioError

    if point is not None:
        raise ScenarioError(str(store), "", "--point applies to a sweep store; this holds one run")
    missing = [f for f in ("weekly.parquet", "manifest.json") if not (Path(store) / f).exists()]
    if missing:
        raise ResultsError(str(store), "", f"no results here (missing {', '.join(missing)}; expected a folder "
                           "written by `ketensim run` or a sweep store written by `ketensim sweep`)")
    weekly, manifest = read_results(store)
    return Results(weekly, manifest, None)


def observed(year: int | None = None, metric: str | None = None, kind: str | None = None, use: str | None = None,
             root: str | os.PathLike[str] | None = None, pending: bool = False, near: str | None = None) -> "pd.DataFrame":
    """The observed figures (``data/observed``): one row per figure with its value, the
    qualifier (about, more than, a range...), unit, source and definition, and what
    measures it in the model (``metrics`` summed, ``statistic``, ``use``, ``tolerance``).
    Filters: a calendar year, a metric or part (``"coa"``), a kind (``outcome``,
    ``forecast``), a use (``target``, ``bound``, ``check``, ``none``, ``forecast``).
    ``pending=True`` gives the figures that wait for a metric the model does not have yet;
    ``near="2022-01-03"`` the observed stocks within a month of a date, the nearest per metric
    (what a state is matched to at a forecast's origin).

    >>> obs = observed(year=2020, metric="coa.permit_holders")
    >>> row = obs.set_index("figure").loc["coa.permit_holders.2020-autumn"]
    >>> float(row.value), row.qualifier, row.use, row.metrics
    (7700.0, 'more_than', 'bound', ('coa.permit_holders',))
    """
    from .model.chain import registry
    from .observed import filter_observed, load_observed, load_pending, stocks_near

    table = load_pending(root) if pending else load_observed(registry(), root)
    try:
        if near is not None:
            table = stocks_near(table, near)
        return filter_observed(table, year, metric, kind, use)
    except ValueError as exc:
        from .scenario.errors import ScenarioError

        raise ScenarioError("observed", "", str(exc)) from None


def html_report(results_dir: str | os.PathLike[str], baseline: str | os.PathLike[str] | None = None,
                out: str | os.PathLike[str] | None = None,
                targets: "Targets | str | os.PathLike[str] | None | bool" = True, *,
                lang: str = "en", windows: Sequence[str] | None = None, point: int | None = None,
                baseline_point: int | None = None) -> Path:
    """Write the self-contained HTML report of stored results (``ketensim report`` on the
    command line); returns its path (default ``RESULTS_DIR/report.html``). A sweep store
    gives its overview, or with ``point`` (and ``baseline_point``) one point's report."""
    from .workflow.report import write_report

    with _plain_text():
        return write_report(results_dir, baseline=baseline, out=out, targets=_targets(targets), lang=lang,
                            windows=windows, point=point, baseline_point=baseline_point)
