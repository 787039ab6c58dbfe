"""Writing results safely: a reader never sees a half-written file or a mixed folder.

* ``atomic_write``: one file, through a temporary sibling renamed into place.
* ``write_results``: a results folder as a set (weekly.parquet, weekly.csv, manifest.json)
  written into a temporary sibling folder and swapped in only when every file is complete,
  so a failure (full disk, Ctrl-C) leaves the earlier results as they were.
* ``RunStore``: one file per run, each carrying its point, replication and a checksum, so
  a resume redoes damaged or misplaced files; a lock file keeps two sweeps apart.

Files and folders get the permissions the umask allows (not tempfile's private 0600).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..scenario.errors import ResultsError, RunFault, ScenarioError, short

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------ permissions
def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _chmod_default(path: Path, folder: bool = False) -> None:
    """What ``open``/``mkdir`` would have given: 0666 (0777 for folders) less the umask."""
    os.chmod(path, (0o777 if folder else 0o666) & ~_umask())


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Write to a temporary file in the same folder, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        _chmod_default(Path(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ------------------------------------------------------------------------ output folders
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A scenario name as one safe folder name: no separators, no ``..``, never empty."""
    cleaned = _UNSAFE.sub("_", str(name)).strip("._-")
    return cleaned[:100] or "unnamed"


def overrides_hash(overrides: list[str] | tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(overrides).encode()).hexdigest()[:8]


def default_out(name: str, overrides: list[str] | tuple[str, ...] = (), base: str | Path = "results") -> Path:
    """``results/<name>``, or ``results/<name>-set-<hash>`` for a what-if with ``--set``, so
    a variant never writes into the folder of the scenario it varies."""
    folder = safe_name(name) + (f"-set-{overrides_hash(overrides)}" if overrides else "")
    return Path(base) / folder


def run_store_path(out: str | Path) -> Path:
    """Where ``run`` keeps finished replications until the results are complete (a hidden
    sibling of the results folder; rerunning the same command resumes from it)."""
    out = Path(os.path.abspath(out))  # `--out .` too: beside the folder, never inside it
    return out.parent / f".{out.name}.runs"


RESULT_FILES = frozenset({"weekly.parquet", "weekly.csv", "manifest.json", "report.html", "need.csv"})
"""What a results folder holds; a folder with anything else is never replaced."""


def _foreign_files(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name not in RESULT_FILES) if out.is_dir() else []


def check_output_dir(out: str | Path, option: str = "--out", results_set: bool = False) -> Path:
    """Refuse an output folder that cannot be written, before anything runs: an existing
    file, a read-only or missing-permission parent, a name too long, and (``results_set``:
    the folder is replaced whole) a folder holding anything but results. Creates the parents."""
    out = Path(out)
    if results_set:
        here, folder = Path.cwd().resolve(), Path(os.path.abspath(out)).resolve()
        if here == folder or folder in here.parents:
            raise ScenarioError(option, str(out), "is the current folder (or holds it); results replace their "
                                "folder whole, so name a folder of its own (e.g. --out results/NAME)")
    if len(out.name.encode()) > 200:
        raise ScenarioError(option, short(str(out), 120, quote=False), "folder name longer than 200 bytes")
    try:
        if out.exists() and not out.is_dir():
            raise ScenarioError(option, str(out), "exists and is not a folder")
        out.parent.mkdir(parents=True, exist_ok=True)
        probe = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".probe", dir=out.parent))
        probe.rmdir()
        if out.exists():
            fd, name = tempfile.mkstemp(prefix=".probe.", dir=out)
            os.close(fd)
            os.unlink(name)
        foreign = _foreign_files(out) if results_set else []
    except OSError as exc:
        raise ScenarioError(option, str(out), f"cannot be written: {exc.strerror or exc}") from None
    if foreign:
        raise ScenarioError(option, str(out), f"holds other files than results ({', '.join(foreign[:3])}"
                            f"{', ...' if len(foreign) > 3 else ''}); results replace their folder whole, "
                            "so choose a new or a results folder")
    return out


