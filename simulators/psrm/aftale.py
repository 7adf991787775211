"""The claimant's agreement (fordringshaveraftale) as PSRM reads it from the tenant's settings."""

from __future__ import annotations

from functools import cache
from typing import Any

from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.contracts.money import to_oere
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
    )
