"""Small reception scenarios for the reception and housing tests (the rest of the chain off)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.schema import Scenario

from conftest import stationary


def network(persons_per_week: float = 60.0, weeks: int = 30, azc: tuple[int, int] = (2, 400),
            pol: tuple[int, int] | None = (1, 100), limit: int = 200, rooms: int = 5,
            **reception: Any) -> dict:
    """Single-person newcomers into a small network: a COL with ``limit``, ``pol`` and
    ``azc`` as (locations, places each); capacity rule and crisis off unless given."""
    raw = stationary(rooms=rooms, persons_per_week=persons_per_week, weeks=weeks, warmup_days=0)
    raw["reception"] = {
        "col": {"limit": limit, "night_shelter": 20, "registrations_per_week": 10_000,
                "registration_days": 2},
        "pol": {"locations": [{"name": "pol", "count": pol[0], "places": pol[1], "isolation_places": 0}]
                if pol else [], "stay_days": 14},
        "locations": [{"name": "azc", "count": azc[0], "places": azc[1], "isolation_places": 2}],
        "capacity": {"enabled": False},
        "housing": {"targets": {"2020-H1": 26000}, "matching_days": {"single": 5, "family": 5}},
    }
    for key, value in reception.items():
        raw["reception"][key] = value
    return raw


def run(raw: dict, replication: int = 0, seed: int | None = None) -> tuple[Chain, dict[str, np.ndarray]]:
    sc = Scenario.model_validate(raw)
    chain = Chain(sc, replication=replication, seed=seed)
    rec = chain.run()
    return chain, weekly_values(rec, sc.horizon.weeks)
