"""Broken variants of the reference fagsystem's period correction (fejlretning ved kilde, oeir.md §7): each
is caught by FIN-04, whose closed period follows from the ERP profile's own period closing."""

from __future__ import annotations

from datetime import date
from typing import Any

from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling


class RetterIkkePeriode(Foraeldrebetaling):
    """Defect: leaves a bilag rejected for a closed period lying; it is never corrected and booked."""

    name = "retter-ikke-periode"

    def correct_bilag(
        self, bilag: dict[str, Any], errors: list[dict[str, Any]], today: date
    ) -> dict[str, Any] | None:
        return None


class AntagerForrigeMaanedAaben(Foraeldrebetaling):
    """Defect: assumes every ERP keeps the previous month open, so it re-dates only a bilag two months old or
    more; a bilag from last month rejected by a stricter ERP (ERP-KVANTUM [I]) is never corrected."""

    name = "antager-forrige-maaned-aaben"

    def correct_bilag(
        self, bilag: dict[str, Any], errors: list[dict[str, Any]], today: date
    ) -> dict[str, Any] | None:
        booked = date.fromisoformat(bilag["Bogføringsdato"])
        if (today.year - booked.year) * 12 + today.month - booked.month < 2:
            return None
        return super().correct_bilag(bilag, errors, today)
