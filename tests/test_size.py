"""`ketensim size`: the search against Erlang C, the probabilities around the answer,
refusal of a non-monotone response, the window statistic, and the command line."""
from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from ketensim.experiment.size import Condition, SizeError, search, window_stat
from ketensim.experiment.size_scenario import parse_window
from ketensim.model.chain import Chain
from ketensim.scenario.schema import Scenario

from conftest import stationary

KIND = "integration"

REPS = 10


def erlang_c(c: int, a: float) -> float:
    """P(wait > 0) in M/M/c with offered load a = lambda / mu (a < c)."""
    top = a**c / math.factorial(c) / (1 - a / c)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def share_waiting(rooms: float) -> np.ndarray:
    """Share of hearings that waited, per replication, in a stationary M/M/c hearing queue
    (lambda = 2.5/day, mu = 1/day per room); replication r is the same stream in every call."""
    sc = Scenario.model_validate(stationary(rooms=int(rooms), slots_per_week=7, persons_per_week=17.5,
                                            cv=1.0, weeks=53))
    out = []
    for rep in range(REPS):
        waits = np.array([w for _, w in Chain(sc, rep).run().samples["ind.hearing_wait_days"]])
        out.append(np.mean(waits > 1e-9))
    return np.array(out)


@pytest.mark.slow
def test_servers_for_p_wait_match_erlang_c():
    """a = 2.5: C(4) = 0.32, C(5) = 0.13, so 5 rooms are the fewest with P(wait) <= 0.2;
    a replication of a year (~860 hearings) puts its share within ~0.04 of C."""
    a, target = 2.5, 0.2
    theory = min(c for c in range(3, 12) if erlang_c(c, a) <= target)
    assert theory == 5 and erlang_c(4, a) > 0.3
    res = search(share_waiting, REPS, Condition(target, at_most=True), prob=0.9, low=3, high=10)
    assert res.value == theory
    assert res.direction == "smallest" and res.monotone
    assert res.prob_achieved >= 0.9 and res.prob_below < 0.9
    lo, hi = res.interval
    assert lo is not None and hi is not None and lo <= theory <= hi
    # the probabilities are those of the replications used, at the value and one step below
    ev = {e["value"]: e for e in res.evaluations}
    assert ev[theory]["prob"] == res.prob_achieved and ev[theory - 1]["prob"] == res.prob_below
    assert np.mean(ev[theory]["outcomes"]) == pytest.approx(erlang_c(5, a), abs=0.03)


def test_upper_end_found_by_doubling_and_largest_direction():
    """Without --high the upper end doubles; an at-least condition that weakens with the
    lever gives the largest value (here: the most arrivals per step that keep y >= 0)."""
    y = lambda v: np.full(4, 37.0 - v)  # noqa: E731
    res = search(lambda v: y(v), 4, Condition(0.0, at_most=False), prob=1.0, low=0, high=100)
    assert (res.value, res.direction, res.prob_achieved, res.prob_below) == (37, "largest", 1.0, 0.0)
    res = search(lambda v: np.full(4, 130.0 - v), 4, Condition(0.0, at_most=True), prob=0.5, low=1)
    assert res.value == 130 and res.prob_below == 0.0


def test_probability_on_the_replications_of_a_noisy_response():
    """Each replication r meets the condition from its own threshold t_r on; with P = 0.7 the
    answer is the 70% quantile of the thresholds (order statistic)."""
    t = np.array([12, 15, 9, 20, 14, 11, 17, 13, 16, 10], dtype=float)
    res = search(lambda v: t - v, 10, Condition(0.0, at_most=True), prob=0.7, low=0, high=40)
    assert res.value == np.sort(t)[6] == 15
    assert res.prob_achieved == 0.7 and res.prob_below == 0.6


def test_non_monotone_response_is_refused():
    """Half the replications meet the condition at 0, none at 10, all at 20: bisection on
    this is meaningless and must be refused with the points that show it."""
    def y(v: float) -> np.ndarray:
        if v < 5:
            return np.array([0, 0, 1, 1] * 2, dtype=float)
        return np.full(8, 1.0 if v < 15 else 0.0)

    with pytest.raises(SizeError, match="not monotone") as exc:
        search(y, 8, Condition(0.5, at_most=True), prob=0.9, low=0, high=20)
    assert exc.value.result is not None and not exc.value.result.monotone
    assert {e["value"] for e in exc.value.result.evaluations} >= {0, 10, 20}


