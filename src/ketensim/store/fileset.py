"""Writing a set of files into a folder that also holds other things, as one set.

``forecast`` and ``validate`` write several files (tables, README, plots) into a folder
that may hold other outputs as well (``results/validation/`` keeps the calibration, the
backtest and the sensitivity screening beside the report), so the folder cannot be
swapped whole as ``write_results`` does. Instead:

1. the set is written into a hidden temporary folder inside the target folder; a failure
   there (full disk, Ctrl-C, a bug in a plot) removes it and leaves the folder untouched;
2. a journal folder ``.NAME.set-old-*`` records the set's names (and which of them exist),
   and the earlier version of each name is moved into it; then every new entry is moved
   into place;
3. the journal is renamed to ``.NAME.set-done-*`` (the commit) and removed.

A process killed during step 2 leaves the journal: the next write (or ``recover_set``)
removes the entries of the unfinished set and moves the earlier ones back, so the folder
holds the complete earlier set again. Other files in the folder are never touched.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .files import _chmod_default, _fsync_dir, glob_escape

log = logging.getLogger(__name__)

_NAMES = ".names.json"  # in the journal: every entry of the set being written


def _prefix(out: Path) -> str:
    return f".{out.name[:150]}.set"


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif _exists(path):
        path.unlink()


def recover_set(out: str | os.PathLike[str]) -> bool:
    """Undo a set write that was killed half-way (see the module): True if one was undone."""
    out = Path(out)
    if not out.is_dir():
        return False
    done = False
    for journal in sorted(out.glob(f"{glob_escape(_prefix(out))}-old-*"), key=lambda p: p.stat().st_mtime):
        try:
            record = json.loads((journal / _NAMES).read_text())
        except (OSError, ValueError):  # killed before the journal was complete: nothing moved
            record = {}
        existed = set(record.get("existed", []))
        for name in record.get("names", []):
            if name not in existed:
                _remove(out / name)  # an entry of the unfinished set (or nothing yet)
            elif _exists(journal / name):
                _remove(out / name)
                os.rename(journal / name, out / name)
            # else: the earlier entry was not moved aside yet and is still in place
        shutil.rmtree(journal, ignore_errors=True)
        log.warning("restored the earlier files in %s from an interrupted write (%s)", out, journal.name)
        done = True
    for stale in [*out.glob(f"{glob_escape(_prefix(out))}-done-*"), *out.glob(f"{glob_escape(_prefix(out))}-new-*")]:
        shutil.rmtree(stale, ignore_errors=True)
    return done


def write_set(out: str | os.PathLike[str], write: Callable[[Path], object]) -> list[str]:
    """Call ``write(folder)`` to write the set into an empty folder, then put every entry it
    wrote (files and subfolders) into ``out`` as one set; returns the names written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    recover_set(out)
    tmp = Path(tempfile.mkdtemp(prefix=f"{_prefix(out)}-new-", dir=out))
    journal: Path | None = None
    try:
        write(tmp)
        names = sorted(p.name for p in tmp.iterdir())
        for path in tmp.rglob("*"):
            _chmod_default(path, folder=path.is_dir())
            if path.is_file():
                with open(path, "rb") as fh:
                    os.fsync(fh.fileno())
        journal = out / f"{_prefix(out)}-old-{os.getpid()}-{time.time_ns()}"
        journal.mkdir()
        staged = journal / (_NAMES + ".tmp")
        staged.write_text(json.dumps({"names": names, "existed": [n for n in names if _exists(out / n)]}))
        os.replace(staged, journal / _NAMES)  # from here on a kill is undone by recover_set
        for name in names:
            if _exists(out / name):
                os.rename(out / name, journal / name)
        for name in names:
            os.rename(tmp / name, out / name)
        committed = journal.with_name(journal.name.replace("-old-", "-done-"))
        os.rename(journal, committed)
        journal = committed
        _fsync_dir(out)
    except BaseException:
        if journal is not None and "-old-" in journal.name:
            recover_set(out)  # put the earlier entries back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(journal, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    return names
