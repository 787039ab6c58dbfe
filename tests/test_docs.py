"""The reference pages of the documentation are generated from the code: a page per command
that lists every option (a new command or option appears without editing the docs), every
scenario field with its default, bounds and whether a phase may change it, every metric."""
from __future__ import annotations

import argparse
import re
import sys

import pytest

from conftest import ROOT

KIND = "unit"

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import ketensim_reference as ref  # noqa: E402


def _listed(option: str, page: str) -> bool:
    """The option is in the page's table (``-v, --verbose`` lists both)."""
    return re.search(rf"`(\S+, )*{re.escape(option)}[ ,`]", page) is not None


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings if s not in ("-h", "--help")}  # noqa: SLF001


def test_a_page_per_command_with_every_option():
    parser = ref.build_parser()
    pages = ref.cli_pages(parser)
    commands = ref._subcommands(parser)  # noqa: SLF001
    assert {"run", "compare", "forecast", "report", "metrics"} <= {name for name, _, _ in commands}
    for name, _, sub in commands:
        page = pages[f"{name}.md"]
        assert page.startswith(ref.GENERATED) and f"# `ketensim {name}`" in page
        for option in _options(sub):
            assert _listed(option, page), f"{option} of `ketensim {name}` missing from its page"
        assert f"]({name}.md)" in pages["index.md"]
    for option in _options(parser):
        assert _listed(option, pages["index.md"])


def test_a_new_command_and_option_appear_without_editing_the_docs():
    parser = argparse.ArgumentParser(prog="ketensim")
    parser.add_argument("--verbose", action="store_true", help="say more")
    sub = parser.add_subparsers(dest="command")
    state = sub.add_parser("state", help="the detailed state of the chain at a date")
    state.add_argument("scenario", help="scenario YAML file")
    state.add_argument("--at", metavar="DATE", default="2021-01-04", help="the date (a Monday) | <now>")
    pages = ref.cli_pages(parser)
    assert set(pages) == {"index.md", "state.md"}
    assert "`--at DATE`" in pages["state.md"] and "`2021-01-04`" in pages["state.md"]
    assert r"the date (a Monday) \| \<now\>" in pages["state.md"]  # table syntax escaped
    assert "state\n" in pages["index.md"].split("{toctree}")[1]


def test_scenario_reference_has_every_block_and_field():
    page = ref.scenario_page()
    sections = re.findall(r"^## `([^`]+)`", page, flags=re.M)
    assert {"horizon", "ind", "ind.video", "reception", "dublin", "health.quarantine", "phases[]"} <= set(sections)
    dublin = page.split("## `dublin`\n", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in dublin.splitlines() if line.startswith("| `deadline_days`"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "number" and cells[2] == "required" and cells[3] == "> 0" and cells[4] == "days"
    assert cells[5] == "yes" and "transfer deadline" in cells[6]
    share = next(line for line in dublin.splitlines() if line.startswith("| `claim_share`"))
    assert "share (0–1)" in share and "≥ 0, ≤ 1" in share


def test_build_time_fields_are_marked_not_changeable_by_a_phase():
    from ketensim.scenario.phases import build_time_field
    from ketensim.scenario.schema import Scenario

    page = ref.scenario_page()
    assert build_time_field(Scenario, "reception.locations") is not None
    reception = page.split("## `reception`\n", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in reception.splitlines() if line.startswith("| `locations`"))
    assert [c.strip() for c in row.strip("|").split("|")][5] == "no"
    top = page.split("## Top level\n", 1)[1].split("\n## ", 1)[0]
    assert next(line for line in top.splitlines() if line.startswith("| `seed`")).count("| no |") == 1


def test_metric_reference_is_the_registry():
    from ketensim.model.chain import ALL_PARTS
    from ketensim.model.parts import registry_for

    page = ref.metrics_page()
    registry = registry_for(ALL_PARTS)
    for metric in registry:
        assert f"| `{metric.name}` |" in page
    assert f"The {len(registry)} weekly metrics" in page


@pytest.mark.parametrize("text,expected", [("a | b", r"a \| b"), ("`x|y` and *z*", r"`x|y` and \*z\*"),
                                           ("<hash>", r"\<hash\>")])
def test_markdown_escaping(text, expected):
    assert ref.md_text(text) == expected


def _synopsis(text: str) -> bool:
    """A usage synopsis in prose (``ketensim report RESULTS_DIR [--baseline DIR]``), not a command."""
    return "[" in text or any(re.fullmatch(r"[A-Z][A-Z_]*", w) for w in text.split())


def _documented_commands() -> list[tuple[str, str]]:
    """(page, command line) of every `ketensim ...` line in the code blocks of the docs and the
    README (continuation lines joined, comments and redirections dropped)."""
    import shlex

    out = []
    pages = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
    for page in pages:
        if "_build" in page.parts or page.name.startswith(("scenario-file", "metrics")) or "cli" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M)
        prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
        blocks += [span for span in re.findall(r"`(ketensim [^`]+)`", prose) if len(span.split()) >= 3 and not _synopsis(span)]
        for block in blocks:
            for line in block.replace("\\\n", " ").splitlines():
                line = line.strip().removeprefix("$ ")
                if not line.startswith("ketensim ") or "..." in line or "--help" in line:
                    continue
                words = shlex.split(line, comments=True)
                if ">" in words:
                    words = words[:words.index(">")]
                out.append((str(page.relative_to(ROOT)), shlex.join(words[1:])))
    return out


def test_every_documented_command_parses(capsys):
    """A command the docs show names a command and options the parser accepts, with
    scenario files that exist (it is not run: that is what the README's tests do)."""
    import shlex

    parser = ref.build_parser()
    commands = _documented_commands()
    assert len(commands) > 20
    bad = []
    for page, line in commands:
        try:
            args = parser.parse_args(shlex.split(line))
        except SystemExit:
            bad.append(f"{page}: ketensim {line}: {capsys.readouterr().err.strip().splitlines()[-1]}")
            continue
        for name in ("scenario", "base"):
            value = getattr(args, name, None)
            if isinstance(value, str) and value.startswith("scenarios/") and not (ROOT / value).exists():
                bad.append(f"{page}: ketensim {line}: {value} does not exist")
    assert not bad, "\n".join(bad)
