"""The conventions of a package: a LICENSE whose text is the licence pyproject.toml declares,
one version (the package's) in the build, the citation file and the changelog."""
from __future__ import annotations

import hashlib
import re
import tomllib

import yaml

import ketensim

from conftest import ROOT

KIND = "unit"

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# SPDX id -> (first line, sha256) of its standard text (the SPDX licence list's, as LICENSE holds it)
LICENCE_TEXTS = {
    "EUPL-1.2": ("EUROPEAN UNION PUBLIC LICENCE v. 1.2",
                 "d126070e53a97387b339cc1b4c794e9bc134df061d6cb5ab37cef0bfe986228a"),
}


def test_licence_file_is_the_declared_licence():
    spdx = PYPROJECT["project"]["license"]
    assert spdx in LICENCE_TEXTS, f"add the standard text of {spdx} to LICENCE_TEXTS"
    first, digest = LICENCE_TEXTS[spdx]
    raw = (ROOT / "LICENSE").read_bytes()
    assert raw.decode("utf-8").splitlines()[0].strip() == first
    assert hashlib.sha256(raw).hexdigest() == digest, "LICENSE differs from the standard text"


def test_one_version_source():
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "ketensim.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", ketensim.__version__)


def test_citation_matches_the_package():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == ketensim.__version__
    assert cff["license"] == PYPROJECT["project"]["license"]
    assert cff["title"].startswith("ketensim") and cff["authors"]


def test_changelog_has_the_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    heads = re.findall(r"^## \[([^\]]+)\]", text, flags=re.M)
    release = ketensim.__version__.split(".dev")[0]
    if ".dev" in ketensim.__version__:
        assert heads[0] == "Unreleased"  # a development version: its changes are listed as unreleased
    else:
        assert release in heads
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", h) for h in heads[1:])