def test_no_answer_in_range_is_an_error():
    with pytest.raises(SizeError, match="raise --high"):
        search(lambda v: np.full(3, 100.0 - v), 3, Condition(0, at_most=True), prob=0.9, low=0, high=50)


def test_window_stat_on_a_hand_made_table():
    weeks = pd.date_range("2020-09-14", periods=4, freq="7D")
    rows = [{"scenario": "s", "replication": r, "week_start": w, "metric": m, "value": float(v)}
            for r in range(2) for i, w in enumerate(weeks)
            for m, v in (("x", (r + 1) * (i + 1)), ("y", 100))]
    df = pd.DataFrame(rows)
    a, b = dt.date(2020, 9, 21), dt.date(2020, 10, 5)  # weeks 2..4
    assert window_stat(df, "x", a, b, "sum").tolist() == [9.0, 18.0]
    assert window_stat(df, "x", a, b, "max").tolist() == [4.0, 8.0]
    assert window_stat(df, "x", a, b, "end").tolist() == [4.0, 8.0]
    assert window_stat(df, "x", a, b, "min").tolist() == [2.0, 4.0]
    assert window_stat(df, "x", a, b, "mean").tolist() == [3.0, 6.0]


def test_parse_window():
    assert parse_window("2020-W38..2020-W53") == (dt.date(2020, 9, 14), dt.date(2020, 12, 28))
    with pytest.raises(SizeError, match="FROM..TO"):
        parse_window("2020-W38")


@pytest.mark.integration
def test_cli_size_writes_size_json(write_scenario, tmp_path, capsys):
    """The command end to end on a short stationary chain: rooms for a small end backlog."""
    from ketensim.cli import main

    raw = stationary(rooms=3, slots_per_week=7, persons_per_week=17.5, cv=1.0, weeks=20, warmup_days=0)
    path = write_scenario(raw)
    out = tmp_path / "size"
    code = main(["size", str(path), "--lever", "ind.physical.offices.Ter Apel", "--metric", "ind.backlog",
                 "--window", "2020-W10..2020-W20", "--stat", "max", "--at-most", "100", "--prob", "0.75",
                 "--reps", "4", "--low", "1", "--high", "8", "--workers", "1", "--quiet", "--out", str(out)])
    assert code == 0
    first = capsys.readouterr().out.splitlines()[0]
    data = json.loads((out / "size.json").read_text())
    assert set(data) >= {"lever", "value", "prob_achieved", "prob_below", "interval", "evaluations", "reps"}
    assert first == f"{data['value']:g}" and data["reps"] == 4 and data["prob_achieved"] >= 0.75
    assert (out / "size.png").stat().st_size > 0


