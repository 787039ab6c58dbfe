"""The part protocol: declarations, the wiring table, stock seeding, the metric registry."""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.cli import main
from ketensim.metrics.recorder import Recorder
from ketensim.metrics.weekly import tidy, weekly_values
from ketensim.model.chain import ALL_PARTS, FLOWS, HANDOFFS, PARTS, Chain, registry
from ketensim.model.parts import Flow, Handoff, WiringError
from ketensim.scenario.errors import ScenarioError
from ketensim.scenario.loader import load_scenario
from ketensim.scenario.root import compose
from ketensim.scenario.schema import Scenario

from conftest import BASELINE
from example_part import FLOW, WIRING, Charter
from example_part import PARTS as EXAMPLE_PARTS

KIND = "unit"

SHORT = ["horizon.end=2020-W04-7", "start.reception.in_procedure=2000", "start.reception.permit_holders=800",
         "start.reception.rejected=900", "start.ind.appeals_open=900",
         "start.dtv.outside_reception=300", "start.dublin.awaiting_transfer=100",
         "reception.locations.0.count=10"]


@pytest.fixture(scope="module")
def short():
    return load_scenario(BASELINE, SHORT)


def test_every_recorded_and_weekly_metric_is_declared(short):
    chain = Chain(short)
    rec = chain.run()
    reg = registry()
    recorded = set(rec.counts) | set(rec.levels) | set(rec.samples)
    assert recorded - {m.name for m in reg} - {m.source for m in reg if getattr(m, "source", "")} == set()
    assert set(weekly_values(rec, short.horizon.weeks)) - {m.name for m in reg} == set()


def test_every_declared_metric_names_its_part_and_has_a_unit_label_and_meaning():
    names = {cls.name for cls in ALL_PARTS}
    for m in registry():
        assert m.part in names, m
        assert m.unit and m.label and m.meaning, m


def test_a_metric_without_a_dutch_label_or_with_an_unknown_group_is_refused_naming_it():
    from ketensim.metrics.registry import Metric, Registry

    bare = Metric("charter.late", "charter", "count", "persons/week", "late charters", "charters after the slot")
    with pytest.raises(ValueError, match=r"metric 'charter\.late' has no Dutch label: add label_nl=.*part 'charter'"):
        Registry([bare])
    import dataclasses

    with pytest.raises(ValueError, match=r"metric 'charter\.late': report group 'charter' is not one of ind, coa"):
        Registry([dataclasses.replace(bare, label_nl="late charters")])
    assert "charter.late" in Registry([dataclasses.replace(bare, label_nl="late charters", group="inflow")])


def test_key_figures_are_the_metrics_that_declare_a_key_in_group_order():
    from ketensim.metrics.registry import GROUPS
    from ketensim.report.labels import key_figures, metric_group

    figures = key_figures()
    declared = {m.name: m.key for m in registry() if m.key}
    assert {m for ms in figures.values() for m in ms} == set(declared)
    assert all(declared[m] == label for label, ms in figures.items() for m in ms)
    assert figures["departures (indep.+forced) /wk"] == ["dtv.departures_independent", "dtv.departures_forced"]
    ranks = [GROUPS.index(metric_group(ms[0])) for ms in figures.values()]
    assert ranks == sorted(ranks)


def test_a_part_offer_without_a_row_is_refused_naming_both_parts(short):
    rows = tuple(h for h in HANDOFFS if (h.source, h.offer) != ("dublin", "discharge"))
    with pytest.raises(WiringError, match=r"part 'dublin' offers hand-off 'discharge'.*detention\.discharge"):
        Chain(short, handoffs=rows)


def test_a_row_to_a_part_that_does_not_take_it_is_refused_naming_both_parts(short):
    rows = (*HANDOFFS, Handoff("charter", "arrival", "dtv", "arrival"))
    with pytest.raises(WiringError, match=r"charter\.arrival -> dtv\.arrival: part 'dtv' does not take 'arrival'"):
        Chain(short, parts=(*PARTS, Charter), handoffs=rows)


def test_a_part_built_before_what_it_needs_is_refused_naming_both(short):
    order = tuple(c for c in PARTS if c.name != "hearings")
    with pytest.raises(WiringError, match=r"part 'ind' needs part 'hearings'"):
        Chain(short, parts=order)


@pytest.mark.parametrize("flow, message", [
    (Flow("ind", "housed", "grants", "reception.await_housing", ("ind.granted",)),
     r"flow 'grants' \(ind -> housed\): measured by ind\.granted, which no part"),
    (Flow("ind", "municipality", "grants", "reception.await_housing", ("ind.grants",)),
     r"flow 'grants' \(ind -> municipality\): no part of the chain declares node 'municipality'"),
    (Flow("ind", "housed", "grants", "reception.house", ("ind.grants",)),
     r"via 'reception\.house' is neither a hand-off of HANDOFFS nor a journey"),
])
def test_a_flow_of_the_overview_that_is_not_declared_is_refused_when_the_chain_is_built(short, flow, message):
    with pytest.raises(WiringError, match=message):
        Chain(short, flows=(*FLOWS, flow))


