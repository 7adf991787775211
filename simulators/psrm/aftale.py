"""The claimant's agreement (fordringshaveraftale) as PSRM reads it from the tenant's settings."""

from __future__ import annotations

from functools import cache
from typing import Any

from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.contracts.money import to_oere
from testkommune.contracts.schemas import load_reference
from testkommune.simulators.rules.fordring import Agreement


@cache
def _kommunale_typer() -> frozenset[str]:
    """By default a kommune's agreement allows every active municipal fordringstype."""
    return frozenset(t.kode for t in fordringstyper().kommunale())


def agreement(settings: dict[str, Any]) -> Agreement:
    """The claimant's agreement (fordringshaveraftale) from the tenant's settings."""
    psrm = settings["psrm"]
    allowed = psrm.get("tilladte_fordringstyper")
    actions_allowed = psrm.get("tilladte_aktioner")
    minimum = psrm.get("minimumsbeloeb")
    return Agreement(
        fordringshaver_id=psrm["fordringshaver_id"],
        allowed_types=frozenset(allowed) if allowed is not None else _kommunale_typer(),
        s2s=psrm.get("s2s", True),
        minimum_oere=to_oere(minimum) if minimum is not None else None,
        allowed_actions=frozenset(actions_allowed) if actions_allowed is not None else None,
        allowed_arts=frozenset(psrm.get("tilladte_arter", ["INDR", "MODR"])),
        allowed_reasons=frozenset(psrm["tilladte_aarsagskoder"])
        if psrm.get("tilladte_aarsagskoder")
        else None,
        allowed_system_se=_systems(settings),
        standardfilter=psrm.get("standardfilter", True),
        issued_akr=frozenset(psrm.get("udstedte_akr") or ()),
    )


@cache
def _default_systems() -> tuple[frozenset[str], bool]:
    data = load_reference("fordringshaveraftale.json")
    return frozenset(s["se"] for s in data["indberettende_systemer"]), bool(
        data["debitorsystemet_altid_tilladt"]
    )


def _systems(settings: dict[str, Any]) -> frozenset[str]:
    """SE numbers allowed to report for the claimant: the tenant's list, else the reference agreement's
    (contracts/reference/fordringshaveraftale.json) plus the tenant's own debitor system."""
    chosen = settings["psrm"].get("tilladte_system_se")
    if chosen is not None:
        return frozenset(chosen)
    systems, with_debitor = _default_systems()
    own = settings.get("debitor", {}).get("system_se")
    return systems | {own} if with_debitor and own else systems
