"""Store readers trust nothing they have not checked, and the API checks its arguments as
the CLI does. ``ketensim.read(STORE).point(k)``, ``.summary()`` and ``ketensim report`` verify
each run file (name, point and replication, checksum) as the resume path does; whatever a
folder holds, ``ketensim.read`` raises the package's error, never Python's or pyarrow's."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import ketensim
from ketensim.cli import main
from ketensim.experiment.store import RunStore
from ketensim.scenario.errors import ResultsError, ScenarioError

from conftest import BASELINE, stall_reads
from exp_helpers import tiny_sweep

KIND = "integration"


@pytest.fixture(scope="module")
def sweep_store(tmp_path_factory):
    """A finished tiny sweep (9 points x 1 replication); tests damage copies of it."""
    folder = tmp_path_factory.mktemp("sweep")
    path = tiny_sweep(folder, replications=1)
    out = folder / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    return out


@pytest.fixture
def store(sweep_store, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(sweep_store, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


def _damage(store: Path, how: str) -> Path:
    files = RunStore(store).files()
    target = files[1]  # point 1
    if how == "truncated":
        target.write_bytes(target.read_bytes()[:300])
    elif how == "empty":
        target.write_bytes(b"")
    elif how == "misplaced":  # a sound run file of point 0 in point 1's slot: silently wrong before
        target.write_bytes(files[0].read_bytes())
    elif how == "rows changed":  # the rows no longer match the checksum in its metadata
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(target)
        df = table.to_pandas()
        df["value"] = df["value"] + 1
        new = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(table.schema.metadata)
        pq.write_table(new, target)
    elif how == "no metadata":
        pd.read_parquet(target).to_parquet(target, index=False)
    elif how == "garbage":
        target.write_bytes(b"PAR1" + b"\x00" * 200 + b"PAR1")
    return target


DAMAGE = ["truncated", "empty", "misplaced", "rows changed", "no metadata", "garbage"]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_run_file_is_named_by_point_summary_and_report(store, capsys, how):
    target = _damage(store, how)
    sweep = ketensim.read(store)
    with pytest.raises(ResultsError) as exc:
        sweep.point(1)
    assert "rep=000.parquet" in str(exc.value) and "rerun" in str(exc.value)
    with pytest.raises(ResultsError):
        ketensim.read(store, point=1)
    with pytest.raises(ResultsError) as exc:
        sweep.summary()
    assert str(target.parent.name) in str(exc.value)
    sweep.point(0)  # the sound points still read
    capsys.readouterr()
    rc = main(["report", str(store), "--point", "1", "--out", str(store.parent / "rep")])
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert "point=0001" in lines[0] and "damaged run file" in lines[0], lines[0]
    rc = main(["report", str(store), "--out", str(store.parent / "overview.html")])  # the overview too
    err = capsys.readouterr().err
    assert rc == 2 and "point=0001" in err and "Traceback" not in err, err


def test_sound_files_give_the_numbers_the_sweep_wrote(store):
    """The verified read gives the same rows as the files hold (the check is not a filter)."""
    sweep = ketensim.read(store)
    res = sweep.point(2)
    direct = pd.concat([pd.read_parquet(f) for f in RunStore(store).files() if "point=0002" in str(f)])
    assert len(res.weekly) == len(direct) and res.weekly["value"].sum() == pytest.approx(direct["value"].sum())


MANIFESTS = [
    ("deeply nested", lambda m: "[" * 100_000 + "]" * 100_000),
    ("design not a list", lambda m: json.dumps({**m, "design": 5})),
    ("design of numbers", lambda m: json.dumps({**m, "design": [1, 2]})),
    ("point as text", lambda m: json.dumps({**m, "design": [{**m["design"][0], "point": "0"}]})),
    ("point true", lambda m: json.dumps({**m, "design": [{**m["design"][0], "point": True}]})),
    ("levers a list", lambda m: json.dumps({**m, "design": [{**m["design"][0], "levers": [1]}]})),
    ("sweep a string", lambda m: json.dumps({**m, "sweep": "x"})),
    ("replications text", lambda m: json.dumps({**m, "replications": "many"})),
    ("base a number", lambda m: json.dumps({**m, "base": 5, "sweep_file": 7})),
    ("not JSON", lambda m: "{"),
    ("binary", lambda m: "\udcff"),
]


@pytest.mark.parametrize("case,edit", MANIFESTS, ids=[c[0] for c in MANIFESTS])
def test_read_raises_the_package_error_whatever_the_manifest_holds(store, case, edit):
    m = json.loads((store / "manifest.json").read_text())
    text = edit(m)
    (store / "manifest.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    try:
        sweep = ketensim.read(store)
        for p in sweep.points:
            sweep.point(p)
        sweep.summary()
        _ = sweep.design
    except ScenarioError:
        pass  # the package's error (ResultsError is one)


def test_stray_files_in_the_runs_folder_are_not_runs(store):
    (store / "runs" / "point=abc").mkdir()
    (store / "runs" / "point=abc" / "rep=x.parquet").write_bytes(b"")
    sweep = ketensim.read(store)
    assert len(sweep.point(0).weekly) > 0 and len(RunStore(store).files()) == 9


def test_a_run_folder_with_odd_files_is_the_package_error(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    pd.DataFrame({"replication": [0], "week_start": [pd.Timestamp("2020-01-06")], "metric": ["x"],
                  "value": [1.0]}).to_parquet(out / "weekly.parquet")
    for manifest in ('{"files": [1, 2]}', "[" * 50_000 + "]" * 50_000, '{"files": {"weekly.parquet": "0"}}'):
        (out / "manifest.json").write_text(manifest)
        with pytest.raises(ResultsError):
            ketensim.read(out)


# ---------------------------------------------------------------- the API checks its arguments

@pytest.mark.parametrize("reps", [0, -1, True, 2.5, "2"])
def test_run_refuses_a_bad_number_of_replications_before_running(reps, monkeypatch):
    from ketensim.experiment import runner

    monkeypatch.setattr(runner, "simulate", lambda *a, **k: (_ for _ in ()).throw(AssertionError("ran")))
    with pytest.raises(ScenarioError, match="reps"):
        ketensim.run(BASELINE, reps=reps, workers=1)


@pytest.mark.parametrize("workers", [0, -2, False, 1.5])
def test_run_refuses_a_bad_number_of_workers(workers, monkeypatch):
    from ketensim.experiment import runner

    monkeypatch.setattr(runner, "simulate", lambda *a, **k: (_ for _ in ()).throw(AssertionError("ran")))
    with pytest.raises(ScenarioError, match="workers"):
        ketensim.run(BASELINE, reps=1, workers=workers)


@pytest.mark.parametrize("point", [True, False, -1, 1.0, "1"])
def test_read_refuses_a_point_that_is_not_a_whole_number(store, point):
    with pytest.raises(ScenarioError, match="point"):
        ketensim.read(store, point=point)
    with pytest.raises(ScenarioError, match="point"):
        ketensim.read(store).point(point)


def test_compare_refuses_zero_replications():
    from ketensim.experiment.compare import run_replications

    with pytest.raises(ScenarioError, match="reps"):
        run_replications([], 0, [])


def test_a_manifest_that_blocks_is_refused_in_time(tmp_path, monkeypatch):
    """A results folder's manifest is read like any input: a FIFO is refused from its status
    and a regular-looking file that blocks (as under /proc) within the read deadline."""
    import os
    import time


    out = tmp_path / "res"
    out.mkdir()
    (out / "weekly.parquet").write_bytes(b"")
    os.mkfifo(out / "manifest.json")
    t0 = time.monotonic()
    with pytest.raises(ResultsError, match="not a regular file"):
        ketensim.read(out)
    (out / "manifest.json").unlink()
    (out / "manifest.json").write_text("{}")
    release = stall_reads(monkeypatch, out / "manifest.json")
    try:
        with pytest.raises(ResultsError, match="blocks when read"):
            ketensim.read(out)
    finally:
        release.set()
    assert time.monotonic() - t0 < 10