def test_the_chain_overview_is_drawn_from_the_parts_nodes_and_the_flows():
    """The report's overview is the parts' nodes and the chain's flows: a part declared only
    here, with its node and one flow row, appears in it; without the row, only its node."""
    from ketensim.model.overview import chain_overview
    from ketensim.report import plots

    base = chain_overview()
    assert list(plots.CHAIN_NODES) == [n.name for n in base.nodes]
    assert [(s, t) for s, t, *_ in plots.CHAIN_EDGES] == [(f.source, f.target) for f in base.flows]
    assert {f.name for f in base.flows} == {f.name for f in FLOWS}  # every flow runs between declared nodes
    assert [n.column for n in base.nodes] == sorted(n.column for n in base.nodes)
    more = chain_overview(EXAMPLE_PARTS, (*FLOWS, FLOW))
    assert [n.name for n in more.nodes if n.column == 0][-1] == "charter"
    assert [f.source for f in more.flows if f.target == "ind"] == ["applications", "charter"]
    assert "charter" not in {f.source for f in chain_overview(EXAMPLE_PARTS).flows}


def test_starting_stock_is_stock_not_flow(short):
    """Placing the stocks counts nothing (no entries, admissions, applications, intake);
    the levels hold them: the chain population is every stock person."""
    chain = Chain(short.model_copy(update={"horizon": short.horizon}))
    # counted flows (MVV, nareis) plan their later events when built: flows, not stock
    planned = {m for m in chain.rec.counts if m.split(".")[0] in ("mvv", "nareis")}
    assert set(chain.rec.counts) - planned == set()
    assert "mvv.issued" in planned  # the MVV pipeline is planned at build
    # background nareis applications are filed as time goes by (no look-ahead): none at build
    assert "nareis.applications" not in planned
    s = short.start
    stock = (s.reception.in_procedure + s.reception.permit_holders + s.reception.rejected
             + s.dtv.outside_reception + s.dublin.awaiting_transfer + s.detention.population
             + s.ind.outside_reception)
    assert chain.population == stock


def test_recorder_seeding_drops_flows_and_keeps_later_ones():
    rec = Recorder(7)
    with rec.seeding():
        rec.count("x", 0.0, 5)
        rec.sample("y", 0.0, 1.0)
    rec.count("x", 0.0, 2)
    assert rec.counts["x"][0] == 2 and "y" not in rec.samples


def test_example_part_in_a_chain_its_metric_in_the_weekly_table_and_in_metrics(short, capsys):
    sc = compose(EXAMPLE_PARTS).model_validate({**short.model_dump(), "charter": {"persons_per_week": 7.0}})
    base = Chain(short).run()
    rec = Chain(sc, parts=EXAMPLE_PARTS[1:], handoffs=(*HANDOFFS, WIRING)).run()
    frame = tidy(weekly_values(rec, sc.horizon.weeks), sc.horizon.start, "charter", 0)
    arrivals = frame[frame.metric == "charter.arrivals"].value.to_numpy()
    assert arrivals.tolist() == [6.0, 7.0, 7.0, 7.0]  # one a day at t = 1, 2, ..., 27
    applications = weekly_values(rec, 4)["ind.applications"] - weekly_values(base, 4)["ind.applications"]
    assert applications.sum() == 27  # the same inflow (named streams) plus the charter's 27
    assert main(["metrics", "--parts", "example_part:PARTS"]) == 0
    out = capsys.readouterr().out
    assert any(line.split()[:4] == ["charter.arrivals", "charter", "count", "persons/week"]
               for line in out.splitlines())


def test_a_part_declared_only_in_a_test_gets_its_section_loaded_changed_by_date_and_run(tmp_path):
    """Adding a part is its module, one line in a list of parts and its hand-off rows: the
    scenario root composed from that list holds the part's section (after the model's, as
    phase-changeable), a scenario file gives it, a dated change changes it, and it runs."""
    root = compose(EXAMPLE_PARTS)
    assert list(root.model_fields)[-4:] == ["charter", "phases", "changes", "report"]
    assert root.phase_sections[-1] == "charter" and "charter" not in Scenario.model_fields
    f = tmp_path / "charter.yaml"
    f.write_text(f"extends: {BASELINE}\nname: charter\ncharter:\n  persons_per_week: 7\n")
    sc = load_scenario(f, [*SHORT, "charter.persons_per_week@2020-W03=14"], root=root)
    assert type(sc) is root and sc.charter.persons_per_week == 7.0
    rec = Chain(sc, parts=EXAMPLE_PARTS[1:], handoffs=(*HANDOFFS, WIRING)).run()
    # one a day (t = 1..13), from day 14 (2020-W03) two a day: 14, 14.5, ..., 27.5
    assert weekly_values(rec, 4)["charter.arrivals"].tolist() == [6.0, 7.0, 14.0, 14.0]
    # the model's root does not know the section; without it the part's root gives no charters
    with pytest.raises(ScenarioError, match=r"charter"):
        load_scenario(f, SHORT)
    assert load_scenario(BASELINE, SHORT, root=root).charter.persons_per_week == 0.0