@pytest.mark.integration
def test_cli_size_bad_input_is_one_line(write_scenario, capsys):
    from ketensim.cli import main

    path = write_scenario(stationary(weeks=8, warmup_days=0))
    code = main(["size", str(path), "--lever", "ind.nope", "--metric", "ind.backlog",
                 "--window", "2020-W02..2020-W05", "--at-most", "1", "--reps", "2", "--workers", "1"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "ind.nope" in err


def test_a_dip_within_the_slack_is_reported_a_larger_one_refused():
    """Two replications flip back at one evaluated value (diverging paths), one below the
    probability at a lower value: accepted with slack 1 and said in the note; with slack 0 the
    same response is refused."""
    def y(v: float) -> np.ndarray:
        out = np.where(np.arange(10) < v / 10, 0.0, 1.0)  # replication r meets it above 10 r
        if v == 75:
            out[:2] = 1.0  # P(75) = 0.6 < P(62) = 0.7
        return out

    res = search(y, 10, Condition(0.5, at_most=True), prob=0.6, low=0, high=100, slack=1)
    assert res.value == 51 and res.prob_below == 0.5 and "dip" in res.note and res.monotone
    with pytest.raises(SizeError, match="not monotone"):
        search(y, 10, Condition(0.5, at_most=True), prob=0.6, low=0, high=100, slack=0)


@pytest.mark.integration
def test_api_size(write_scenario, tmp_path):
    import ketensim

    path = write_scenario(stationary(rooms=3, slots_per_week=7, persons_per_week=17.5, cv=1.0, weeks=20,
                                     warmup_days=0))
    res = ketensim.size(path, "ind.physical.offices.Ter Apel", "ind.backlog", "2020-W10..2020-W20", "max",
                        at_most=100, prob=0.75, reps=4, low=1, high=4, out=tmp_path / "api")
    assert res.value == 3 and res.prob_achieved >= 0.75 > res.prob_below
    assert json.loads((tmp_path / "api" / "size.json").read_text())["value"] == 3


# ---------------------------------------------------------------------------- curtailed evaluation
def _synthetic(reps: int, seed: int, flip: float = 0.0):
    """Replication r meets `outcome <= 0` from its own threshold on (noisy thresholds); with
    ``flip`` a share of (value, replication) outcomes is flipped (paths that diverge)."""
    t = np.random.default_rng(seed).gamma(8.0, 30.0, size=reps)

    def one(v: float, r: int) -> float:
        y = max(0.0, t[r] - v)
        u = np.random.default_rng([seed, r, int(round(v * 1000))]).random()
        return (1.0 if y == 0 else 0.0) if u < flip else y

    def each(v: float, rs) -> list[float]:
        calls.append(len(rs))
        return [one(v, r) for r in rs]

    def whole(v: float) -> np.ndarray:
        return np.array([one(v, r) for r in range(reps)])

    calls: list[int] = []
    return each, whole, calls


@pytest.mark.parametrize("reps,prob,seed,flip", [(20, 0.9, 1, 0.0), (20, 0.9, 2, 0.0), (10, 0.7, 3, 0.0),
                                                 (20, 0.8, 4, 0.03), (15, 0.5, 5, 0.0), (20, 1.0, 6, 0.0)])
def test_curtailed_search_gives_the_full_designs_answer_and_interval(reps, prob, seed, flip):
    """Curtailment changes which replications run, never a verdict: the value, the
    probabilities at it and next to it and the bootstrap interval are those of the full
    design, every evaluated value meets the target exactly when all its replications say so,
    and fewer replications run."""
    each, whole, calls = _synthetic(reps, seed, flip)
    cond = Condition(0.0, at_most=True)
    kw = dict(low=0, high=600, slack=reps)
    try:
        full = search(whole, reps, cond, prob, **kw)
    except SizeError as exc:  # the same refusal (e.g. no answer in range), with the same message
        with pytest.raises(SizeError) as cut_exc:
            search(None, reps, cond, prob, evaluate_reps=each, **kw)
        assert str(cut_exc.value) == str(exc)
        return
    cut = search(None, reps, cond, prob, evaluate_reps=each, **kw)
    assert (cut.value, cut.prob_achieved, cut.prob_below, cut.interval, cut.direction) == \
           (full.value, full.prob_achieved, full.prob_below, full.interval, full.direction)
    assert [e["value"] for e in cut.evaluations] == [e["value"] for e in full.evaluations]
    for e in cut.evaluations:  # the verdict at every value is the full one; P within its bounds
        p = float(np.mean(whole(e["value"]) <= 0))
        assert e["meets"] == (p >= prob) and e["prob_bounds"][0] <= p <= e["prob_bounds"][1]
        assert e["prob"] in (None, p)
    assert full.replications_run == reps * len(full.evaluations)
    assert cut.replications_run == sum(calls) < full.replications_run


def test_curtailed_results_do_not_depend_on_the_batch():
    """Replications are recorded one at a time in a fixed order, so running 1, 2 or 3 at a
    time (the workers) gives the same result, bounds and replications recorded included."""
    out = []
    for batch in (1, 2, 3):
        each, _, _ = _synthetic(20, 7)
        res = search(None, 20, Condition(0.0, at_most=True), 0.9, low=0, high=600, evaluate_reps=each, batch=batch)
        out.append(json.dumps(res.to_json(), sort_keys=True))
    assert out[0] == out[1] == out[2]


def test_a_failing_value_stops_after_its_failures():
    """P = 0 at the low end: with 20 replications and P >= 0.9 asked, three failures settle
    it (at most 17 can then meet the condition); the search asks for no more there (the
    bootstrap may add one later, for resamples that would otherwise stay open)."""
    each, _, calls = _synthetic(20, 8)
    s_calls: list[int] = []

    def spy(v: float, rs):
        s_calls.append((v, len(rs)))
        return each(v, rs)

    search(None, 20, Condition(0.0, at_most=True), 0.9, low=0, high=600, evaluate_reps=spy, batch=1)
    assert s_calls[0] == (0, 3) and s_calls[1][0] == 600
