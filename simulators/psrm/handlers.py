"""PSRM's action handlers: one per action code, each declaring every catalogue code it may raise.

The handlers themselves are pure functions in `simulators.psrm.actions`; this explicit list is what the batch
dispatches on (`HANDLERS[kode]`), so a handler is found here, never registered by an import side effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from testkommune.contracts.registry import Registry
from testkommune.simulators.psrm.actions import (
    ActionContext,
    Handler,
    Verdict,
    aendr,
    art_permissions,
    fejlagtig_hovedstol,
    genindsend,
    naoi,
    naor,
    nedskriv,
    oani,
    oonr,
    opret_fordring,
    opret_relateret,
    opskriv,
    tilbagekald,
)
from testkommune.simulators.rules.fordring import hoering_rules, psrm_filter
from testkommune.simulators.rules.registry import RuleSet


@dataclass(frozen=True, slots=True)
class ActionHandler:
    """The handler of one action code (`name`, the MFAktionKode) and every catalogue code it may raise:
    its own, those of the rule sets it runs, and the art permissions (reference data) when it judges new
    claims."""

    name: str
    func: Handler
    own_codes: tuple[str, ...]
    runs: tuple[RuleSet[Any, Any], ...] = ()
    judges_art: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        ruled = {code for rules in self.runs for code in rules.codes()}
        art = set(art_permissions().values()) if self.judges_art else set()
        return tuple(sorted({*self.own_codes, *ruled, *art}))

    def __call__(self, action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
        return self.func(action, base, ctx)


_EXISTING = ("PSRM-509",)  # _existing
_VIRKNING = ("PSRM-548",)  # _virkningsdato
_NEW = (
    "PSRM-270",
    "PSRM-459",
    "PSRM-REINDGI-KUN-GENINDSEND",
)  # _judge_new, besides the entry filter, the hearing rules and art permissions
_CANCELLATION = (*_EXISTING, "PSRM-470", "PSRM-493", "PSRM-494", "PSRM-503", "PSRM-526")  # _cancellation
_JUDGE_NEW = (psrm_filter, hoering_rules)

HANDLERS: Registry[ActionHandler] = Registry(
    "psrm action handlers",
    [
        ActionHandler("OPRETFORDRING", opret_fordring, _NEW, _JUDGE_NEW, judges_art=True),
        ActionHandler(
            "OPRETRELATERETFORDRING",
            opret_relateret,
            (*_EXISTING, *_NEW, "PSRM-530"),
            _JUDGE_NEW,
            judges_art=True,
        ),
        ActionHandler(
            "GENINDSENDFORDRING",
            genindsend,
            (*_EXISTING, "PSRM-459", "PSRM-539", "PSRM-540", "PSRM-542", "PSRM-544", "PSRM-602"),
            (psrm_filter,),
        ),
        ActionHandler(
            "NEDSKRIV",
            nedskriv,
            (
                *_EXISTING,
                *_VIRKNING,
                *("PSRM-408", "PSRM-409", "PSRM-410", "PSRM-498", "PSRM-519", "PSRM-571"),
                "PSRM-NEDSKRIV-SALDO",
            ),
        ),
        ActionHandler(
            "OPSKRIVNINGREGULERING", opskriv, (*_EXISTING, *_VIRKNING, "PSRM-227", "PSRM-474", "PSRM-496")
        ),
        ActionHandler(
            "OPSKRIVNINGANNULLERETNEDSKRIVNINGINDBETALING",
            oani,
            (*_CANCELLATION, "PSRM-469", "PSRM-471", "PSRM-473"),
        ),
        ActionHandler(
            "OPSKRIVNINGOMGJORTNEDSKRIVNINGREGULERING",
            oonr,
            (*_CANCELLATION, "PSRM-469", "PSRM-473", "PSRM-477"),
        ),
        ActionHandler(
            "NEDSKRIVNINGANNULLERETOPSKRIVNINGREGULERING", naor, (*_CANCELLATION, "PSRM-502", "PSRM-504")
        ),
        ActionHandler(
            "NEDSKRIVNINGANNULLERETOPSKRIVNINGINDBETALING", naoi, (*_CANCELLATION, "PSRM-504", "PSRM-506")
        ),
        ActionHandler(
            "FEJLAGTIGHOVEDSTOLINDBERETNING", fejlagtig_hovedstol, (*_EXISTING, "PSRM-510", "PSRM-518")
        ),
        ActionHandler(
            "TILBAGEKALD",
            tilbagekald,
            (
                *_EXISTING,
                *_VIRKNING,
                *("PSRM-409", "PSRM-467", "PSRM-546", "PSRM-602", "PSRM-603"),
                "PSRM-STATSREFUSION-TILBAGEKALD",
            ),
        ),
        ActionHandler("AENDRFORDRING", aendr, (*_EXISTING, "PSRM-537")),
    ],
)
"""Every action code PSRM handles, listed here (not registered by import side effects)."""
