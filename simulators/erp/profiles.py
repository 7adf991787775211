"""The ERP behaviour profiles (`contracts/reference/erpprofiler.json`): the four ERPs ØiR finans serves.

A tenant picks one with `erp.erpprofil` (none by default); the profile supplies the defaults of the ERP
settings it covers (masseleverance latency, how many months back stay open); a single `erp.*` setting still
overrides its profile. Every behaviour figure is tagged in the data (public fact or inference).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from testkommune.contracts.schemas import load_reference


@dataclass(frozen=True, slots=True)
class ErpProfile:
    id: str
    product: str
    straks: bool
    masse: bool
    masse_behandlingstid_sekunder: int
    aabne_maaneder_bagud: int
    ukendt_sortiment: str
    afrunding: str

    def settings(self) -> dict[str, Any]:
        """The ERP settings this profile supplies as defaults."""
        return {
            "masse_behandlingstid_sekunder": self.masse_behandlingstid_sekunder,
            "aabne_maaneder_bagud": self.aabne_maaneder_bagud,
        }


@cache
def profiles() -> dict[str, ErpProfile]:
    data = load_reference("erpprofiler.json")
    fields = ("straks", "masse", "masse_behandlingstid_sekunder", "aabne_maaneder_bagud", "ukendt_sortiment")
    out = {}
    for raw in data["profiles"]:
        values = {name: raw[name]["vaerdi"] for name in (*fields, "afrunding")}
        out[raw["id"]] = ErpProfile(id=raw["id"], product=raw["product"], **values)
    return out


@cache
def default_id() -> str | None:
    return load_reference("erpprofiler.json")["default"]


def profile_for(settings: dict[str, Any]) -> ErpProfile | None:
    """The tenant's ERP profile (`erp.erpprofil`), else the default one (none: the plain ERP)."""
    chosen = (settings.get("erp") or {}).get("erpprofil") or default_id()
    return profiles().get(chosen) if chosen else None
