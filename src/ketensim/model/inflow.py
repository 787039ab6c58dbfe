"""Exogenous inflow: first and repeat asylum applications as non-homogeneous Poisson arrivals.

The scenario gives persons per month or week; households arrive as a Poisson process at
(persons rate / mean household size), each with a size drawn from the household mix, so
the expected number of persons matches the series.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING, Callable, ClassVar, Generator

import simpy

from ..metrics.registry import Derived, Metric
from ..scenario.root import Section
from .bands import METRICS as BAND_METRICS
from .bands import draw_inflow_band, with_band
from .hazard import PiecewiseRate, wait_for
from .inflow_params import Inflow as InflowParams
from .parts import Build, Node, Part

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.base import Series
    from ..scenario.root import Scenario
    from .inflow_params import Households
    from .streams import Stream, Streams


def series_rate(series: "Series", day_of: Callable[[object], float], per: float = 1.0) -> PiecewiseRate:
    """Daily rate of a series as steps on the model clock (times ``per``)."""
    steps = []
    segments = series.segments()
    for start, end, count in segments:
        steps.append((day_of(start), per * count / (end - start).days))
    steps[0] = (-math.inf, steps[0][1])  # before the first period the first value holds
    return PiecewiseRate(steps)


def size_sampler(probabilities: dict[int, float], stream: "Stream") -> tuple[Callable[[], int], float]:
    """(draw, mean) for a size distribution given as {size: probability}."""
    sizes = sorted(probabilities)
    cum, acc = [], 0.0
    for s in sizes:
        acc += probabilities[s]
        cum.append(acc)
    cum[-1] = 1.0
    mean = sum(s * probabilities[s] for s in sizes)
    return (lambda: sizes[stream.pick(cum)]), mean


def phased_series_rate(policy: "PolicyProcess", series_of: Callable[["Scenario"], "Series"],
                       day_of: Callable[[object], float],
                       per_of: Callable[["Scenario"], float] | None = None) -> PiecewiseRate:
    """Daily rate of a series that phases may change (values or scale, and the ``per``
    factor): at day t, the series of the phase in force at t. A series no phase changes
    gives exactly ``series_rate`` of it."""
    phases = policy.phases
    per = [1.0 if per_of is None else per_of(p.params) for p in phases]
    first = series_of(phases[0].params)
    if all(series_of(p.params) == first and f == per[0] for p, f in zip(phases, per)):
        return series_rate(first, day_of, per[0])
    rates = [series_rate(series_of(p.params), day_of, f) for p, f in zip(phases, per)]
    starts = [p.start_day for p in phases]
    cuts = sorted({t for r in rates for t in r.starts} | set(starts[1:]))
    return PiecewiseRate([(t, rates[max(bisect_right(starts, t) - 1, 0)].at(t)) for t in cuts])


def phased_sizes(policy: "PolicyProcess", probabilities_of: Callable[["Scenario"], dict[int, float]],
                 stream: "Stream") -> Callable[[], int]:
    """A size draw from the distribution of the phase in force (one stream throughout)."""
    cache: dict[int, Callable[[], int]] = {}

    def draw() -> int:
        phase = policy.current
        fn = cache.get(id(phase))
        if fn is None:
            fn = cache[id(phase)] = size_sampler(probabilities_of(phase.params), stream)[0]
        return fn()

    return draw


def mean_size(probabilities: dict[int, float]) -> float:
    return sum(s * probabilities[s] for s in sorted(probabilities))


METRICS: tuple[Metric | Derived, ...] = BAND_METRICS  # arrivals are counted where they enter (chain, IND, COA)


class HouseholdMaker:
    """Draws household sizes and adults from the scenario's mix."""

    def __init__(self, mix: "Households", stream: "Stream") -> None:
        sizes = sorted(mix.size_probabilities)
        self.sizes = sizes
        acc, cum = 0.0, []
        for s in sizes:
            acc += mix.size_probabilities[s]
            cum.append(acc)
        cum[-1] = 1.0
        self.cumulative = cum
        self.mean_size = sum(s * mix.size_probabilities[s] for s in sizes)
        self.second_adult_share = mix.second_adult_share
        self.stream = stream

    def draw(self) -> tuple[int, int]:
        """(size, adults)"""
        size = self.sizes[self.stream.pick(self.cumulative)]
        adults = 1 if size == 1 else (2 if self.stream.bernoulli(self.second_adult_share) else 1)
        return size, adults


class Inflow(Part):
    """One arrival process per series; hands each new household on (``arrival(kind, size, adults)``).

    Arrival times and household sizes use streams named after the series, so a change
    elsewhere in the chain does not reshuffle who arrives when (common random numbers).
    """

    name = "inflow"
    params = "inflow"
    section: ClassVar[Section | None] = Section("inflow", InflowParams, order=10)
    nodes: ClassVar[tuple[Node, ...]] = (Node("applications", 0),)
    metrics = METRICS
    offers = ("arrival",)

    @classmethod
    def build(cls, ctx: Build) -> "Inflow":
        series = {"first": lambda s: s.inflow.first_applications, "repeat": lambda s: s.inflow.repeat_applications}
        band = draw_inflow_band(ctx.scenario.inflow, ctx.streams)  # None without inflow.bands
        if band is not None:
            ctx.rec.add_source(band.levels)
            series = with_band(series, ctx.scenario.inflow.bands, band)  # type: ignore[arg-type]
        return cls(ctx.env, ctx.policy, ctx.streams, ctx.scenario.inflow.households, ctx.day_of, series)

    def __init__(self, env: simpy.Environment, policy: "PolicyProcess", streams: "Streams", mix: "Households",
                 day_of: Callable[[object], float], series: dict[str, Callable[["Scenario"], "Series"]]) -> None:
        """``series``: kind -> the series in a phase's parameters (a phase may change it)."""
        self.env = env
        for kind, series_of in series.items():
            maker = HouseholdMaker(mix, streams(f"inflow.{kind}.households"))
            per = 1.0 / maker.mean_size
            rate = phased_series_rate(policy, series_of, day_of, lambda s: per)
            env.process(self._arrivals(kind, rate, streams(f"inflow.{kind}"), maker))

    def _arrivals(self, kind: str, rate: PiecewiseRate, stream: "Stream",
                  maker: HouseholdMaker) -> Generator[simpy.Event, object, None]:
        env = self.env
        while (yield from wait_for(env, rate, stream)):
            self.out.arrival(kind, *maker.draw())


class IncomingTransfers(Inflow):
    """Incoming Dublin transfers: other member states transfer persons to the Netherlands, an
    exogenous series (streams ``inflow.dublin_incoming*``)."""

    name = "dublin_incoming"
    params = "dublin.incoming"
    section = None  # its block is part of the Dublin section
    nodes = ()  # drawn as part of the IND's inflow

    @classmethod
    def build(cls, ctx: Build) -> "IncomingTransfers":
        return cls(ctx.env, ctx.policy, ctx.streams, ctx.scenario.inflow.households, ctx.day_of,
                   {"dublin_incoming": lambda s: s.dublin.incoming})
