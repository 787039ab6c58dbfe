"""Short runs shared by the front-end tests (API, plots, report), computed once per session:
20 weeks (pre-COVID, lockdown, restart), two replications, in process."""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from conftest import SCENARIOS

SHORT = "horizon.end=2020-W20-7"


@functools.lru_cache(maxsize=None)
def short_run(scenario: str = "baseline-2020"):
    import ketensim

    return ketensim.run(ketensim.load(SCENARIOS / f"{scenario}.yaml", SHORT), reps=2, workers=1)


@functools.lru_cache(maxsize=None)
def short_dir(scenario: str = "baseline-2020") -> Path:
    out = Path(tempfile.mkdtemp(prefix=f"ketensim-{scenario}-"))
    return short_run(scenario).write(out)
