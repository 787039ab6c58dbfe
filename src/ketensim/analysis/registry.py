"""What the analysis reads of the metric registry: the registry itself (built once from every
part's declared metrics) and the key figures that tables and comparisons summarise."""
from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def registry() -> Any:
    """The metric registry of the chain (built once: every part's declared metrics)."""
    from ..model.chain import registry as build

    return build()


@functools.lru_cache(maxsize=1)
def _key_figures() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in registry().key_figures().items()}


def key_figures() -> dict[str, list[str]]:
    """The key figures of tables and comparisons: short label -> the metrics summed per week,
    as the parts declare them (``key`` in the registry), by report group (a fresh copy)."""
    return {k: list(v) for k, v in _key_figures().items()}