def write_results(out_dir: str | os.PathLike[str], weekly: pd.DataFrame, manifest: dict[str, Any],
                  extras: Mapping[str, Callable[[Path], object]] | None = None) -> None:
    """Write weekly.parquet, weekly.csv, manifest.json (and ``extras``: file name -> writer)
    as a set: into a temporary sibling folder, then swapped into place. On any failure the
    earlier folder is left untouched."""
    out = Path(out_dir)
    _recover(out)
    if out.exists() and not out.is_dir():
        raise ResultsError(str(out), "", "exists and is not a folder; results not written")
    if _foreign_files(out):
        raise ResultsError(str(out), "", f"holds other files than results ({', '.join(_foreign_files(out)[:3])}); "
                           "not replaced")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name[:180]}.", suffix=".new", dir=out.parent))
    old: Path | None = None
    try:
        weekly.to_parquet(tmp / "weekly.parquet", index=False)
        weekly.to_csv(tmp / "weekly.csv", index=False)
        for name, write in (extras or {}).items():
            write(tmp / name)
        files = ["weekly.parquet", "weekly.csv", *(extras or {})]
        manifest = {**manifest, "files": {f: file_sha256(tmp / f) for f in files}}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str))
        for f in tmp.iterdir():
            _chmod_default(f)
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        _chmod_default(tmp, folder=True)
        if out.exists():
            old = out.parent / f".{out.name[:180]}.old-{os.getpid()}-{time.time_ns()}"
            os.rename(out, old)
        os.rename(tmp, out)
        _fsync_dir(out.parent)
    except BaseException:
        if old is not None and not out.exists():
            os.rename(old, out)  # put the earlier results back
            old = None
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _recover(out: Path) -> None:
    """A process killed between the two renames of a swap leaves the earlier results as a
    hidden ``.NAME.old-*`` sibling and no folder: put them back before writing again."""
    if out.exists() or not out.parent.is_dir():
        return
    olds = sorted(out.parent.glob(f".{glob_escape(out.name[:180])}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds:
        os.rename(olds[-1], out)
        log.warning("restored %s from an interrupted write (%s)", out, olds[-1].name)


def glob_escape(text: str) -> str:
    import glob

    return glob.escape(text)


MAX_MANIFEST_BYTES = 256_000_000
"""Largest manifest read (a sweep of 100,000 design points writes a few tens of MB)."""


def read_manifest_text(path: Path) -> str:
    """A manifest's text, read as any input is: a regular file, bounded in size and time
    (a special file that blocks is refused, not waited on); ResultsError when it cannot be."""
    from ..scenario.loader import read_text_checked

    try:
        return read_text_checked(path, "JSON manifest", MAX_MANIFEST_BYTES)
    except ResultsError:
        raise
    except ScenarioError as exc:
        raise ResultsError(str(path.parent), path.name, f"damaged: {exc.problem}") from None


def read_results(out_dir: str | os.PathLike[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The weekly table and manifest of a results folder, checked: a missing, truncated or
    mismatched file is a ``ResultsError`` naming it, not a traceback."""
    out = Path(out_dir)
    parquet, manifest_path = out / "weekly.parquet", out / "manifest.json"
    if not out.is_dir():
        hint = ""
        if out.parent.is_dir() and any(out.parent.glob(f".{glob_escape(out.name[:180])}.old-*")):
            hint = "; an interrupted write kept the earlier results beside it (rerun `ketensim run` to restore)"
        raise ResultsError(str(out), "", f"no results here (no such folder; results are written by "
                           f"`ketensim run`){hint}")
    for f in (parquet, manifest_path):
        if not f.is_file():
            raise ResultsError(str(out), "", f"no results here (expected weekly.parquet and manifest.json, "
                               f"as written by `ketensim run`; {f.name} is missing)")
    try:
        manifest = json.loads(read_manifest_text(manifest_path))
    except RecursionError:
        raise ResultsError(str(out), "manifest.json", "damaged: nested too deeply") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ResultsError(str(out), "manifest.json", f"damaged: {short(str(exc), 120, quote=False)}") from None
    if not isinstance(manifest, dict):
        raise ResultsError(str(out), "manifest.json", "damaged: not a JSON object")
    files = manifest.get("files")
    if files is not None and not isinstance(files, dict):
        raise ResultsError(str(out), "manifest.json", "damaged: 'files' is not a mapping of file checksums")
    expected = (files or {}).get("weekly.parquet")
    if expected and expected != file_sha256(parquet):
        raise ResultsError(str(out), "weekly.parquet", "does not match manifest.json (checksum differs): "
                           "the folder mixes files of different runs; rerun `ketensim run`")
    try:
        weekly = pd.read_parquet(parquet)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise ResultsError(str(out), "weekly.parquet", f"damaged: {short(str(exc), 120, quote=False)}") from None
    missing = {"replication", "week_start", "metric", "value"} - set(weekly.columns)
    if missing:
        raise ResultsError(str(out), "weekly.parquet", f"not a ketensim results table (no {sorted(missing)})")
    return weekly, manifest


# ---------------------------------------------------------------------------- run store
RUN_META_KEY = b"ketensim.run"
_RUN_NAME = re.compile(r"^point=\d{1,9}/rep=\d{1,9}\.parquet$")
_EMPTY_COLUMNS = {
    "scenario": "str", "replication": "int32", "iso_year": "int16", "iso_week": "int8",
    "week_start": "datetime64[s]", "metric": "str", "value": "float64",
}


def frame_checksum(df: pd.DataFrame) -> str:
    """A checksum of a table's values that survives the Parquet round trip (column types are
    normalised first: string flavours, timestamp units and integer widths)."""
    cols = {}
    for c in sorted(df.columns):
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.astype("datetime64[ns]").astype("int64").astype("float64")
        elif pd.api.types.is_numeric_dtype(s):
            s = s.astype("float64")
        else:
            s = s.astype(str)
        cols[c] = s.reset_index(drop=True)
    hashed = pd.util.hash_pandas_object(pd.DataFrame(cols), index=False).values.tobytes()
    return hashlib.sha256(hashed + ",".join(sorted(df.columns)).encode()).hexdigest()[:32]


class RunStore:
    """Partitioned Parquet: one file per run (``runs/point=0007/rep=003.parquet``) plus a
    ``manifest.json``. Each file is written atomically as its run finishes and carries the
    run's provenance (point, replication, checksum, seed, scenario hash, runtime, error) in
    its Parquet metadata; a failed run is a file with no rows and its error. Verified files
    are finished runs, so a rerun only does what is missing (and retries failures);
    damaged or misplaced files are set aside as ``*.damaged`` and redone."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.runs = self.root / "runs"
        self.damaged: list[tuple[Path, str]] = []

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
        """The run files (names of the form point=PPPP/rep=RRR.parquet; anything else is
        not a run of this store)."""
        if not self.runs.is_dir():
            return []
        return sorted(p for p in self.runs.glob("point=*/rep=*.parquet")
                      if _RUN_NAME.match(f"{p.parent.name}/{p.name}"))

    @staticmethod
    def key_of(path: Path) -> tuple[int, int]:
        return int(path.parent.name.split("=")[1]), int(path.stem.split("=")[1])

    def run_meta(self, path: Path) -> dict[str, Any]:
        """A run file's provenance (its Parquet metadata); a damaged file is a ResultsError."""
        import pyarrow.parquet as pq

        try:
            md = pq.read_schema(path).metadata or {}
            meta = json.loads(md.get(RUN_META_KEY, b"{}"))
        except Exception as exc:  # noqa: BLE001 - ArrowInvalid, OSError, JSON errors: all mean damaged
            raise self._damaged(path, f"unreadable ({short(str(exc), 80, quote=False)})") from None
        if not isinstance(meta, dict):
            raise self._damaged(path, "no run metadata")
        return meta

    def _inspect(self, path: Path) -> tuple[str | None, pd.DataFrame | None, dict[str, Any]]:
        """(what is wrong or None, the rows, the provenance) of a stored run file: its name,
        its metadata's point and replication, and the checksum of its rows all agree."""
        import pyarrow.parquet as pq

        try:
            key = self.key_of(path)
        except (IndexError, ValueError):
            return "file name is not point=PPPP/rep=RRR.parquet", None, {}
        try:
            table = pq.read_table(path)
            meta = json.loads((table.schema.metadata or {}).get(RUN_META_KEY, b"{}"))
            frame = table.to_pandas()
        except Exception as exc:  # noqa: BLE001 - ArrowInvalid, OSError, JSON errors: all mean damaged
            return f"unreadable ({short(str(exc), 80, quote=False)})", None, {}
        if not isinstance(meta, dict) or "point" not in meta:
            return "no run metadata", None, {}
        if (meta.get("point"), meta.get("replication")) != key:
            return (f"holds point {short(meta.get('point'))}, replication {short(meta.get('replication'))}, "
                    "not the one its name says"), None, meta
        want = meta.get("checksum")
        if want is not None and frame_checksum(frame) != want:
            return "checksum does not match its rows", None, meta
        return None, frame, meta

    def verify(self, path: Path) -> str | None:
        """What is wrong with a stored run file (None when it is sound)."""
        return self._inspect(path)[0]

    def _damaged(self, path: Path, problem: str) -> ResultsError:
        return ResultsError(str(path), "", f"damaged run file: {problem}; rerun the command that wrote "
                            f"{self.root} (it sets damaged runs aside and redoes them)")

    def load(self, path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
        """A stored run's rows and provenance, verified as a resume verifies them: a damaged,
        truncated or misplaced file is a ResultsError naming it, never wrong numbers."""
        problem, frame, meta = self._inspect(path)
        if problem is not None or frame is None:
            raise self._damaged(path, problem or "unreadable")
        return frame, meta

    def status(self) -> dict[tuple[int, int], bool]:
        """(point, replication) -> True when finished without error, False when it failed.
        Every file is verified; damaged or misplaced ones are set aside (renamed
        ``*.damaged``), logged, listed in ``self.damaged`` and so redone."""
        out: dict[tuple[int, int], bool] = {}
        for p in self.files():
            problem = self.verify(p)
            if problem is not None:
                with contextlib.suppress(OSError):
                    os.replace(p, p.with_name(p.name + ".damaged"))
                self.damaged.append((p, problem))
                log.warning("run file %s is damaged (%s): set aside and redone", p, problem)
                continue
            out[self.key_of(p)] = not self.run_meta(p).get("error")
        return out

    def write_run(self, point: int, replication: int, weekly: pd.DataFrame | None,
                  meta: dict[str, Any]) -> Path:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if weekly is None:
            weekly = pd.DataFrame({c: pd.Series(dtype=t) for c, t in _EMPTY_COLUMNS.items()})
        frame = weekly.assign(point=pd.Series(point, index=weekly.index, dtype="int32"))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        md = dict(table.schema.metadata or {})
        md[RUN_META_KEY] = json.dumps({"point": point, "replication": replication,
                                       "checksum": frame_checksum(table.to_pandas()), **meta},
                                      default=str).encode()
        table = table.replace_schema_metadata(md)
        path = self.path(point, replication)
        atomic_write(path, lambda p: pq.write_table(table, p))
        return path

    def read_run(self, point: int, replication: int) -> pd.DataFrame:
        return self.load(self.path(point, replication))[0]

    def read_weekly(self) -> pd.DataFrame:
        """All stored weekly rows (every file verified), sorted by (point, replication)
        whatever order runs finished in."""
        frames = [self.load(p)[0] for p in self.files()]
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
        try:
            data = json.loads(read_manifest_text(self.manifest_path))
        except RecursionError:
            raise ResultsError(str(self.root), "manifest.json", "damaged (nested too deeply); remove the "
                               "folder or use another output folder") from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ResultsError(str(self.root), "manifest.json",
                               f"damaged ({short(str(exc), 80, quote=False)}); remove the folder "
                               "or use another output folder") from None
        if not isinstance(data, dict):
            raise ResultsError(str(self.root), "manifest.json", "damaged (not a JSON object)")
        return data

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write(self.manifest_path,
                     lambda p: p.write_text(json.dumps(manifest, indent=1, default=str)))

    # lock
    @property
    def lock_path(self) -> Path:
        return self.root / "store.lock"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store for this process (an OS lock, released even on SIGKILL); a second
        sweep or run on the same store is refused with a message naming the holder."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                holder = os.read(fd, 1000).decode(errors="replace").strip() or "another process"
            finally:
                os.close(fd)
            raise ResultsError(str(self.root), "", f"in use by {holder}; wait for it to finish "
                               "or write to another folder (--out)") from None
        try:
            cmd = " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv))
            info = (f"pid {os.getpid()} on {socket.gethostname()} since "
                    f"{time.strftime('%Y-%m-%d %H:%M:%S')} ({short(cmd, 120, quote=False)})")
            os.ftruncate(fd, 0)
            os.pwrite(fd, info.encode(), 0)
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing releases the lock


def kept_note(store: RunStore, total: int) -> str:
    """'k of n runs kept in STORE' for fault messages."""
    return f"{len(store.files())} of {total} finished run(s) kept in {store.root}"


__all__ = [
    "RunFault",
    "RunStore",
    "atomic_write",
    "check_output_dir",
    "default_out",
    "kept_note",
    "read_results",
    "run_store_path",
    "safe_name",
    "write_results",
]
