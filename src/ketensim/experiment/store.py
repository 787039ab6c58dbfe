"""Writing results atomically: a reader never sees a half-written file."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import pandas as pd


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_results(out_dir: str | os.PathLike[str], weekly: pd.DataFrame, manifest: dict[str, Any]) -> None:
    out = Path(out_dir)
    atomic_write(out / "weekly.parquet", lambda p: weekly.to_parquet(p, index=False))
    atomic_write(out / "weekly.csv", lambda p: weekly.to_csv(p, index=False))
    atomic_write(out / "manifest.json",
                 lambda p: p.write_text(json.dumps(manifest, indent=1, default=str)))


def read_results(out_dir: str | os.PathLike[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    out = Path(out_dir)
    weekly = pd.read_parquet(out / "weekly.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    return weekly, manifest
