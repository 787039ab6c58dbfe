"""`ketensim size` with a shared prefix: a replication parked at the lever's date and continued
per value by fork() gives the weekly table of a straight run, bit for bit; a continued run
that differs is caught before use; and the answer does not depend on the path or the workers."""
from __future__ import annotations

import json

import pytest

from ketensim.experiment import size_fork
from ketensim.experiment.runner import simulate
from ketensim.scenario.loader import load_scenario
from ketensim.scenario.schema import Scenario

from conftest import ROOT, stationary

KIND = "integration"

pytestmark = pytest.mark.skipif(not size_fork.available(), reason="fork() is POSIX only")

SECOND_WAVE = ROOT / "scenarios" / "second-wave-2020.yaml"
LEVER = "health.quarantine.external_places@2020-W38"


def test_prefix_day_is_the_levers_date_and_none_from_the_start():
    a = load_scenario(SECOND_WAVE, [f"{LEVER}=0"])
    b = load_scenario(SECOND_WAVE, [f"{LEVER}=294"])
    assert size_fork.prefix_day(a, b) == 259.0  # Monday of 2020-W38 from 2019-12-30
    c = load_scenario(SECOND_WAVE, ["health.quarantine.external_places=294"])  # in force from the start
    assert size_fork.prefix_day(a, c) is None


@pytest.mark.slow
@pytest.mark.integration
def test_continued_run_is_bit_identical_to_a_straight_run():
    """The README's sizing lever: replication 1 parked at 0 places in 2020-W38 and continued
    with 294 gives exactly the weekly table (every metric, every week) of a straight run with
    294; the parked value continued with itself gives its own straight run."""
    a = load_scenario(SECOND_WAVE, [f"{LEVER}=0"])
    b = load_scenario(SECOND_WAVE, [f"{LEVER}=294"])
    with size_fork.PrefixForks(a, a.seed, 259.0, workers=2) as forks:
        got = forks.run(b, [1], table=True)[1]
        own = forks.run(a, [1], table=True)[1]
    want = simulate(b, 1).weekly
    assert got.equals(want)
    assert not got.equals(own)  # the value made a difference after the date
    assert own.equals(simulate(a, 1).weekly)


def _stationary(persons_per_week: float = 17.5) -> Scenario:
    raw = stationary(rooms=3, slots_per_week=7, persons_per_week=persons_per_week, cv=1.0, weeks=20, warmup_days=0)
    raw["phases"].append({"name": "later", "start": "2020-03-02", "set": {}})
    return Scenario.model_validate(raw)


def test_a_continued_run_that_differs_is_caught():
    """A prefix that depends on the value (here: another inflow from the start) makes the
    continued run differ from the straight one: ``verified`` refuses it."""
    parked, other = _stationary(17.5), _stationary(24.5)
    with size_fork.PrefixForks(parked, 7, 63.0, workers=1) as forks:
        assert size_fork.verified(forks, other, 0) is None
    with size_fork.PrefixForks(parked, 7, 63.0, workers=1) as forks:  # and accepts the same run
        assert size_fork.verified(forks, _stationary(17.5), 0) is not None


@pytest.mark.integration
def test_same_answer_with_prefix_or_straight_and_one_or_two_workers(write_scenario, tmp_path, capsys):
    """Hearing rooms from 2020-W08 on a stationary chain: the continued path (1 and 2 workers)
    and the straight path give the same size.json, replications run included."""
    from ketensim.cli import main

    raw = stationary(rooms=3, slots_per_week=7, persons_per_week=17.5, cv=1.0, weeks=20, warmup_days=0)
    path = write_scenario(raw)
    out = {}
    for name, extra in (("w1", ["--workers", "1"]), ("w2", ["--workers", "2"]),
                        ("straight", ["--workers", "2", "--straight"])):
        code = main(["size", str(path), "--lever", "ind.physical.offices.Ter Apel@2020-W08", "--metric",
                     "ind.backlog", "--window", "2020-W10..2020-W20", "--stat", "max", "--at-most", "100",
                     "--prob", "0.75", "--reps", "4", "--low", "1", "--high", "8", "--quiet",
                     "--out", str(tmp_path / name), *extra])
        assert code == 0
        data = json.loads((tmp_path / name / "size.json").read_text())
        out[name] = (data.pop("prefix"), json.dumps({k: v for k, v in data.items() if k != "code"}, sort_keys=True))
    capsys.readouterr()
    assert out["w1"][1] == out["w2"][1] == out["straight"][1]
    assert out["w1"][0].startswith("the run up to day 49") and out["straight"][0] == "none"
