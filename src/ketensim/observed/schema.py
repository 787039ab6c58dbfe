"""The vocabulary of the observed data set: columns, kinds, qualifiers, statistics, uses.

Kept apart from the loader so the listing, the backtest and the targets share one meaning
of every word (data/observed/README.md explains them to a reader of the CSV files).
"""
from __future__ import annotations

DATA_COLUMNS = ("figure", "kind", "date", "from", "to", "made", "value", "low", "high", "qualifier",
                "unit", "source", "note", "definition")
REGISTRY_COLUMNS = ("figure", "metrics", "statistic", "per", "use", "tolerance", "weight", "judged_by", "mapping")
PENDING_COLUMNS = DATA_COLUMNS + REGISTRY_COLUMNS[1:] + ("status",)

KINDS = {
    "outcome": "a published outcome (a stock at a date or a flow over a period)",
    "forecast": "a forecast or plan the officials published at the date `made`, for the date or period given",
}
QUALIFIERS = {
    "exact": "as published (rounded as published)",
    "about": "the source says about (~, circa, ongeveer)",
    "derived": "computed from published figures (the note says how)",
    "range": "the sources give a range low-high (value = its middle)",
    "more_than": "a lower bound (value = low; 'meer dan')",
    "almost": "just below the value (value = high; 'bijna')",
}
STATISTICS = {
    "stock": ("level", "the week-end value of the ISO week holding the date"),
    "stock_mean": ("level", "the mean of the week-end values over the weeks of the period"),
    "stock_max": ("level", "the highest week-end value over the weeks of the period"),
    "change": ("level", "the stock at `to` minus the stock at `from`"),
    "flow": ("count", "the sum of the weekly values over the weeks of the period"),
    "flow_mean": ("count", "the mean weekly value over the weeks of the period"),
    "ratio": ("count", "the sum of `metrics` over the sum of `per`, over the weeks of the period"),
}
PERIOD_STATISTICS = frozenset(s for s in STATISTICS if s != "stock")
USES = {
    "target": "a calibration target (its tolerance reflects the rounding and the definitions)",
    "bound": "a one-sided figure ('more than'): compared, a target only on request",
    "check": "compared in a backtest, never fitted (a duplicate, a definition that differs, a zero)",
    "none": "kept as data, never compared (a period before any run)",
    "forecast": "an official forecast: compared with the observed figure it is judged by",
}
