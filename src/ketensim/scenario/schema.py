"""The scenario schema: the ``Scenario`` root composed from the model's parts.

Each part declares its section (``Part.section``: its parameter block with units, bounds and
defaults, its starting state, whether phases may change it) next to its code, with the block
in ``model/<part>_params.py`` (reception's in ``scenario/reception_params.py``); ``root.compose``
builds the root from the parts of ``model.chain.ALL_PARTS``, so adding a part edits nothing
here. A scenario is one frozen, validated object. Unknown keys are refused, so a typo never
passes silently; parts of the model read parameters from this object and never supply
defaults of their own. The sections named in ``PHASE_SECTIONS`` are the chain parameters
that policy phases may override by dotted path, except the fields marked ``BUILD_TIME``
(read once when the chain is built; refused in a phase, see ``scenario.phases``).

The model's own modules take the typed bases from ``scenario.root`` (this module imports them).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.chain import ALL_PARTS
from ..model.departures_params import Dtv
from ..model.detention_params import Detention
from ..model.dublin_params import Dublin
from ..model.epidemic_params import Health
from ..model.ind_params import Ind, PhysicalHearings, StartInd, VideoHearings
from ..model.inflow_params import Households, Inflow
from ..model.mvv_params import Mvv
from ..model.nareis_params import Nareis
from ..model.resettlement_params import Resettlement
from .base import Series, SizeDistribution, Strict
from .reception_params import Reception, StartReception
from .root import Change, Horizon, Phase, Report, ReportWindow, compose

__all__ = [  # the blocks are importable from here as before
    "Change", "Detention", "Dtv", "Dublin", "Health", "Horizon", "Households", "Ind", "Inflow", "Mvv", "Nareis",
    "PHASE_SECTIONS", "Phase", "PhysicalHearings", "Report", "ReportWindow", "Reception", "Resettlement", "Scenario",
    "Series", "SizeDistribution", "Start", "StartInd", "StartReception", "Strict", "VideoHearings",
]

if TYPE_CHECKING:
    from .root import Scenario, Start
else:
    Scenario = compose(ALL_PARTS, module=__name__)
    Start = Scenario.model_fields["start"].annotation

PHASE_SECTIONS: tuple[str, ...] = Scenario.phase_sections
"""Top-level sections that phases (and sweeps) may override by dotted path."""
