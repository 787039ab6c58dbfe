"""Inflow bands: the replication's draw of an uncertain inflow level.

One uniform number per replication from the bands' own named stream (stratified over the
replications by default) picks the band (by cumulative weight, in the order written) or the
scale (inverse CDF of the distribution).
Because the draw uses nothing else, every scenario with the same bands runs the same band in
replication r (common random numbers), and a scenario without bands draws nothing (its
results are unchanged). The band is recorded as two weekly levels so that reports can split
the spread of an outcome into the band's part and replication noise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..clock import parse_period
from ..metrics.registry import Metric

if TYPE_CHECKING:
    from ..scenario.base import Series
    from ..scenario.root import Scenario
    from .bands_params import InflowBands
    from .inflow_params import Inflow
    from .streams import Streams

METRICS = (
    Metric("inflow.band", "inflow", "level", "index", "inflow band",
           "the inflow band of the replication (0-based, in the order of inflow.bands.levels; for a "
           "scale distribution its tercile 0/1/2); only recorded when the scenario has bands", label_nl="instroomband"),
    Metric("inflow.band_scale", "inflow", "level", "x", "inflow band scale",
           "the scale the replication's band puts on the inflow from bands.start on",
           label_nl="schaal van de instroomband"),
)


@dataclass(frozen=True)
class BandDraw:
    index: int
    name: str
    scale: float

    def levels(self, t: float) -> dict[str, float]:
        return {"inflow.band": self.index, "inflow.band_scale": self.scale}


def draw_band(bands: "InflowBands", u: float) -> BandDraw:
    """The band (or scale) at the uniform number u in [0, 1)."""
    if bands.levels:
        total = sum(b.weight for b in bands.levels.values())
        acc = 0.0
        names = list(bands.levels)
        for i, name in enumerate(names):
            acc += bands.levels[name].weight / total
            if u < acc or i == len(names) - 1:
                return BandDraw(i, name, bands.levels[name].scale)
    d = bands.distribution
    assert d is not None
    if d.kind == "uniform" or d.high == d.low:
        x = d.low + u * (d.high - d.low)
    else:
        a, b, c = d.low, d.high, d.mode  # triangular inverse CDF
        f = (c - a) / (b - a)  # type: ignore[operator]
        x = a + math.sqrt(u * (b - a) * (c - a)) if u < f else b - math.sqrt((1 - u) * (b - a) * (b - c))  # type: ignore[operator]
    return BandDraw(min(int(u * 3), 2), f"scale {x:.3g}", float(x))


def banded(series: "Series", bands: "InflowBands", draw: BandDraw) -> "Series":
    """The series as the drawn band has it: the band's own values, then its scale on the
    periods from ``bands.start`` on."""
    own = bands.levels[draw.name].values if bands.levels else {}
    values = {**series.values, **own}
    start = bands.start
    out = {k: v * draw.scale if start is None or parse_period(k)[0] >= start else v for k, v in values.items()}
    return series.model_copy(update={"values": out})


GOLDEN = (math.sqrt(5) - 1) / 2


def band_uniform(bands: "InflowBands", streams: "Streams") -> float:
    """The replication's uniform number for the band draw. Stratified: a Kronecker sequence
    rotated by one draw per root seed, so any number of replications spreads over the bands
    (gaps of at most three sizes) and replication r's band does not depend on how many run."""
    if bands.sampling == "random":
        return streams(bands.stream).random()
    import numpy as np

    from .streams import stream_key

    seq = np.random.SeedSequence(streams.root_seed, spawn_key=(stream_key(bands.stream), 0xBA4D))
    u0 = float(np.random.default_rng(seq).random())
    return (u0 + streams.replication * GOLDEN) % 1.0


def draw_inflow_band(inflow: "Inflow", streams: "Streams") -> BandDraw | None:
    """The replication's band (None when the scenario has no inflow bands)."""
    if inflow.bands is None:
        return None
    return draw_band(inflow.bands, band_uniform(inflow.bands, streams))


SeriesOf = Callable[["Scenario"], "Series"]


def with_band(series: dict[str, SeriesOf], bands: "InflowBands", draw: BandDraw) -> dict[str, SeriesOf]:
    """The inflow part's series (kind -> the series in a phase's parameters) with the drawn
    band applied to those in ``bands.applies_to``, in every phase."""
    kinds = {"first_applications": "first", "repeat_applications": "repeat"}
    out = dict(series)
    for target in bands.applies_to:
        base = series[kinds[target]]
        out[kinds[target]] = (lambda s, base=base: banded(base(s), bands, draw))  # type: ignore[misc]
    return out


def sample_inflow(inflow: "Inflow", streams: "Streams") -> tuple[dict[str, "Series"], BandDraw | None]:
    """The base scenario's first and repeat series as the replication's band has them, and
    the band (for inspection and tests)."""
    draw = draw_inflow_band(inflow, streams)
    series = {"first": inflow.first_applications, "repeat": inflow.repeat_applications}
    if draw is None:
        return series, None
    assert inflow.bands is not None
    kinds = {"first_applications": "first", "repeat_applications": "repeat"}
    for target in inflow.bands.applies_to:
        series[kinds[target]] = banded(series[kinds[target]], inflow.bands, draw)
    return series, draw
