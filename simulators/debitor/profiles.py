"""The debitor-system behaviour profiles (`contracts/reference/debitorprofiler.json`), selected per tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from testkommune.contracts.clock import DANISH_TZ
from testkommune.contracts.money import to_oere
from testkommune.contracts.schemas import load_reference

NIGHT_RUN_HOUR = 2


@dataclass(frozen=True, slots=True)
class Profile:
    """How one debitor system behaves: rykker, fees, renter, insisted fields, delay of updates back."""

    id: str
    product: str
    rykker_dage: tuple[int, ...]
    gebyr_oere: int
    rente_pct: float
    gebyrlov_renter: bool
    """Daycare claims carry gebyrloven § 3 interest: 1 % on the forfaldsdato and 1 % for each further
    started month (filterregler.md §5.3 [C]), not the yearly rate."""
    overdragelse_dage: int
    automatisk_overdragelse: bool
    kraevede_felter: tuple[str, ...]
    forsinkelse_sekunder: int
    koersel: str  # LOEBENDE: after forsinkelse_sekunder; HVERDAGSNAT: the nightly run after each weekday
    raw: dict[str, Any]

    def visible_at(self, posted: datetime) -> datetime:
        """When an update posted at `posted` reaches the fagsystem.

        HVERDAGSNAT [C, oeir.md §10: payment news reached FBS only in nightly runs on weekdays, up to ~72 h
        late]: the batch runs at 02:00 Danish time in the night after each weekday (Tuesday–Saturday
        mornings), at least `forsinkelse_sekunder` after posting; posted early Saturday, it waits 72 hours.
        """
        earliest = posted + timedelta(seconds=self.forsinkelse_sekunder)
        if self.koersel != "HVERDAGSNAT":
            return earliest
        local = earliest.astimezone(DANISH_TZ)
        run = local.replace(hour=NIGHT_RUN_HOUR, minute=0, second=0, microsecond=0)
        if run < local:
            run += timedelta(days=1)
        while run.isoweekday() not in (2, 3, 4, 5, 6):  # the night after Monday … Friday
            run += timedelta(days=1)
        return run


@cache
def _catalogue() -> tuple[str, dict[str, Profile]]:
    data = load_reference("debitorprofiler.json")
    profiles = {p["id"]: _profile(p) for p in data["profiles"]}
    return data["default"], profiles


def _profile(raw: dict[str, Any]) -> Profile:
    rykker = raw["rykker"]
    days = tuple(rykker["dage_efter_srb"])
    if len(days) != rykker["antal"]:
        raise ValueError(f"debitor profile {raw['id']}: antal does not match dage_efter_srb")
    return Profile(
        id=raw["id"],
        product=raw["product"],
        rykker_dage=days,
        gebyr_oere=to_oere(rykker["gebyr_kr"]) or 0,
        rente_pct=float(raw["renter"]["pct_pa"]),
        gebyrlov_renter=bool(raw["renter"].get("gebyrlov_dagtilbud", False)),
        overdragelse_dage=raw["overdragelse_dage_efter_sidste_rykker"],
        automatisk_overdragelse=raw["automatisk_overdragelse"],
        kraevede_felter=tuple(raw["kraevede_felter"]),
        forsinkelse_sekunder=raw["forsinkelse_sekunder"],
        koersel=raw.get("koersel", "LOEBENDE"),
        raw=raw,
    )


def profile_ids() -> list[str]:
    return list(_catalogue()[1])


def profile_for(settings: dict[str, Any]) -> Profile:
    """The tenant's profile (`debitor.debitorprofil`), or the catalogue's default."""
    default, profiles = _catalogue()
    chosen = (settings.get("debitor") or {}).get("debitorprofil") or default
    return profiles.get(chosen, profiles[default])


def all_profiles() -> list[dict[str, Any]]:
    return [p.raw for p in _catalogue()[1].values()]
