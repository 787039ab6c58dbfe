"""Shared fixtures: scenario paths and a helper to build small variants in a temp dir."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline-2020.yaml"
TARGETS = SCENARIOS / "targets" / "letter-2020-10-05.yaml"


@pytest.fixture
def write_scenario(tmp_path: Path):
    """write_scenario(dict_or_text, name) -> path of a YAML file in a temp folder.

    A dict is dumped as YAML; ``extends`` may name a file in scenarios/ by its stem
    (``extends: baseline-2020``).
    """

    def _write(content: dict | str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, dict):
            content = dict(content)
            ext = content.get("extends")
            if isinstance(ext, str) and not ext.endswith(".yaml"):
                content["extends"] = str(SCENARIOS / f"{ext}.yaml")
            content = yaml.safe_dump(content, sort_keys=False)
        path.write_text(content)
        return path

    return _write
