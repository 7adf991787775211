"""The core of PSRM's action codes: specs, context, verdict and the handler registry.

A handler maps (action, base path, context) → errors, hearing findings, effects.

An action is judged against PSRM's state when its batch runs (a read-only view), the simulated date and the
claimant's agreement; it never writes. The service applies the effects of an accepted action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from testkommune.contracts.clock import danish_date
from testkommune.contracts.findings import Finding
from testkommune.contracts.fordringstyper import FordringstypeCatalogue
from testkommune.contracts.schemas import load_reference
from testkommune.simulators.psrm import felter
from testkommune.simulators.psrm.state import (
    ClaimState,
    Effect,
    PsrmView,
)
from testkommune.simulators.rules.fordring import Agreement, ClaimContext
from testkommune.simulators.rules.stamdata import MainClaim

LOCKING_REASONS = ("BORD", "BORT", "HENS", "KLAG", "HAFT")
RESUBMIT_AFTER = ("HENS", "KLAG", "BORD", "HAFT")
STATSREFUSION_REASONS = ("FEJL", "KLAG")
RESUBMIT_SAME = {
    "DMIFordringTypeKode": "fordringstype",
    "DMIFordringStiftelseTidspunkt": "stiftelsesdato",
    "DMIFordringForfaldDato": "forfaldsdato",
    "FordringPeriodeStruktur": "periode",
}


@dataclass(frozen=True, slots=True)
class ActionSpec:
    kode: str
    struktur: str
    mangler: str
    tilladelse: str | None
    aendrer_fordring: bool


@cache
def action_specs() -> dict[str, ActionSpec]:
    data = load_reference("psrm_aktioner.json")
    return {
        a["kode"]: ActionSpec(a["kode"], a["struktur"], a["mangler"], a["tilladelse"], a["aendrer_fordring"])
        for a in data["aktioner"]
    }


@cache
def art_permissions() -> dict[str, str]:
    return dict(load_reference("psrm_aktioner.json")["art_tilladelse"])


@dataclass(frozen=True, slots=True)
class ActionContext:
    received: datetime
    types: FordringstypeCatalogue
    agreement: Agreement
    view: PsrmView

    @property
    def today(self) -> date:
        return danish_date(self.received)

    def claim_ctx(self, hovedfordring: MainClaim | None = None) -> ClaimContext:
        return ClaimContext(
            self.today, self.types, self.agreement, self.view.claimant_ref_taken, hovedfordring
        )


@dataclass
class Verdict:
    errors: list[Finding] = field(default_factory=list)
    hearing: list[Finding] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def refuse(self, code: str, path: str, **params: Any) -> Verdict:
        self.errors.append(Finding(code, path, params))
        return self


Handler = Callable[[dict[str, Any], str, ActionContext], Verdict]


def structure(action: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name, value = next(iter(action["AktionValg"].items()))
    return name, value


def reason_code(action: dict[str, Any]) -> str | None:
    """The årsagskode a write-down or recall carries, if any."""
    return felter.aarsag(*structure(action))


def target_id(action: dict[str, Any]) -> int | None:
    """The existing claim an action works on, if any (for 'one pending action per claim', 418)."""
    _, struct = structure(action)
    ref = struct.get("DMIFordringEFIFordringID") or struct.get("DMIFordringEFIHovedFordringID")
    return int(ref) if isinstance(ref, str) and ref.isdigit() else None


def existing(ctx: ActionContext, claim_id: str, path: str, verdict: Verdict) -> ClaimState | None:
    claim = ctx.view.claim(claim_id)
    if claim is None:
        verdict.refuse("PSRM-509", path, value=claim_id)
    return claim


def virkningsdato(raw: str | None, path: str, ctx: ActionContext, verdict: Verdict) -> date | None:
    """The virkningsdato as a date (`felter.virkning` reads it); one after today is refused (548)."""
    if raw is None:
        return None
    value = date.fromisoformat(raw)
    if value > ctx.today:
        verdict.refuse("PSRM-548", path, value=raw)
    return value
