"""Fagsystemer to certify: a correct reference and variants with one realistic defect each.

`VARIANTS` maps the names the CLI accepts (`--fagsystem NAME`) to their classes.
"""

from __future__ import annotations

from scenarios.fagsystemer.foraeldrebetaling import (
    Foraeldrebetaling,
    GeneriskFordringstype,
    NytIdVedGenforsoeg,
    OverdragerFoerSRB,
    PeriodeOmvendt,
)

VARIANTS = {
    "reference": Foraeldrebetaling,
    "periode-omvendt": PeriodeOmvendt,
    "overdrager-foer-srb": OverdragerFoerSRB,
    "nyt-id-ved-genforsoeg": NytIdVedGenforsoeg,
    "generisk-fordringstype": GeneriskFordringstype,
}

__all__ = [
    "VARIANTS",
    "Foraeldrebetaling",
    "GeneriskFordringstype",
    "NytIdVedGenforsoeg",
    "OverdragerFoerSRB",
    "PeriodeOmvendt",
]
