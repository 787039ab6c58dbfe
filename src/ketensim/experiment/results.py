"""One results type for every way results come about: ``run``, ``compare`` (one per
scenario), a sweep's design point and ``read`` of a stored folder or sweep store all give
a ``Results``: the tidy weekly table, the manifest (provenance, resolved scenario) and,
when known, the Scenario object. Its summaries, comparisons and plots use ``ketensim.analysis.stats``
(windows, statistics, intervals) and ``ketensim.report``.
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

    from ..analysis.stats import Window
    from ..analysis.targets import Targets
    from ..scenario.schema import Scenario

TARGETS_FILE = Path("scenarios") / "targets" / "letter-2020-10-05.yaml"
_REPO = Path(__file__).resolve().parents[3]


def default_targets_path() -> Path | None:
    """The letter's targets file: in the working directory's ``scenarios/``, else in the
    source tree this package was loaded from."""
    for base in (Path.cwd(), _REPO):
        if (base / TARGETS_FILE).exists():
            return base / TARGETS_FILE
    return None


def _targets(targets: "Targets | str | os.PathLike[str] | None | bool") -> "Targets | None":
    from ..analysis.targets import Targets, load_targets

    if targets is False or targets is None:
        return None
    if isinstance(targets, Targets):
        return targets
    if targets is True:
        path = default_targets_path()
        return load_targets(path) if path else None
    return load_targets(Path(targets))


def _plain_text() -> Any:
    """Matplotlib context in which text (scenario and phase names) is never parsed as maths."""
    import matplotlib

    return matplotlib.rc_context({"text.parse_math": False})


@dataclass
class Results:
    """Weekly results of one scenario over replications, with their provenance.

    ``weekly`` is the tidy table of the output contract (scenario, replication, iso_year,
    iso_week, week_start, metric, value); ``manifest`` holds the resolved scenario, its hash,
    the seed, the package version and the run times.
    """

    weekly: "pd.DataFrame"
    manifest: dict[str, Any] = field(default_factory=dict)
    scenario: "Scenario | None" = None
    point: int | None = None  # the design point, for a sweep's results

    def metric_table(self, name: str) -> "pd.DataFrame":
        """Weeks x replications table of one metric (the runner's older name)."""
        return self.metric(name)

    @property
    def name(self) -> str:
        return str(self.manifest.get("scenario_name") or
                   (self.weekly.scenario.iloc[0] if len(self.weekly) else "results"))

    @property
    def failed_replications(self) -> list[dict[str, Any]]:
        """The replications that failed (manifest entries with their ``error``): empty unless
        partial results were kept (``ketensim.run(..., keep_partial=True)``)."""
        return [r for r in self.manifest.get("replications", []) if r.get("error")]

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
        from ..report.plots import phases_from_manifest

        return phases_from_manifest(self.manifest)

    def __repr__(self) -> str:
        return (f"<Results {self.name!r}: {self.replications} replications x {self.weeks} weeks, "
                f"{len(self.metrics)} metrics, seed {self.manifest.get('seed')}>")

    def metric(self, name: str | Sequence[str]) -> "pd.DataFrame":
        """Weeks x replications table of a metric (a list of metrics is summed per week).

        >>> res.metric("coa.occupancy").shape
        (20, 2)
        """
        from ..analysis.weekly_bands import series

        return series(self.weekly, name)

    def summary(self, windows: "Mapping[str, tuple[object, object]] | Iterable[Window | str] | None" = None,
                figures: Mapping[str, Sequence[str]] | Iterable[str] | None = None,
                table: bool = False, stat: str = "mean") -> "pd.DataFrame":
        """A statistic over windows, mean over replications with 95% intervals, one row per
        (figure, window).

        ``windows``: names of the letter's windows, ``--window`` texts
        (``"autumn=2020-W40..2020-W53"``), or a mapping name -> (from, to) in ISO weeks or
        dates (default: the windows the scenario declares, the letter's). A window partly
        outside the run is computed over the weeks it covers and marked partial. ``stat``:
        ``mean`` (weekly mean), ``sum``, ``end``, ``max``, ``min``, ``p90`` (any ``pNN``).
        ``figures``: metric names, or a mapping label -> metrics summed per week (default:
        the key figures). ``table=True`` gives a figures x windows table of "mean ±half-width".

        >>> res.summary({"March": ("2020-W10", "2020-W13")}, ["ind.decisions"]).window.tolist()
        ['March']
        >>> res.summary(table=True).columns.tolist()
        ['W01-11 pre', 'W12-17 lockdown', 'W18-26 restart (partial: W18-W20)']
        >>> peak = res.summary(["spring=2020-W10..2020-W20"], ["ind.backlog"], stat="max")
        >>> peak[["window", "statistic", "partial"]].values.tolist()
        [['spring', 'max', False]]
        """
        from ..analysis.summary import pivot, summarize

        s = summarize(self.weekly, windows, figures, stat=stat, scenario=self.manifest.get("scenario"))
        return pivot(s) if table else s

    def check_targets(self, targets: "Targets | str | os.PathLike[str] | bool" = True) -> "pd.DataFrame":
        """The letter's targets whose windows lie wholly inside the run (the letter's value
        holds for its whole window): letter value, simulated mean with 95% interval, relative
        error, within tolerance.

        >>> res.check_targets()[["id", "letter"]].to_dict("records")[0]
        {'id': 'T4', 'letter': 140.0}
        """
        import pandas as pd

        from ..analysis.summary import inside
        from ..analysis.targets import Targets as _Targets
        from ..analysis.targets import compare

        tg = _targets(targets)
        if tg is None:
            return pd.DataFrame()
        kept = [t for t in tg.targets if inside(self.weekly, t.window)]
        return compare(self.weekly, _Targets(source=tg.source, targets=kept))

    def compare(self, baseline: "Results", windows: Any = None, figures: Any = None,
                stat: str = "mean") -> "pd.DataFrame":
        """This scenario next to a baseline: both window statistics with their own 95%
        intervals and the difference (this - baseline) with the 95% interval of the paired
        per-replication differences (common random numbers when both used the same seed)."""
        from ..analysis.summary import side_by_side

        return side_by_side(self.weekly, baseline.weekly, windows, figures, names=(baseline.name, self.name),
                            stat=stat, scenario=self.manifest.get("scenario"))

    def binding(self, levers: Sequence[str] | None = None, baseline: "Results | None" = None) -> list[str]:
        """Plain sentences on the levers (``--set`` paths) whose part's output did not move
        because another constraint binds, with that constraint's value (``report.binding``)."""
        from ..report.binding import binding_messages

        return binding_messages(self, levers, baseline)

    def plot(self, metric: str | Sequence[str], *, ax: "Axes | None" = None, baseline: "Results | None" = None,
             targets: "Targets | str | os.PathLike[str] | bool" = True, band: float = 0.9, **kw: Any) -> "Axes":
        """Weekly series of a metric (or the weekly sum of several): replication mean with a
        90% band, the letter's values and the policy phases; against a baseline if given.

        >>> res.plot(["dtv.departures_independent", "dtv.departures_forced"]).get_title(loc="left")
        'demonstrable departures (independent + forced) (persons/week)'
        """
        from ..report.plots import plot_compare, plot_series

        tg = _targets(targets)
        with _plain_text():
            if baseline is not None:
                return plot_compare({baseline.name: baseline.weekly, self.name: self.weekly}, metric, ax=ax,
                                    targets=tg, phases=self.phases, band=band, **kw)
            return plot_series(self.weekly, metric, ax=ax, targets=tg, phases=self.phases, band=band, **kw)

    def plot_occupancy(self, *, ax: "Axes | None" = None) -> "Axes":
        """COA occupancy against places (and persons in emergency locations)."""
        from ..report.plots import plot_occupancy

        with _plain_text():
            return plot_occupancy(self.weekly, ax=ax, phases=self.phases)

    def plot_chain(self, window: tuple[object, object] | None = None, *, ax: "Axes | None" = None) -> "Axes":
        """Sankey-like overview of the chain's flows, persons per week over a window.

        >>> res.plot_chain(("2020-W01", "2020-W11")).get_title(loc="left")[:10]
        'The chain:'
        """
        from ..report.plots import plot_chain

        with _plain_text():
            return plot_chain(self.weekly, window, ax=ax)

    def plot_part(self, part: str, baseline: "Results | None" = None) -> "Figure":
        """Small multiples of every metric of one part (``ind``, ``coa``, ``dtv``, ...)."""
        from ..report.plots import plot_part

        with _plain_text():
            return plot_part(self.weekly, part, targets=_targets(True), phases=self.phases,
                             baseline=None if baseline is None else baseline.weekly,
                             names=(baseline.name if baseline else "baseline", self.name))

    def need(self, prob: float = 0.9, buffer: float = 0.0) -> "pd.DataFrame":
        """Places needed per week at certainty ``prob`` (the empirical P-quantile over
        replications, plus ``buffer``) for reception, quarantine/isolation and detention, with
        P10, median, P90 and the capacity in place (``metrics.need.need_table``)."""
        from ..metrics.need import need_table
        from ..scenario.schema import Scenario

        sc = self.scenario
        if sc is None and self.manifest.get("scenario"):
            sc = Scenario.model_validate(self.manifest["scenario"])
        return need_table(self.weekly, prob, buffer, sc)

    def write(self, out_dir: str | os.PathLike[str]) -> Path:
        """Store as weekly.parquet, weekly.csv and manifest.json (what ``ketensim report`` reads),
        as a set: the folder is replaced whole or, on any failure, left as it was."""
        from ..store.files import check_output_dir, write_results

        write_results(check_output_dir(Path(out_dir), "out_dir", results_set=True), self.weekly, self.manifest)
        return Path(out_dir)
