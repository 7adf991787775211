"""A claim's road through the test kommune, read from the admin API's views of one tenant.

fagsystem → ØiR → debitor system → PSRM → back to the fagsystem (the debitor system's mailbox). Each step
has a state (`ok`, `waiting`, `refused`, `not_reached`), what was recorded there, and every refusal with its
code, texts, fix and source as the catalogue gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_PSRM_STATE = {"UDFOERT": "ok", "AFVIST": "refused", "MODTAGET": "waiting", "HOERING": "waiting"}


@dataclass
class Step:
    """One stop on the road."""

    key: str
    state: str
    facts: list[tuple[str, Any]] = field(default_factory=list)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Road:
    """A claim and its road."""

    reference: str
    account: str
    claim: dict[str, Any]
    steps: list[Step]

    @property
    def refused(self) -> bool:
        return any(step.state == "refused" for step in self.steps)

    @property
    def where(self) -> str:
        """The key of the last step the claim reached."""
        reached = [s for s in self.steps if s.state != "not_reached"]
        return reached[-1].key if reached else "fagsystem"


def _delivery(deliveries: list[dict[str, Any]], message_id: str | None) -> dict[str, Any] | None:
    return next((d for d in deliveries if d.get("message_id") == message_id), None)


def _psrm_step(claim: dict[str, Any], psrm_claims: dict[str, dict[str, Any]]) -> Step:
    psrm = claim.get("PSRM")
    if not psrm:
        return Step("psrm", "not_reached")
    status = psrm.get("MFAktionStatusKode")
    facts: list[tuple[str, Any]] = [
        ("MFLeveranceID", psrm.get("MFLeveranceID")),
        ("MFAktionID", psrm.get("MFAktionID")),
        ("MFAktionStatusKode", status),
    ]
    psrm_id = psrm.get("DMIFordringEFIFordringID")
    if psrm_id:
        facts.append(("DMIFordringEFIFordringID", psrm_id))
        psrm_claim = psrm_claims.get(str(psrm_id))
        if psrm_claim:
            facts.append(("PSRM status", psrm_claim.get("status")))
    return Step(
        "psrm", _PSRM_STATE.get(str(status), "waiting"), facts, list(psrm.get("AfvistÅrsagSamling") or [])
    )


def road_of(
    claim: dict[str, Any],
    account: str,
    state: dict[str, Any],
    mailbox: list[dict[str, Any]],
) -> Road:
    """The road of one claim (`claim` as the debitor view lists it)."""
    full: dict[str, Any] = next(
        (c for c in state["debitor"]["claims"] if c["FordringReference"] == claim["FordringReference"]), {}
    )
    delivery = _delivery(state["oir"]["deliveries"], full.get("LeveranceID"))
    sent = Step(
        "fagsystem",
        "ok",
        [("TransaktionsID", full.get("LeveranceID")), ("Oprettet", full.get("Oprettet"))],
    )
    hub = Step(
        "oir",
        "ok" if delivery is None or delivery.get("status_code") == 200 else "refused",
        [("service", delivery.get("service")), ("HTTP", delivery.get("status_code"))] if delivery else [],
    )
    debitor = Step(
        "debitor",
        "ok",
        [
            ("FordringID", claim.get("FordringID")),
            ("FordringTilstand", claim.get("FordringTilstand")),
            ("HovedstolBeløb", claim.get("HovedstolBeløb")),
            ("SaldoBeløb", claim.get("SaldoBeløb")),
            ("RestanceBeløb", claim.get("RestanceBeløb")),
            ("AntalRykkere", claim.get("AntalRykkere")),
        ],
    )
    psrm_claims = {str(c["id"]): c for c in state["psrm"]["claims"]}
    psrm = _psrm_step(claim, psrm_claims)
    own = [m for m in mailbox if m.get("FordringReference") == claim["FordringReference"]]
    back = Step("back", "ok" if own else "not_reached", [], [], own)
    return Road(claim["FordringReference"], account, claim, [sent, hub, debitor, psrm, back])


def roads(debitor_view: dict[str, Any], state: dict[str, Any]) -> list[Road]:
    """Every claim's road, in the order the debitor system lists them."""
    mailbox = list(debitor_view.get("mailbox") or [])
    return [
        road_of(claim, account["DebitorkontoReference"], state, mailbox)
        for account in debitor_view.get("accounts") or []
        for claim in account.get("Fordring") or []
    ]
