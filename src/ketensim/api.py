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
    ['figure', 'window', 'from', 'to', 'mean', 'ci_low', 'ci_high', 'reps']
    >>> checks = res.check_targets()          # the letter's figures in the run's weeks
    >>> sorted(checks.id)
    ['T4', 'T5']
    >>> ax = res.plot("ind.hearings_physical")  # mean, 90% band, phases, the letter
    >>> ax.get_title(loc="left")
    'physical hearings / week'

A what-if against the baseline, with common random numbers (same seed)::

    >>> tele = ketensim.run(ketensim.load("scenarios/telehoren-permanent.yaml",
    ...                                   "horizon.end=2020-W20-7"), reps=2, workers=1)
    >>> diff = tele.compare(res, windows={"May": ("2020-W19", "2020-W20")},
    ...                     figures=["ind.hearings_video"])
    >>> bool(diff.loc[0, "difference"] > 0)     # more video rooms, more video hearings
    True

Results are stored and read back with ``write`` and ``ketensim.read``; ``ketensim.html_report``
writes the HTML report of stored results.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .report.targets import Targets
    from .scenario.schema import Scenario

TARGETS_FILE = Path("scenarios") / "targets" / "letter-2020-10-05.yaml"
_REPO = Path(__file__).resolve().parents[2]


def default_targets_path() -> Path | None:
    """The letter's targets file: in the working directory's ``scenarios/``, else in the
    source tree this package was loaded from."""
    for base in (Path.cwd(), _REPO):
        if (base / TARGETS_FILE).exists():
            return base / TARGETS_FILE
    return None


def _targets(targets: "Targets | str | os.PathLike[str] | None | bool") -> "Targets | None":
    from .report.targets import Targets, load_targets

    if targets is False or targets is None:
        return None
    if isinstance(targets, Targets):
        return targets
    if targets is True:
        path = default_targets_path()
        return load_targets(path) if path else None
    return load_targets(targets)


def _plain_text() -> Any:
    """Matplotlib context in which text (scenario and phase names) is never parsed as maths."""
    import matplotlib

    return matplotlib.rc_context({"text.parse_math": False})


def load(path: str | os.PathLike[str], *overrides: str, **kw_overrides: Any) -> "Scenario":
    """Load and validate a scenario file, with ``dotted.path=value`` overrides (the grammar of
    ``--set``; keyword overrides use ``__`` for the dots).

    >>> sc = load("scenarios/baseline-2020.yaml", "ind.video.coa_rooms@recovery=40")
    >>> sc.name, [p.name for p in sc.phases][:2]
    ('baseline-2020', ['pre-covid', 'lockdown'])
    >>> load("scenarios/baseline-2020.yaml", dtv__travel_open=0.5).dtv.travel_open
    0.5
    """
    from .scenario.loader import load_scenario

    sets = list(overrides) + [f"{k.replace('__', '.')}={v}" for k, v in kw_overrides.items()]
    return load_scenario(path, sets)


def run(scenario: "Scenario | str | os.PathLike[str]", reps: int | None = None, seed: int | None = None,
        workers: int | None = None, overrides: Sequence[str] = ()) -> "RunResults":
    """Run replications of a scenario (a ``Scenario`` or a path, with optional overrides);
    ``workers=1`` runs in this process. Returns a ``RunResults``."""
    from .experiment.runner import run_scenario

    if not hasattr(scenario, "horizon"):
        scenario = load(scenario, *overrides)
    elif overrides:
        raise ValueError("overrides apply to a scenario path; pass them to ketensim.load instead")
    res = run_scenario(scenario, reps=reps, seed=seed, workers=workers, overrides=overrides)
    return RunResults(res.weekly, res.manifest, scenario)


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


def read(results_dir: str | os.PathLike[str]) -> "RunResults":
    """Results stored by ``ketensim run`` or ``RunResults.write`` (weekly.parquet and
    manifest.json in one folder)."""
    from .experiment.store import read_results

    weekly, manifest = read_results(results_dir)
    return RunResults(weekly, manifest, None)


def html_report(results_dir: str | os.PathLike[str], baseline: str | os.PathLike[str] | None = None,
                out: str | os.PathLike[str] | None = None,
                targets: "Targets | str | os.PathLike[str] | None | bool" = True) -> Path:
    """Write the self-contained HTML report of stored results (``ketensim report`` on the
    command line); returns its path (default ``RESULTS_DIR/report.html``)."""
    from .report.html import write_report

    with _plain_text():
        return write_report(results_dir, baseline=baseline, out=out, targets=_targets(targets))


