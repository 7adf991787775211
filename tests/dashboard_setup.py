"""Tenants for the dashboard tests, set up over HTTP as a vendor's fagsystem would."""

from __future__ import annotations

from typing import Any

import requests

from tests.messages import CPR_MOD11, OIR_B01, fordring, opret, overdrag

KOMMUNE = "851"
HANDED_OVER = "vej"  # a claim PSRM takes in a day after it is handed over
REFUSED = "afvist"  # a claim handed over before its SRB: PSRM refuses it (PSRM-SRB)


def headers(system: str, token: str | None = None) -> dict[str, str]:
    sent = {"X-TK-Kommune": KOMMUNE, "X-TK-Anvendersystem": system}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return sent


def admin(
    base: str, system: str, tail: str, method: str = "GET", token: str | None = None, **body: Any
) -> Any:
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request(
        method, f"{base}/admin/tenants/{KOMMUNE}/{system}/{tail}", json=body or None, headers=auth, timeout=30
    )
    assert response.status_code < 300, response.text
    return response.json()


def post(base: str, system: str, operation: str, message: dict[str, Any], token: str | None = None) -> Any:
    response = requests.post(
        f"{base}{OIR_B01}/{operation}", json=message, headers=headers(system, token), timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def claim_on_its_way(base: str, system: str = HANDED_OVER, **tokens: str | None) -> None:
    """One claim handed over after its SRB; PSRM takes a day to accept it (MODTAGET until then)."""
    admin_token, token = tokens.get("admin_token"), tokens.get("token")
    admin(base, system, "clock", "POST", admin_token, set="2026-09-20")
    admin(base, system, "settings", "PATCH", admin_token, psrm={"behandlingstid_sekunder": 86400})
    post(base, system, "OpretDebitorkonto", opret(fordring("F1")), token)
    admin(base, system, "clock", "POST", admin_token, advance_to="2026-10-20")
    post(base, system, "RetFordringTilstand", overdrag("F1"), token)


def claim_refused(base: str, system: str = REFUSED, **tokens: str | None) -> None:
    """One claim handed over on the day it falls due, before its SRB: PSRM refuses it (PSRM-SRB)."""
    admin_token, token = tokens.get("admin_token"), tokens.get("token")
    admin(base, system, "clock", "POST", admin_token, set="2026-09-20")
    post(base, system, "OpretDebitorkonto", opret(fordring("F1")), token)
    admin(base, system, "clock", "POST", admin_token, advance_to="2026-10-02")
    post(base, system, "RetFordringTilstand", overdrag("F1"), token)


FULL_CPR = CPR_MOD11
