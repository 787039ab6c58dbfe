"""The metric registry: every metric is declared once, by the part that records it.

A part module declares a module-level ``METRICS: tuple[Metric, ...]``; the chain collects
them from its list of parts (``registry_for``). Everything that names a metric for a person
(CLI table, plots, HTML report, sweeps, calibration targets) takes the label and unit from
here instead of spelling them again. Totals across parts are ``Derived`` metrics: a sum of
other metrics, computed after the run, never written by a second part.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Literal, Sequence

Kind = Literal["count", "level", "sample"]


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


class Registry:
    """Metrics by name; a duplicate name is a build-time error naming both parts."""

    def __init__(self, entries: Iterable[Metric | Derived] = ()) -> None:
        self._by_name: dict[str, Metric | Derived] = {}
        for m in entries:
            self.add(m)

    def add(self, m: Metric | Derived) -> None:
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
