"""PSRM's operations: MFFordringIndberet, MFKvitteringHent, HoeringSvar, MFUnderretSamlingHent.

Actions received are processed on the simulated clock by PSRM's batch (`simulators.psrm.batch`).
"""

from __future__ import annotations

from typing import Any

from testkommune.contracts.findings import Finding
from testkommune.simulators.context import OpContext
from testkommune.simulators.operations import Operation
from testkommune.simulators.psrm import felter, svar
from testkommune.simulators.psrm import service as psrm


def _mf_fordring_indberet(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    lifted, missing = felter.lift_aktion_ids(message)
    if missing:
        return 400, missing[0]
    return 200, svar.indberet(psrm.indberet(ctx, lifted))


def _hoering_svar(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    answer = psrm.hoering_svar(ctx, message)
    return (409, answer) if isinstance(answer, Finding) else (200, svar.aktion(answer))


def _mf_underret_samling_hent(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    answer = psrm.underretninger_hent(ctx, felter.soege_interval(message))
    return (400, answer) if isinstance(answer, Finding) else (200, answer)


def _mf_kvittering_hent(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    found = psrm.kvittering_hent(ctx, message["MFLeveranceID"])
    if found is None:
        return 404, Finding("PSRM-LEVERANCE-UKENDT", "$.MFLeveranceID", {"value": message["MFLeveranceID"]})
    return 200, svar.leverance(found)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "psrm",
        "MFFordringIndberet",
        "/psrm/MFFordringIndberet",
        "psrm/MFFordringIndberet_I",
        "psrm/MFFordringIndberet_O",
        "PSRM: submit a leverance of actions; answered MODTAGET or AFVIST per action",
        _mf_fordring_indberet,
    ),
    Operation(
        "psrm",
        "MFKvitteringHent",
        "/psrm/MFKvitteringHent",
        "psrm/MFKvitteringHent_I",
        "psrm/MFKvitteringHent_O",
        "PSRM: fetch the receipts of a leverance (UDFOERT, AFVIST, HOERING)",
        _mf_kvittering_hent,
    ),
    Operation(
        "psrm",
        "HoeringSvar",
        "/psrm/HoeringSvar",
        "psrm/HoeringSvar_I",
        "psrm/HoeringSvar_O",
        "PSRM: approve (with a justification) or withdraw a claim in hearing (HØRING)",
        _hoering_svar,
    ),
    Operation(
        "psrm",
        "MFUnderretSamlingHent",
        "/psrm/MFUnderretSamlingHent",
        "psrm/MFUnderretSamlingHent_I",
        "psrm/MFUnderretSamlingHent_O",
        "PSRM: fetch notifications (udligning/allokering, afregning, renter, returnering, afskrivning)",
        _mf_underret_samling_hent,
    ),
)
