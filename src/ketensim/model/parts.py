"""The part protocol: a chain part declares itself, the chain wires it from one table.

A part (a class deriving from ``Part``) says, next to its code:

- ``name``: its name in hand-offs, metrics and errors;
- ``params``: the dotted path of its parameter block in the scenario (``"dublin"``);
- ``section``: the top-level section of the scenario it owns, if any (``scenario.root.Section``:
  its parameter block, its starting state under ``start``, whether phases may change it);
  the scenario root is composed from these (``scenario.schema``), so a new part's parameters
  need no edit there;
- ``stock``: the paths under ``start`` of the starting stock it holds;
- ``metrics``: the ``Metric``/``Derived`` declarations it records (its module's ``METRICS``);
- ``offers``: the hand-offs it makes to other parts; it calls them as ``self.out.<offer>(...)``;
- ``takes``: the hand-offs it accepts: the names of its methods another part may be wired to;
- ``nodes``: its stages (and outcomes) in the chain overview (``Node``), between which the
  chain's ``Flow`` rows run;
- ``build(ctx)``: how it is made from the build context (the environment, recorder, policy,
  streams, scenario, and the parts built before it that it needs, by class);
- ``seed_stock(seeding)``: how it places its starting stock (``model.seeding``).

``wire`` connects the offers of a list of parts to the takes of others from an explicit
table of ``Handoff`` rows (as desmod components connect by name). An offer without a row,
a take fed by nobody, or a row naming a part or hand-off that is not declared is a
build-time error naming both parts, so a forgotten connection never fails mid-run.
``check_flows`` holds the chain's flows of persons (the overview the report draws) to the
same standard: every flow runs between declared nodes, through a wired hand-off or a
journey of a part, and is measured by declared metrics.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, NamedTuple, Sequence, TypeVar

from mypy_extensions import mypyc_attr

from ..metrics.recorder import Recorder
from ..metrics.registry import Derived, Metric, Registry
from ..scenario.root import Section

if TYPE_CHECKING:
    import simpy

    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .streams import Streams

__all__ = ["Build", "Flow", "Handoff", "Node", "Outlets", "Part", "WiringError", "check_flows", "registry_for", "wire"]

P = TypeVar("P", bound="Part")


class WiringError(ValueError):
    """A hand-off that is not wired, or wired to something that does not exist."""


class Handoff(NamedTuple):
    """One row of the wiring table: ``source.out.<offer>`` calls ``target.<take>``."""

    source: str
    offer: str
    target: str
    take: str


class Node(NamedTuple):
    """A stage or outcome of the chain in its overview: ``name`` (labelled ``node.<name>`` in
    the report's texts), its ``column`` from left (0: arrivals) to right (outcomes), and the
    level metric shown in it (its stock at the window's end), if any."""

    name: str
    column: int
    stock: str | None = None


class Flow(NamedTuple):
    """A flow of persons from node ``source`` to node ``target`` (labelled ``flow.<name>``),
    carried by ``via``: a hand-off ``part.offer`` of the wiring table, or, where one part calls
    another directly, the journey ``part.method`` that makes the call; measured per week as
    the sum of the ``plus`` metrics minus the sum of the ``minus`` ones."""

    source: str
    target: str
    name: str
    via: str
    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()


@mypyc_attr(native_class=False)  # compiled (``ketensim.native``), it still takes wired attributes
class Outlets:
    """A part's outgoing hand-offs, set by ``wire`` as plain attributes (a call is an
    attribute lookup, no indirection on the hot path)."""

    def __init__(self, part: str) -> None:
        self._part = part

    def __getattr__(self, offer: str) -> Callable[..., Any]:
        if offer.startswith("_"):  # copy, pickle and friends probe for dunder methods
            raise AttributeError(offer)
        raise WiringError(f"part {self._part!r}: hand-off {offer!r} is not wired (model/chain.py HANDOFFS)")


@mypyc_attr(allow_interpreted_subclasses=True)  # the chain itself and parts declared in tests
class Part:
    """Base of every chain part: the declarations, and ``out`` once wired."""

    name: ClassVar[str] = ""
    params: ClassVar[str] = ""
    section: ClassVar[Section | None] = None
    stock: ClassVar[tuple[str, ...]] = ()
    metrics: ClassVar[tuple[Metric | Derived, ...]] = ()
    offers: ClassVar[tuple[str, ...]] = ()
    takes: ClassVar[tuple[str, ...]] = ()
    nodes: ClassVar[tuple[Node, ...]] = ()
    out: Outlets

    def __new__(cls, *args: Any, **kwargs: Any) -> "Part":
        obj = super().__new__(cls)
        obj.out = Outlets(cls.name)  # before the part's own __init__, which may name it anew
        return obj

    @classmethod
    def build(cls, ctx: "Build") -> "Part":
        """Make the part for a chain; every part class says how."""
        raise NotImplementedError(f"part {cls.name!r} ({cls.__name__}) does not say how it is built")

    def seed_stock(self, seeding: Any) -> None:
        """Place the part's starting stock (the ``stock`` paths under ``start``), once, after
        wiring and before the run; a part without a stock places nothing. ``seeding`` is a
        ``model.seeding.Seeding`` (typed ``Any`` here: seeding draws households with the
        inflow's maker, and the inflow is a part, so naming the type would close an import
        cycle)."""


class Build:
    """What a part is built from: the run's machinery and the parts built before it. (A plain
    class, not a dataclass: the compiled model would evaluate a dataclass's annotations at
    import, and these name types imported only for the type checker.)"""

    def __init__(self, env: "simpy.Environment", rec: Recorder, policy: "PolicyProcess", streams: "Streams",
                 scenario: "Scenario", day_of: Callable[[Any], float]) -> None:
        self.env, self.rec, self.policy, self.streams = env, rec, policy, streams
        self.scenario = scenario
        self.day_of = day_of  # a date -> model day
        self.parts: dict[str, Part] = {}

    def add(self, part: Part) -> None:
        if part.name in self.parts:
            raise WiringError(f"two parts named {part.name!r}: {type(self.parts[part.name]).__name__} "
                              f"and {type(part).__name__}")
        self.parts[part.name] = part

    def need(self, kind: type[P], by: str) -> P:
        """The part of class ``kind`` built earlier; a build-time error naming both parts."""
        found = [p for p in self.parts.values() if isinstance(p, kind)]
        if len(found) != 1:
            what = "is not in the chain before it" if not found else "is in the chain more than once"
            raise WiringError(f"part {by!r} needs part {kind.name!r} ({kind.__name__}), which {what}")
        return found[0]


def wire(parts: Sequence[Part], handoffs: Iterable[Handoff]) -> None:
    """Connect every offer to the take of its row; refuse anything left unwired."""
    by_name: dict[str, Part] = {}
    for p in parts:
        if p.name in by_name:
            raise WiringError(f"two parts named {p.name!r}: {type(by_name[p.name]).__name__} and {type(p).__name__}")
        by_name[p.name] = p
    wired: set[tuple[str, str]] = set()
    fed: set[tuple[str, str]] = set()
    for row in handoffs:
        src, dst = by_name.get(row.source), by_name.get(row.target)
        what = f"hand-off {row.source}.{row.offer} -> {row.target}.{row.take}"
        if src is None or dst is None:
            missing = row.source if src is None else row.target
            raise WiringError(f"{what}: part {missing!r} is not in the chain (parts: {', '.join(by_name)})")
        if row.offer not in src.offers:
            raise WiringError(f"{what}: part {row.source!r} does not offer {row.offer!r} "
                              f"(offers: {', '.join(src.offers) or 'none'})")
        if row.take not in dst.takes:
            raise WiringError(f"{what}: part {row.target!r} does not take {row.take!r} "
                              f"(takes: {', '.join(dst.takes) or 'none'})")
        if (row.source, row.offer) in wired:
            raise WiringError(f"{what}: part {row.source!r} offer {row.offer!r} is wired twice")
        src.out._part = src.name
        setattr(src.out, row.offer, getattr(dst, row.take))
        wired.add((row.source, row.offer))
        fed.add((row.target, row.take))
    for p in parts:
        for offer in p.offers:
            if (p.name, offer) not in wired:
                takers = [f"{q.name}.{t}" for q in parts if q is not p for t in q.takes if t == offer]
                hint = f"; it could go to {', '.join(takers)}" if takers else ""
                raise WiringError(f"part {p.name!r} offers hand-off {offer!r}, but no row of HANDOFFS "
                                  f"wires it to a part that takes it{hint}")
        for take in p.takes:
            if (p.name, take) not in fed:
                offerers = [f"{q.name}.{o}" for q in parts if q is not p for o in q.offers if o == take]
                hint = f" (offered by {', '.join(offerers)})" if offerers else ""
                raise WiringError(f"part {p.name!r} takes hand-off {take!r}, but no row of HANDOFFS "
                                  f"wires a part to it{hint}")


def check_flows(parts: Sequence[Part] | Sequence[type[Part]], handoffs: Iterable[Handoff],
                flows: Iterable[Flow], registry: Registry) -> None:
    """Refuse a flow between nodes no part declares, carried by a hand-off that is not wired
    or a journey a part does not have, or measured by a metric no part declares."""
    nodes = {n.name: p for p in parts for n in p.nodes}
    by_name = {p.name: p for p in parts}
    wired = {(h.source, h.offer) for h in handoffs}
    metrics = {m.name for m in registry}
    for f in flows:
        what = f"flow {f.name!r} ({f.source} -> {f.target})"
        for node in (f.source, f.target):
            if node not in nodes:
                raise WiringError(f"{what}: no part of the chain declares node {node!r} "
                                  f"(nodes: {', '.join(nodes) or 'none'})")
        part, _, step = f.via.partition(".")
        if (part, step) not in wired and not callable(getattr(by_name.get(part), step, None)):
            raise WiringError(f"{what}: via {f.via!r} is neither a hand-off of HANDOFFS nor a journey "
                              f"(method) of a part of the chain")
        unknown = [m for m in (*f.plus, *f.minus) if m not in metrics]
        if unknown or not f.plus:
            raise WiringError(f"{what}: measured by {', '.join(unknown) or 'no metric'}, which no part "
                              f"of the chain declares")


def registry_for(parts: Iterable[type[Part] | Part]) -> Registry:
    """The metric registry of a chain: every part's declared metrics (duplicates refused)."""
    reg = Registry()
    for p in parts:
        for m in p.metrics:
            reg.add(m)
    return reg
