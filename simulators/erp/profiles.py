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
            "straks": self.straks,
            "masse": self.masse,
            "masse_behandlingstid_sekunder": self.masse_behandlingstid_sekunder,
            "aabne_maaneder_bagud": self.aabne_maaneder_bagud,
        }


MODELLED: dict[str, frozenset[str]] = {
    "ukendt_sortiment": frozenset({"AFVIS"}),  # rules.linjer_omsat: an unmapped line rejects the bilag whole
    "afrunding": frozenset(
        {"OERE"}
    ),  # rules.beloeb_i_hele_oere and bilag_balancerer: to the øre, no rounding
}
"""The values of the figures the ERP does not take as a setting: the behaviour its rules implement. A profile
naming another value would be silently ignored, so it is refused when the profiles are read."""


@cache
def profiles() -> dict[str, ErpProfile]:
    return parse_profiles(load_reference("erpprofiler.json"))


def parse_profiles(data: dict[str, Any]) -> dict[str, ErpProfile]:
    """The profiles of an erpprofiler document; ValueError when one asks for behaviour the ERP lacks."""
    fields = ("straks", "masse", "masse_behandlingstid_sekunder", "aabne_maaneder_bagud", "ukendt_sortiment")
    out = {}
    for raw in data["profiles"]:
        values = {name: raw[name]["vaerdi"] for name in (*fields, "afrunding")}
        for name, known in MODELLED.items():
            if values[name] not in known:
                raise ValueError(
                    f"{raw['id']}: {name} {values[name]!r} is not modelled (modelled: {sorted(known)})"
                )
        if not (values["straks"] or values["masse"]):
            raise ValueError(f"{raw['id']}: takes neither straks nor masse")
        out[raw["id"]] = ErpProfile(id=raw["id"], product=raw["product"], **values)
    return out


@cache
def default_id() -> str | None:
    return load_reference("erpprofiler.json")["default"]


def profile_for(settings: dict[str, Any]) -> ErpProfile | None:
    """The tenant's ERP profile (`erp.erpprofil`), else the default one (none: the plain ERP)."""
    chosen = (settings.get("erp") or {}).get("erpprofil") or default_id()
    return profiles().get(chosen) if chosen else None
