"""Fagsystemer to certify: a correct reference and variants with one realistic defect each.

`VARIANTS` maps the names the CLI accepts (`--fagsystem NAME`) to their classes.
"""

from __future__ import annotations

from testkommune.scenarios.fagsystemer.finans_varianter import AntagerForrigeMaanedAaben, RetterIkkePeriode
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling
from testkommune.scenarios.fagsystemer.varianter import (
    AntagerMasseBogfoert,
    DirekteTilInddrivelse,
    DobbeltDaekning,
    GebyrSomHovedfordring,
    GeneriskFordringstype,
    HenterIkkeKvittering,
    IngenRettelseEfterGodkendelse,
    LaeserIkkePostkasse,
    NyFordringVedRettelse,
    NytIdVedGenforsoeg,
    OpgiverIServicevindue,
    OverdragerFoerSRB,
    OverdragerIgen,
    OverdragerUnderRykker,
    PeriodeOmvendt,
    SammeIdVedRettelse,
    SenderUaendretIgen,
    SENummerSomCVR,
    UbalanceretBilag,
    UdbetalerTilCVR,
    UdenFastBopaelIgnoreres,
    UkendtSortiment,
)
from testkommune.scenarios.fagsystemer.varianter_livsforloeb import LIVSFORLOEB_VARIANTS
from testkommune.scenarios.fagsystemer.varianter_selvtest import BROKEN, LAWFUL
from testkommune.scenarios.fagsystemer.varianter_udefra import UDEFRA_BROKEN, UDEFRA_LAWFUL

VARIANTS: dict[str, type[Foraeldrebetaling]] = {
    "reference": Foraeldrebetaling,
    "periode-omvendt": PeriodeOmvendt,
    "overdrager-foer-srb": OverdragerFoerSRB,
    "nyt-id-ved-genforsoeg": NytIdVedGenforsoeg,
    "generisk-fordringstype": GeneriskFordringstype,
    "ubalanceret-bilag": UbalanceretBilag,
    "ukendt-sortiment": UkendtSortiment,
    "henter-ikke-kvittering": HenterIkkeKvittering,
    "samme-id-ved-rettelse": SammeIdVedRettelse,
    "sender-uaendret-igen": SenderUaendretIgen,
    "opgiver-i-servicevindue": OpgiverIServicevindue,
    "overdrager-igen": OverdragerIgen,
    "gebyr-som-hovedfordring": GebyrSomHovedfordring,
    "se-som-cvr": SENummerSomCVR,
    "uden-fast-bopael-ignoreres": UdenFastBopaelIgnoreres,
    "udbetaler-til-cvr": UdbetalerTilCVR,
    "direkte-til-inddrivelse": DirekteTilInddrivelse,
    "ny-fordring-ved-rettelse": NyFordringVedRettelse,
    "ingen-rettelse-efter-godkendelse": IngenRettelseEfterGodkendelse,
    "laeser-ikke-postkasse": LaeserIkkePostkasse,
    "overdrager-under-rykker": OverdragerUnderRykker,
    "dobbelt-daekning": DobbeltDaekning,
    "antager-masse-bogfoert": AntagerMasseBogfoert,
    "retter-ikke-periode": RetterIkkePeriode,
    "antager-forrige-maaned-aaben": AntagerForrigeMaanedAaben,
    **LAWFUL,
    **BROKEN,
}

VARIANTS |= LIVSFORLOEB_VARIANTS
VARIANTS |= UDEFRA_BROKEN | UDEFRA_LAWFUL  # the outside team's set (issue 13)

__all__ = ["VARIANTS", *sorted(cls.__name__ for cls in VARIANTS.values())]
