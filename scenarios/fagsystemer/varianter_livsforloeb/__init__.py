"""Broken variants of the reference for the life of a case: one realistic defect each, one file each."""

from __future__ import annotations

from testkommune.scenarios.fagsystemer.varianter_livsforloeb.afskriver_som_nedskrivning import (
    AfskriverSomNedskrivning,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.betaling_som_nedskrivning import (
    BetalingSomNedskrivning,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.direkte_betaling_ignoreres import (
    DirekteBetalingIgnoreres,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.genbruger_endtoendid import GenbrugerEndToEndId
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.genoptager_ikke import GenoptagerIkke
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.ignorerer_rettelse import IgnorererRettelse
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.klage_ignoreres import KlageIgnoreres
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.medhaefter_glemmes import MedhaefterGlemmes
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.medhaefter_kun_paa_konto import (
    MedhaefterKunPaaKonto,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.nedskriver_ved_fejl import NedskriverVedFejl
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.ophoer_hele_maaneden import OphoerHeleMaaneden
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.opskriver_ikke import OpskriverIkke

LIVSFORLOEB_VARIANTS = {
    "ignorerer-rettelse": IgnorererRettelse,
    "opskriver-ikke": OpskriverIkke,
    "ophoer-hele-maaneden": OphoerHeleMaaneden,
    "nedskriver-ved-fejl": NedskriverVedFejl,
    "klage-ignoreres": KlageIgnoreres,
    "genoptager-ikke": GenoptagerIkke,
    "direkte-betaling-ignoreres": DirekteBetalingIgnoreres,
    "betaling-som-nedskrivning": BetalingSomNedskrivning,
    "medhaefter-kun-paa-konto": MedhaefterKunPaaKonto,
    "medhaefter-glemmes": MedhaefterGlemmes,
    "genbruger-endtoendid": GenbrugerEndToEndId,
    "afskriver-som-nedskrivning": AfskriverSomNedskrivning,
}
"""CLI name → class (merged into `scenarios.fagsystemer.VARIANTS`)."""
