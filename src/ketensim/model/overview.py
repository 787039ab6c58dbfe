"""The chain overview from the parts' declarations: the nodes the parts declare
(``Part.nodes``) and the chain's flows between them (``chain.FLOWS``), in drawing order.
The report draws it (``report.plots.plot_chain``); nothing here is written by hand."""
from __future__ import annotations

from typing import Iterable, NamedTuple, Sequence

from .chain import ALL_PARTS, FLOWS
from .parts import Flow, Node, Part

__all__ = ["Overview", "chain_overview"]


class Overview(NamedTuple):
    """Nodes by column, then in the order of the parts; flows by source node, then target."""

    nodes: tuple[Node, ...]
    flows: tuple[Flow, ...]


def chain_overview(parts: Iterable[type[Part]] = ALL_PARTS, flows: Sequence[Flow] = FLOWS) -> Overview:
    """The nodes of ``parts`` and the ``flows`` between them; a flow to or from a node that no
    part declares is left out (a chain without that part)."""
    declared = [n for p in parts for n in p.nodes]
    nodes = tuple(sorted(declared, key=lambda n: n.column))  # stable: the parts' order within a column
    rank = {n.name: i for i, n in enumerate(nodes)}
    drawn = [f for f in flows if f.source in rank and f.target in rank]
    return Overview(nodes, tuple(sorted(drawn, key=lambda f: (rank[f.source], rank[f.target]))))
