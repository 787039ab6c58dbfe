"""The metric registry: every metric is declared once, by the part that records it.

A part module declares a module-level ``METRICS: tuple[Metric, ...]``; the chain collects
them from its list of parts (``registry_for``). Everything that names a metric for a person
(CLI table, plots, HTML report, sweeps, calibration targets) takes the label and unit from
here instead of spelling them again. Totals across parts are ``Derived`` metrics: a sum of
other metrics, computed after the run, never written by a second part.

Presentation is declared here too: every metric has a Dutch label (``label_nl``, required),
a report group (``group``: the section of the report it is shown in, by default the prefix
of its name, one of ``GROUPS``) and, when it is one of the key figures of tables and
comparisons, that figure's short label (``key``; metrics with the same ``key`` are summed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Literal, Sequence

Kind = Literal["count", "level", "sample"]

GROUPS: tuple[str, ...] = ("ind", "coa", "dtv", "dublin", "detention", "nareis", "resettlement", "mvv", "health",
                           "chain", "housing", "inflow")
"""The report's groups of metrics, in chain order (its section per group; titles ``part.<group>``
in ``report/i18n.py``)."""


@dataclass(frozen=True)
class Metric:
    """One weekly output. ``count``: a flow summed over the week; ``level``: a stock at week
    end; ``sample``: a per-event value summarised per week (``summary``: median, mean, p90)."""

    name: str
    part: str
    kind: Kind
    unit: str
    label: str
    meaning: str
    label_nl: str = ""
    summary: str = ""  # for kind == "sample": median | mean | p90
    source: str = ""  # for kind == "sample": the recorder's sample name
    contract: bool = False  # must appear in every run's table, even when it never happens
    group: str = ""  # the report group (one of GROUPS); "" = the prefix of the name
    key: str = ""  # the key figure's short label when this metric is (a term of) one

    @property
    def section(self) -> str:
        """The report group the metric is shown in."""
        return self.group or self.name.split(".", 1)[0]


@dataclass(frozen=True)
class Derived:
    """A metric computed from others after the run: the sum of ``terms`` (with signs)."""

    name: str
    part: str
    unit: str
    label: str
    meaning: str
    terms: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    label_nl: str = ""
    kind: Kind = "count"
    group: str = ""
    key: str = ""

    @property
    def section(self) -> str:
        return self.group or self.name.split(".", 1)[0]


class Registry:
    """Metrics by name; a duplicate name is a build-time error naming both parts."""

    def __init__(self, entries: Iterable[Metric | Derived] = ()) -> None:
        self._by_name: dict[str, Metric | Derived] = {}
        for m in entries:
            self.add(m)

    def add(self, m: Metric | Derived) -> None:
        check_presentation(m)
        old = self._by_name.get(m.name)
        if old is not None and old != m:
            raise ValueError(f"metric {m.name!r} declared twice: by part {old.part!r} and by {m.part!r}")
        self._by_name[m.name] = m

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Metric | Derived:
        return self._by_name[name]

    def __iter__(self) -> Iterator[Metric | Derived]:
        return iter(sorted(self._by_name.values(), key=lambda m: m.name))

    def __len__(self) -> int:
        return len(self._by_name)

    def get(self, name: str) -> Metric | Derived | None:
        return self._by_name.get(name)

    def declared(self) -> list[Metric | Derived]:
        """The metrics in the order the parts declare them (the chain's order of parts)."""
        return list(self._by_name.values())

    def key_figures(self) -> dict[str, list[str]]:
        """The key figures of tables and comparisons: short label -> the metrics summed per
        week, by report group (``GROUPS``) and then in the order the parts declare them."""
        out: dict[str, list[str]] = {}
        rank = {g: i for i, g in enumerate(GROUPS)}
        for m in sorted((m for m in self.declared() if m.key), key=lambda m: rank[m.section]):
            out.setdefault(m.key, []).append(m.name)
        return out

    def label(self, name: str, lang: str = "en") -> str:
        m = self._by_name.get(name)
        if m is None:
            return name
        return (m.label_nl or m.label) if lang == "nl" else m.label

    def unit(self, name: str) -> str:
        m = self._by_name.get(name)
        return m.unit if m is not None else ""

    def title(self, names: str | Sequence[str], lang: str = "en") -> str:
        """A figure's title: the label(s), a flow ``/ week``, a sample with its unit; several
        metrics (summed) are joined with ``+``. An undeclared name stands for itself."""
        names = [names] if isinstance(names, str) else list(names)
        found = [self._by_name.get(n) for n in names]
        text = " + ".join(self.label(n, lang) for n in names)
        if any(m is None for m in found):
            return text
        kinds = {m.kind for m in found if m is not None}
        if kinds == {"count"}:
            return f"{text} / week"
        if kinds == {"sample"}:
            return f"{text} ({found[0].unit})" if found[0] is not None else text
        return text


def check_presentation(m: Metric | Derived) -> None:
    """A metric must say how it is shown: a Dutch label and a known report group. The error
    names the metric and where to add what is missing."""
    where = (f"in the declaration of {m.name!r} (the METRICS of part {m.part!r}, src/ketensim/model/); "
             "see metrics/registry.py")
    if not m.label_nl.strip():
        raise ValueError(f"metric {m.name!r} has no Dutch label: add label_nl=\"...\" {where}")
    if m.section not in GROUPS:
        raise ValueError(f"metric {m.name!r}: report group {m.section!r} is not one of {', '.join(GROUPS)}: "
                         f"add group=\"...\" {where}")


COLUMNS = ("metric", "part", "kind", "unit", "label", "meaning")


def rows(registry: Registry) -> list[tuple[str, ...]]:
    """One row per metric: name, part, kind (``derived`` for a total across parts), unit,
    label, meaning."""
    out: list[tuple[str, ...]] = []
    for m in registry:
        kind = "derived" if isinstance(m, Derived) else (f"sample ({m.summary})" if m.kind == "sample" and m.summary
                                                         else m.kind)
        out.append((m.name, m.part, kind, m.unit, m.label, m.meaning))
    return out


def format_table(registry: Registry, fmt: str = "text") -> str:
    """The registry as an aligned text table or a Markdown table (the README's)."""
    body = rows(registry)
    if fmt == "markdown":
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join([f"`{r[0]}`", *r[1:]]) + " |" for r in body]
        return "\n".join(lines)
    shown = [r[:4] + (r[5],) for r in body]  # the label is in the Markdown table
    head = ("metric", "part", "kind", "unit", "meaning")
    widths = [max(len(head[i]), *(len(r[i]) for r in shown)) for i in range(4)]
    fmt_row = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    return "\n".join([fmt_row.format(*head)] + [fmt_row.format(*r) for r in shown])
