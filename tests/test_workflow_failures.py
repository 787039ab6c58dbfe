"""One failed-replication policy for the CLI and the API (``ketensim.workflow``): with one
replication of two failing, both refuse the run with the same one-line message and keep
the finished replication for a resume; the API returns it, flagged, only when asked."""
from __future__ import annotations

import pytest

import ketensim
from ketensim.cli import main
from ketensim.experiment.store import RunStore, run_store_path
from ketensim.model import chain
from ketensim.workflow.replications import ReplicationsFailed

from exp_helpers import tiny_scenario

KIND = "integration"


@pytest.fixture
def second_fails(monkeypatch):
    """Replication 1 raises (in this process: ``--workers 1``); replication 0 runs."""
    real = chain.Chain.run

    def run(self):
        if self.replication == 1:
            raise ZeroDivisionError("replication 1 divides by zero")
        return real(self)

    monkeypatch.setattr(chain.Chain, "run", run)


def _kept(out):
    meta = RunStore(run_store_path(out)).read_meta().sort_values("replication")
    return list(meta.replication), [isinstance(e, str) and bool(e) for e in meta.error]


def test_cli_run_refuses_a_run_with_a_failed_replication(tmp_path, second_fails, capsys):
    out = tmp_path / "res"
    rc = main(["run", str(tiny_scenario(tmp_path)), "--reps", "2", "--workers", "1", "--quiet", "--out", str(out)])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("ketensim: error:")]
    assert rc == 1 and len(err) == 1
    assert "1 of 2 replications failed" in err[0] and "ZeroDivisionError: replication 1 divides by zero" in err[0]
    assert not out.exists()
    assert _kept(out) == ([0, 1], [False, True])  # the finished one kept for a resume, the failure recorded


def test_api_run_gives_the_cli_outcome(tmp_path, second_fails, capsys):
    sc = tiny_scenario(tmp_path)
    cli_out, api_out = tmp_path / "cli", tmp_path / "api"
    assert main(["run", str(sc), "--reps", "2", "--workers", "1", "--quiet", "--out", str(cli_out)]) == 1
    cli_line = next(ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("ketensim: error:"))
    with pytest.raises(ReplicationsFailed) as exc:
        ketensim.run(sc, reps=2, workers=1, out=api_out)
    api_line = str(exc.value).replace(str(run_store_path(api_out)), str(run_store_path(cli_out)))
    assert cli_line == "ketensim: error: " + api_line.replace(str(api_out), str(cli_out))
    assert not api_out.exists() and _kept(api_out) == _kept(cli_out)


def test_api_run_in_memory_is_an_error_unless_partial_results_are_asked_for(tmp_path, second_fails):
    sc = tiny_scenario(tmp_path)
    with pytest.raises(ReplicationsFailed, match="1 of 2 replications failed.*ZeroDivisionError.*keep_partial"):
        ketensim.run(sc, reps=2, workers=1)
    res = ketensim.run(sc, reps=2, workers=1, keep_partial=True)
    assert res.replications == 1 and sorted(res.weekly.replication.unique()) == [0]
    assert [r["replication"] for r in res.failed_replications] == [1]
    assert "ZeroDivisionError" in res.failed_replications[0]["error"]


def test_a_run_without_failures_is_not_flagged(tmp_path):
    res = ketensim.run(tiny_scenario(tmp_path), reps=2, workers=1)
    assert res.replications == 2 and res.failed_replications == []
