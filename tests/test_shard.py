"""Sweeps split across CI jobs: every run in exactly one shard, and 3 shard stores merge into
the store a single run writes."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from ketensim.experiment.executors import SerialExecutor
from ketensim.experiment.shard import Shard, merge_stores, parse_shard, run_shard
from ketensim.experiment.store import RunStore
from ketensim.experiment.sweep import run_sweep
from ketensim.scenario.errors import ScenarioError

from exp_helpers import tiny_sweep

KIND = "unit"

LEVERS = {"ind.video.coa_rooms@recovery": {"values": [10, 20, 40]}}


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 40])
def test_every_run_is_in_exactly_one_shard(n):
    points, reps = 9, 4
    owners = {(p, r): [k for k in range(1, n + 1) if Shard(k, n).owns(p, r, points)]
              for p in range(points) for r in range(reps)}
    assert all(len(v) == 1 for v in owners.values())
    sizes = pd.Series([v[0] for v in owners.values()]).value_counts()
    assert sizes.max() - sizes.min() <= 1  # balanced
    # a shard keeps its runs when replications grow
    more = {(p, r) for p in range(points) for r in range(reps + 3) if Shard(1, n).owns(p, r, points)}
    assert {k for k, v in owners.items() if v == [1]} <= more


def test_three_shards_merge_to_the_single_store(tmp_path):
    path = tiny_sweep(tmp_path, replications=2, levers=LEVERS)
    single = run_sweep(path, tmp_path / "single", SerialExecutor())
    shards = []
    for k in (1, 2, 3):
        res = run_shard(path, tmp_path / f"s{k}", Shard(k, 3), executor=SerialExecutor())
        assert res.ran == 2
        shards.append(tmp_path / f"s{k}")
    merged, n = merge_stores(tmp_path / "merged", shards)
    assert n == 6
    a, b = RunStore(tmp_path / "single"), merged
    assert [f.relative_to(a.root) for f in a.files()] == [f.relative_to(b.root) for f in b.files()]
    pd.testing.assert_frame_equal(a.read_weekly(), b.read_weekly())
    assert (tmp_path / "single" / "summary.csv").read_text() == (tmp_path / "merged" / "summary.csv").read_text()
    ma, mb = a.read_manifest(), b.read_manifest()
    for key in ("fingerprint", "design", "seed", "replications", "sweep", "code"):
        assert ma[key] == mb[key], key
    assert "shard" not in mb and [m["shard"]["k"] for m in mb["merged_from"]] == [1, 2, 3]
    # provenance of each run survives the copy
    meta_a = a.read_meta().drop(columns=["runtime_s", "finished_at", "executor"])
    meta_b = b.read_meta().drop(columns=["runtime_s", "finished_at", "executor"])
    pd.testing.assert_frame_equal(meta_a, meta_b)
    assert single.failed == 0


def test_merge_refuses_gaps_duplicates_and_other_sweeps(tmp_path):
    from ketensim.cli import main

    path = tiny_sweep(tmp_path, replications=1, levers=LEVERS)
    for k in (1, 2, 3):
        run_shard(path, tmp_path / f"s{k}", Shard(k, 3), executor=SerialExecutor())
    with pytest.raises(ScenarioError, match="gap: 1 of 3 runs missing.*shard 3/3"):
        merge_stores(tmp_path / "m1", [tmp_path / "s1", tmp_path / "s2"])
    shutil.copytree(tmp_path / "s1", tmp_path / "s1-copy")
    with pytest.raises(ScenarioError, match="duplicate run"):
        merge_stores(tmp_path / "m2", [tmp_path / "s1", tmp_path / "s1-copy", tmp_path / "s2"])
    (tmp_path / "o").mkdir()
    other = tiny_sweep(tmp_path / "o", replications=1, levers={"ind.video.coa_rooms@recovery": {"values": [5, 6, 7]}})
    run_shard(other, tmp_path / "o3", Shard(3, 3), executor=SerialExecutor())
    with pytest.raises(ScenarioError, match="the sweep .* differs"):
        merge_stores(tmp_path / "m3", [tmp_path / "s1", tmp_path / "s2", tmp_path / "o3"])
    m = json.loads((tmp_path / "s2" / "manifest.json").read_text())
    m["code"]["git"] = "0" * 40
    (tmp_path / "s2" / "manifest.json").write_text(json.dumps(m))
    code = main(["sweep", "merge", str(tmp_path / "m4"), str(tmp_path / "s1"), str(tmp_path / "s2"),
                 str(tmp_path / "s3")])
    assert code == 2


@pytest.mark.integration
def test_cli_shard_and_merge_one_line_errors(tmp_path, capsys):
    from ketensim.cli import main

    path = tiny_sweep(tmp_path, replications=1, levers=LEVERS)
    assert main(["sweep", str(path), "--shard", "1/2", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "a")]) == 0
    assert "shard 1/2: 2" in capsys.readouterr().out
    assert main(["sweep", str(path), "--shard", "2/2", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "a")]) == 2  # a store remembers its shard
    assert "holds shard 1/2" in capsys.readouterr().err
    assert main(["sweep", "merge", str(tmp_path / "m"), str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "gap: 1 of 3 runs missing" in err
    assert main(["sweep", str(path), "--shard", "3/2", "--workers", "1"]) == 2
    assert "1 <= K <= N" in capsys.readouterr().err


def test_parse_shard():
    assert parse_shard("2/3") == Shard(2, 3)
    for bad in ("0/3", "4/3", "a/b", "3"):
        with pytest.raises(ScenarioError):
            parse_shard(bad)
