"""Writing results atomically: a reader never sees a half-written file."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import pandas as pd


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
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


# ---------------------------------------------------------------------------- run store
RUN_META_KEY = b"ketensim.run"
_EMPTY_COLUMNS = {
    "scenario": "str", "replication": "int32", "iso_year": "int16", "iso_week": "int8",
    "week_start": "datetime64[s]", "metric": "str", "value": "float64",
}


class RunStore:
    """Partitioned Parquet: one file per run (``runs/point=0007/rep=003.parquet``) plus a
    ``manifest.json``. Each file is written atomically as its run finishes and carries the
    run's provenance (seed, scenario hash, runtime, error) in its Parquet metadata; a
    failed run is a file with no rows and its error. Existing files are finished runs, so a
    rerun only does what is missing (and retries failures)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.runs = self.root / "runs"

    def path(self, point: int, replication: int) -> Path:
        return self.runs / f"point={point:04d}" / f"rep={replication:03d}.parquet"

    def clean_partial(self) -> int:
        """Remove temporary files left by a process killed while writing; returns how many."""
        n = 0
        for tmp in self.runs.glob("point=*/.*.tmp") if self.runs.exists() else []:
            tmp.unlink(missing_ok=True)
            n += 1
        return n

    def files(self) -> list[Path]:
        return sorted(self.runs.glob("point=*/rep=*.parquet")) if self.runs.exists() else []

    @staticmethod
    def key_of(path: Path) -> tuple[int, int]:
        return int(path.parent.name.split("=")[1]), int(path.stem.split("=")[1])

    def run_meta(self, path: Path) -> dict[str, Any]:
        import pyarrow.parquet as pq

        md = pq.read_schema(path).metadata or {}
        return json.loads(md.get(RUN_META_KEY, b"{}"))

    def status(self) -> dict[tuple[int, int], bool]:
        """(point, replication) -> True when finished without error, False when it failed."""
        return {self.key_of(p): not self.run_meta(p).get("error") for p in self.files()}

    def write_run(self, point: int, replication: int, weekly: pd.DataFrame | None,
                  meta: dict[str, Any]) -> Path:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if weekly is None:
            weekly = pd.DataFrame({c: pd.Series(dtype=t) for c, t in _EMPTY_COLUMNS.items()})
        frame = weekly.assign(point=pd.Series(point, index=weekly.index, dtype="int32"))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        md = dict(table.schema.metadata or {})
        md[RUN_META_KEY] = json.dumps({"point": point, "replication": replication, **meta},
                                      default=str).encode()
        table = table.replace_schema_metadata(md)
        path = self.path(point, replication)
        atomic_write(path, lambda p: pq.write_table(table, p))
        return path

    def read_weekly(self) -> pd.DataFrame:
        """All stored weekly rows, sorted by (point, replication) whatever order runs finished in."""
        frames = [pd.read_parquet(p) for p in self.files()]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=[*_EMPTY_COLUMNS, "point"])
        df = pd.concat(frames, ignore_index=True)
        return df.sort_values(["point", "replication", "week_start", "metric"], kind="stable",
                              ignore_index=True)

    def read_meta(self) -> pd.DataFrame:
        """One row per stored run: point, replication, seed, runtime, error, ..."""
        rows = [self.run_meta(p) for p in self.files()]
        return pd.DataFrame(rows)

    # manifest
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def read_manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        return json.loads(self.manifest_path.read_text())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write(self.manifest_path,
                     lambda p: p.write_text(json.dumps(manifest, indent=1, default=str)))
