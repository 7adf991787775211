"""PSRM's checks outside the action handlers, each declared with the catalogue codes it may raise.

The entry filter and the hearing rules are rule sets (`simulators.rules.fordring`), the action handlers a
registry of their own (`simulators.psrm.handlers`). What PSRM checks when a leverance is received
(`service._sync_findings`) and what its other answers may refuse (`service.hoering_svar`,
`service.underretninger_hent`, `routes`, `admin`) are declared here, so that every code PSRM can raise is
declared somewhere and proven to be in the error catalogue (tests/test_registries.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from testkommune.contracts.registry import Registry
from testkommune.simulators.psrm.actions import action_specs


@dataclass(frozen=True, slots=True)
class Declared:
    """A check made inline by PSRM's service, named, with the codes it may raise; `spec_fields` names the
    fields of the action specs (`psrm_aktioner.json`) whose codes it raises too."""

    name: str
    own_codes: tuple[str, ...]
    doc: str
    spec_fields: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        from_specs = {
            code
            for spec in action_specs().values()
            for code in (getattr(spec, field) for field in self.spec_fields)
            if code
        }
        return tuple(sorted({*self.own_codes, *from_specs}))


RECEIPT_CHECKS: Registry[Declared] = Registry(
    "psrm receipt checks",
    [
        Declared("fordringshaver", ("PSRM-2",), "the action's DMIFordringHaverID is the agreement's"),
        Declared("s2s", ("PSRM-156",), "the claimant's agreement allows system-to-system delivery"),
        Declared("system_se", ("PSRM-400",), "the agreement lets the submitting system's SE number report"),
        Declared(
            "aftale", (), "the agreement grants the action (and its årsagskode)", spec_fields=("tilladelse",)
        ),
        Declared("struktur", (), "the action carries the structure of its code", spec_fields=("mangler",)),
        Declared("afventende_aktion", ("PSRM-418",), "no other action is pending on the claim"),
        Declared("aktion_id", ("PSRM-600",), "an MFAktionID is taken once"),
    ],
)
"""What `service._sync_findings` (and `_receive`) refuse at once, when a leverance is received."""

ANSWERS: Registry[Declared] = Registry(
    "psrm answers",
    [
        Declared(
            "HoeringSvar",
            (
                "PSRM-HOERING-UKENDT",
                "PSRM-HOERING-TILBAGETRUKKET",
                "PSRM-HOERING-AFVIST",
                "PSRM-HOERING-BEGRUNDELSE",
            ),
            "an answer to a hearing names an action in hearing; withdrawn or refused, the action is AFVIST",
        ),
        Declared(
            "MFUnderretSamlingHent",
            ("PSRM-UNDERRETNING-3-MDR", "PSRM-UNDERRETNING-INTERVAL"),
            "notifications are fetched for at most three months back, in an interval that runs forward",
        ),
        Declared("MFKvitteringHent", ("PSRM-LEVERANCE-UKENDT",), "the receipts of a known leverance"),
        Declared(
            "admin: returnering, afskrivning",
            ("PSRM-509", "PSRM-FORDRING-IKKE-UNDER-INDDRIVELSE"),
            "collection ends on a known claim under inddrivelse",
        ),
    ],
)
"""What PSRM's other answers (operations and admin routes) may refuse with."""
