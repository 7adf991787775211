"""Broken variants of the reference for the life of a case: one realistic defect each, one file each."""

from __future__ import annotations

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.afskriver_som_nedskrivning import (
    AfskriverSomNedskrivning,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.betaling_som_nedskrivning import (
    BetalingSomNedskrivning,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.direkte_betaling_ignoreres import (
    DirekteBetalingIgnoreres,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.fejl_med_virkningsdato import (
    FejlMedVirkningsdato,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.forbudt_aarsagskode import ForbudtAarsagskode
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.genbruger_endtoendid import GenbrugerEndToEndId
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.genbruger_indbetalingsid import (
    GenbrugerIndbetalingsId,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.genindsender_efter_fejl import (
    GenindsenderEfterFejl,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.genindsender_nye_stamdata import (
    GenindsenderNyeStamdata,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.genindsender_uden_reindgi import (
    GenindsenderUdenReindgi,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.genoptager_ikke import GenoptagerIkke
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.hoering_ubesvaret import HoeringUbesvaret
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.ignorerer_rettelse import IgnorererRettelse
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.indb_uden_virkningsdato import (
    IndbUdenVirkningsdato,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.indb_virkningsdato_frem import (
    IndbVirkningsdatoFrem,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.klage_ignoreres import KlageIgnoreres
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.medhaefter_glemmes import MedhaefterGlemmes
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.medhaefter_glemmes_s2s import (
    MedhaefterGlemmesS2S,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.medhaefter_kun_paa_konto import (
    MedhaefterKunPaaKonto,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.medhaefter_som_partner import (
    MedhaefterSomPartner,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.nedskriver_ved_fejl import NedskriverVedFejl
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.ophoer_hele_maaneden import OphoerHeleMaaneden
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.opskriver_ikke import OpskriverIkke
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.regu_med_virkningsdato import (
    ReguMedVirkningsdato,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.reindgi_med_datoer import ReindgiMedDatoer
from testkommune.scenarios.fagsystemer.varianter_livsforloeb.udbetaler_kun_en_gang import UdbetalerKunEnGang

LIVSFORLOEB_VARIANTS = {
    "reference-s2s": ForaeldrebetalingS2S,  # correct: the same fagsystem in the direct role toward PSRM
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
    "udbetaler-kun-en-gang": UdbetalerKunEnGang,
    "genbruger-indbetalingsid": GenbrugerIndbetalingsId,
    "medhaefter-som-partner": MedhaefterSomPartner,
    "s2s-indb-uden-virkningsdato": IndbUdenVirkningsdato,
    "s2s-regu-med-virkningsdato": ReguMedVirkningsdato,
    "s2s-indb-virkningsdato-frem": IndbVirkningsdatoFrem,
    "s2s-forbudt-aarsagskode": ForbudtAarsagskode,
    "s2s-fejl-med-virkningsdato": FejlMedVirkningsdato,
    "s2s-genindsender-efter-fejl": GenindsenderEfterFejl,
    "s2s-genindsender-nye-stamdata": GenindsenderNyeStamdata,
    "s2s-hoering-ubesvaret": HoeringUbesvaret,
    "s2s-medhaefter-glemmes": MedhaefterGlemmesS2S,
    "s2s-reindgi-med-datoer": ReindgiMedDatoer,
    "s2s-genindsender-uden-reindgi": GenindsenderUdenReindgi,
}
"""CLI name → class (merged into `scenarios.fagsystemer.VARIANTS`)."""
