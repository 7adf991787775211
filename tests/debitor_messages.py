"""Helpers for the debitor-system tests: the debitor admin view, the mailbox and the B_02/B_03 operations."""

from __future__ import annotations

import uuid
from typing import Any

from tests.messages import OIR_B01, OIR_B02, header

OIR_B03 = "/service/OIR/DebitorIndbetalingAfsend/1"
OIR_DA = "/service/OIR/DaekningAfskrivningRegistreringAfsend/1"


def debitor(api: Any) -> dict[str, Any]:
    response = api.session.get(f"{api.admin_path}/debitor", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def claim(api: Any, ref: str) -> dict[str, Any]:
    for account in debitor(api)["accounts"]:
        for c in account["Fordring"]:
            if c["FordringReference"] == ref:
                return c
    raise AssertionError(f"no claim {ref}")


def afstemning(api: Any) -> dict[str, Any]:
    response = api.session.get(f"{api.admin_path}/debitor/afstemning", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def mailbox(api: Any, cursor: int = 0, **extra: Any) -> dict[str, Any]:
    response = api.post(f"{OIR_DA}/HentDaekningAfskrivning", {"Cursor": cursor, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def modregn(api: Any, skyldner: str, beloeb: float, reference: str | None = None) -> dict[str, Any]:
    body = {"SkyldnerID": skyldner, "Beløb": beloeb, "Reference": reference or str(uuid.uuid4())}
    response = api.session.post(f"{api.admin_path}/debitor/modregning", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def b01(api: Any, operation: str, body: dict[str, Any]) -> Any:
    return api.post(f"{OIR_B01}/{operation}", {"Hovedoplysninger": header(), operation: body})


def b02(api: Any, operation: str, body: dict[str, Any]) -> Any:
    return api.post(f"{OIR_B02}/{operation}", body)


def b03(api: Any, operation: str, body: dict[str, Any], message_header: dict[str, str] | None = None) -> Any:
    return api.post(
        f"{OIR_B03}/{operation}", {"Hovedoplysninger": message_header or header(), operation: body}
    )


def answer(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()["Forretningskvittering"]


def unique_cpr() -> str:
    """A CPR number (valid date part, 1 Jan 1990) no other test uses: tenants of one kommune share the
    kommune's debitor system, so cross-system searches must not meet other tests' debtors."""
    return f"010190{uuid.uuid4().int % 10000:04d}"