@dataclass
class RunResults:
    """Weekly results of one scenario over replications, with their provenance.

    ``weekly`` is the tidy table of the output contract (scenario, replication, iso_year,
    iso_week, week_start, metric, value); ``manifest`` holds the resolved scenario, its hash,
    the seed, the package version and the run times.
    """

    weekly: "pd.DataFrame"
    manifest: dict[str, Any] = field(default_factory=dict)
    scenario: "Scenario | None" = None

    @property
    def name(self) -> str:
        return str(self.manifest.get("scenario_name") or
                   (self.weekly.scenario.iloc[0] if len(self.weekly) else "results"))

    @property
    def replications(self) -> int:
        return int(self.weekly.replication.nunique())

    @property
    def weeks(self) -> int:
        return int(self.weekly.week_start.nunique())

    @property
    def metrics(self) -> list[str]:
        return sorted(self.weekly.metric.unique())

    @property
    def phases(self) -> list[tuple[str, Any]]:
        from .report.plots import phases_from_manifest

        return phases_from_manifest(self.manifest)

    def __repr__(self) -> str:
        return (f"<RunResults {self.name!r}: {self.replications} replications x {self.weeks} weeks, "
                f"{len(self.metrics)} metrics, seed {self.manifest.get('seed')}>")

    def metric(self, name: str | Sequence[str]) -> "pd.DataFrame":
        """Weeks x replications table of a metric (a list of metrics is summed per week).

        >>> res.metric("coa.occupancy").shape
        (20, 2)
        """
        from .report.plots import series

        return series(self.weekly, name)

    def summary(self, windows: Mapping[str, tuple[object, object]] | Iterable[str] | None = None,
                figures: Mapping[str, Sequence[str]] | Iterable[str] | None = None,
                table: bool = False) -> "pd.DataFrame":
        """Window means over replications with 95% intervals, one row per (figure, window).

        ``windows``: names of the letter's windows, or a mapping name -> (from, to) in ISO
        weeks or dates (default: the letter's windows inside the run). ``figures``: metric
        names, or a mapping label -> metrics summed per week (default: the key figures).
        ``table=True`` gives a figures x windows table of "mean ±half-width" strings.

        >>> res.summary({"March": ("2020-W10", "2020-W13")}, ["ind.decisions"]).window.tolist()
        ['March']
        >>> res.summary(table=True).columns.tolist()
        ['W01-11 pre', 'W12-17 lockdown']
        """
        from .report.summary import pivot, summarize

        s = summarize(self.weekly, windows, figures)
        return pivot(s) if table else s

    def check_targets(self, targets: "Targets | str | os.PathLike[str] | bool" = True) -> "pd.DataFrame":
        """The letter's targets whose windows lie inside the run: letter value, simulated mean
        with 95% interval, relative error, within tolerance.

        >>> res.check_targets()[["id", "letter"]].to_dict("records")[0]
        {'id': 'T4', 'letter': 140.0}
        """
        import pandas as pd

        from .report.summary import resolve_windows
        from .report.targets import Targets as _Targets
        from .report.targets import compare

        tg = _targets(targets)
        if tg is None:
            return pd.DataFrame()
        inside = [t for t in tg.targets if resolve_windows(self.weekly, {t.id: (t.window.start, t.window.end)})]
        return compare(self.weekly, _Targets(source=tg.source, targets=inside))

    def compare(self, baseline: "RunResults", windows: Any = None, figures: Any = None) -> "pd.DataFrame":
        """This scenario next to a baseline: both window means with their own 95% intervals and
        the difference of the means (this - baseline) with the 95% interval of the paired
        per-replication differences (common random numbers when both used the same seed)."""
        from .report.summary import side_by_side

        return side_by_side(self.weekly, baseline.weekly, windows, figures, names=(baseline.name, self.name))

    def plot(self, metric: str | Sequence[str], *, ax: "Axes | None" = None, baseline: "RunResults | None" = None,
             targets: "Targets | str | os.PathLike[str] | bool" = True, band: float = 0.9, **kw: Any) -> "Axes":
        """Weekly series of a metric (or the weekly sum of several): replication mean with a
        90% band, the letter's values and the policy phases; against a baseline if given.

        >>> res.plot(["dtv.departures_independent", "dtv.departures_forced"]).get_title(loc="left")
        'demonstrable departures (independent + forced) / week'
        """
        from .report.plots import plot_compare, plot_series

        tg = _targets(targets)
        with _plain_text():
            if baseline is not None:
                return plot_compare({baseline.name: baseline.weekly, self.name: self.weekly}, metric, ax=ax,
                                    targets=tg, phases=self.phases, band=band, **kw)
            return plot_series(self.weekly, metric, ax=ax, targets=tg, phases=self.phases, band=band, **kw)

    def plot_occupancy(self, *, ax: "Axes | None" = None) -> "Axes":
        """COA occupancy against places (and persons in emergency locations)."""
        from .report.plots import plot_occupancy

        with _plain_text():
            return plot_occupancy(self.weekly, ax=ax, phases=self.phases)

    def plot_chain(self, window: tuple[object, object] | None = None, *, ax: "Axes | None" = None) -> "Axes":
        """Sankey-like overview of the chain's flows, persons per week over a window.

        >>> res.plot_chain(("2020-W01", "2020-W11")).get_title(loc="left")[:10]
        'The chain:'
        """
        from .report.plots import plot_chain

        with _plain_text():
            return plot_chain(self.weekly, window, ax=ax)

    def plot_part(self, part: str, baseline: "RunResults | None" = None) -> "Figure":
        """Small multiples of every metric of one part (``ind``, ``coa``, ``dtv``, ...)."""
        from .report.plots import plot_part

        with _plain_text():
            return plot_part(self.weekly, part, targets=_targets(True), phases=self.phases,
                             baseline=None if baseline is None else baseline.weekly,
                             names=(baseline.name if baseline else "baseline", self.name))

    def need(self, prob: float = 0.9, buffer: float = 0.0) -> "pd.DataFrame":
        """Places needed per week at certainty ``prob`` (the empirical P-quantile over
        replications, plus ``buffer``) for reception, quarantine/isolation and detention, with
        P10, median, P90 and the capacity in place (``metrics.need.need_table``)."""
        from .metrics.need import need_table
        from .scenario.schema import Scenario

        sc = self.scenario
        if sc is None and self.manifest.get("scenario"):
            sc = Scenario.model_validate(self.manifest["scenario"])
        return need_table(self.weekly, prob, buffer, sc)

    def write(self, out_dir: str | os.PathLike[str]) -> Path:
        """Store as weekly.parquet, weekly.csv and manifest.json (what ``ketensim report`` reads),
        as a set: the folder is replaced whole or, on any failure, left as it was."""
        from .experiment.store import check_output_dir, write_results

        write_results(check_output_dir(out_dir, "out_dir", results_set=True), self.weekly, self.manifest)
        return Path(out_dir)