def test_two_parts_declaring_one_section_are_refused_naming_both():
    class Other(Charter):
        name = "other_charter"

    with pytest.raises(ValueError, match=r"section 'charter' .* part 'charter' and by part 'other_charter'"):
        compose((*EXAMPLE_PARTS, Other))


def test_the_model_root_is_composed_from_the_parts_in_the_file_order(short):
    """The sections, their blocks and starting states come from the parts' declarations; the
    typed bases (scenario.root, for the type checker) name the same fields; a scenario
    pickles by reference to the composed classes (worker processes)."""
    import ast
    import inspect
    import pickle

    from ketensim.scenario import root as root_module
    from ketensim.scenario.schema import PHASE_SECTIONS, Start

    owners = {c.section.name: c for c in PARTS if c.section is not None}
    assert list(Scenario.model_fields) == ["name", "description", "seed", "replications", "horizon", "start",
                                           *sorted(owners, key=lambda n: owners[n].section.order),
                                           "phases", "changes", "report"]
    for name, part in owners.items():
        assert Scenario.model_fields[name].annotation is part.section.block
        if part.section.start is not None:
            assert Start.model_fields[name].annotation is part.section.start
    assert PHASE_SECTIONS == tuple(n for n in Scenario.model_fields if n in owners)
    typed: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(inspect.getsource(root_module))):
        if isinstance(node, ast.ClassDef) and node.name in ("Scenario", "Start"):
            block = next(s for s in node.body if isinstance(s, ast.If))
            typed[node.name] = [s.target.id for s in block.body if isinstance(s, ast.AnnAssign)]
    assert typed == {"Scenario": list(Scenario.model_fields), "Start": list(Start.model_fields)}
    again = pickle.loads(pickle.dumps(short))
    assert type(again) is Scenario and type(again.start) is Start and again == short


@pytest.mark.integration
def test_metrics_command_lists_every_metric(capsys):
    assert main(["metrics", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert len([ln for ln in out.splitlines() if ln.startswith("| `")]) == len(registry())


@pytest.mark.integration
def test_metrics_command_bad_parts_is_one_line_exit_2(capsys):
    assert main(["metrics", "--parts", "no.such.module"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--parts no.such.module" in err


def test_weekly_sums_a_derived_metric():
    from ketensim.metrics.registry import Derived, Metric, Registry

    shown = {"label_nl": "x", "group": "chain"}
    reg = Registry([Metric("a.x", "a", "count", "p/w", "x", "x", **shown), Metric("b.y", "b", "count", "p/w", "y", "y", **shown),
                    Derived("a.total", "a", "p/w", "total", "x minus y", terms=(("a.x", 1.0), ("b.y", -1.0)), **shown)])
    rec = Recorder(14, reg)
    rec.count("a.x", 1.0, 3)
    rec.count("b.y", 8.0, 1)
    assert np.array_equal(weekly_values(rec, 2)["a.total"], [3.0, -1.0])


def test_every_metric_the_reports_name_is_declared():
    """Tables, the HTML report, sweeps, validation and the letter's targets name metrics
    only from the registry (a typo or a renamed metric fails here, not in a report); the
    chain overview's flows are checked when a chain is built (``parts.check_flows``)."""
    import yaml

    from ketensim.analysis import forecast
    from ketensim.calibration import validation
    from ketensim.experiment import sweep
    from ketensim.report import html, pressure

    from conftest import TARGETS

    named: set[str] = set()
    for spec in (html.REPORT_SERIES, sweep._DEFAULT_OUTCOMES.values(),
                 validation.FACT_METRICS.values(), (m for _, m in validation.PLOTS),
                 (f.metrics for f in forecast.FIGURES), pressure.STAGES.values()):
        for metrics in spec:
            named.update(metrics)
    named.update(m for p in pressure.PRESSURE.values() for m in ((p,) if isinstance(p, str) else p))
    for t in yaml.safe_load(TARGETS.read_text())["targets"]:
        named.update(t["metrics"])
    assert named - {m.name for m in registry()} == set()


def test_an_unwired_outlet_called_names_the_part_and_the_hand_off():
    import copy

    from ketensim.model.parts import Outlets

    out = Outlets("charter")
    with pytest.raises(WiringError, match=r"part 'charter': hand-off 'arrival' is not wired"):
        out.arrival("first", 1, 1)
    assert copy.deepcopy(out)._part == "charter"
