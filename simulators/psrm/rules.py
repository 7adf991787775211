"""PSRM's checks outside the action handlers, each declared with the catalogue codes it may raise.

The entry filter and the hearing rules are rule sets (`simulators.rules.fordring`), the action handlers a
registry of their own (`simulators.psrm.handlers`). What PSRM checks when a leverance is received is the
registry of receipt checks here (`RECEIPT_CHECKS`: pure functions, run in order by `service._receive`); what
its other answers may refuse (`service.hoering_svar`, `service.underretninger_hent`, `routes`, `admin`) is
declared here too, so that every code PSRM can raise is declared somewhere and proven to be in the error
catalogue (tests/test_registries.py). The texts, fix and source of every code are the catalogue's
(`contracts/reference/fejlkoder/psrm.json`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from testkommune.contracts.findings import Finding, join_path
from testkommune.contracts.registry import Registry
from testkommune.simulators.psrm.aktion import ActionSpec, action_specs, reason_code, target_id
from testkommune.simulators.psrm.state import PsrmView
from testkommune.simulators.rules.fordring import Agreement


def _spec_codes(own_codes: tuple[str, ...], spec_fields: tuple[str, ...]) -> tuple[str, ...]:
    """`own_codes` and the codes the action specs (`psrm_aktioner.json`) name in `spec_fields`."""
    from_specs = {
        code
        for spec in action_specs().values()
        for code in (getattr(spec, field) for field in spec_fields)
        if code
    }
    return tuple(sorted({*own_codes, *from_specs}))


@dataclass(frozen=True, slots=True)
class Declared:
    """A check made inline by one of PSRM's answers, named, with the codes it may raise; `spec_fields` names
    the fields of the action specs (`psrm_aktioner.json`) whose codes it raises too."""

    name: str
    own_codes: tuple[str, ...]
    doc: str
    spec_fields: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return _spec_codes(self.own_codes, self.spec_fields)


@dataclass(frozen=True, slots=True)
class Receipt:
    """One action of a leverance as PSRM receives it, with what the receipt checks judge it by."""

    action: dict[str, Any]
    base: str  # the action's JSON path in the message
    system_se: str  # the submitting system's SE number
    agreement: Agreement
    view: PsrmView  # read-only: the tenant's PSRM state

    @property
    def spec(self) -> ActionSpec:
        return action_specs()[self.action["MFAktionKode"]]


@dataclass(frozen=True)
class ReceiptCheck:
    """A receipt check: a pure function of a `Receipt`, and the codes it may raise (its own and those the
    action specs name in `spec_fields`). One with `after_refusal` runs only when another check refuses the
    action; otherwise the insert that takes the action decides it in the same statement (`service`)."""

    name: str
    func: Callable[[Receipt], list[Finding]]
    own_codes: tuple[str, ...] = ()
    spec_fields: tuple[str, ...] = ()
    after_refusal: bool = False

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return _spec_codes(self.own_codes, self.spec_fields)

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip()

    def __call__(self, receipt: Receipt) -> list[Finding]:
        found = self.func(receipt)
        for finding in found:
            if finding.code not in self.codes:
                raise AssertionError(
                    f"receipt check {self.name} raised {finding.code}, which it does not declare"
                )
        return found


def aktion_id_taken(base: str, aktion_id: str) -> Finding:
    """PSRM-600: the MFAktionID is taken (by an earlier action, or by another worker just now)."""
    return Finding("PSRM-600", join_path(base, "MFAktionID"), {"value": aktion_id})


def _aktion_id(receipt: Receipt) -> list[Finding]:
    """An MFAktionID is taken once."""
    aktion_id = receipt.action["MFAktionID"]
    return [aktion_id_taken(receipt.base, aktion_id)] if receipt.view.action(aktion_id) is not None else []


def _fordringshaver(receipt: Receipt) -> list[Finding]:
    """The action's DMIFordringHaverID is the agreement's."""
    haver = receipt.action["DMIFordringHaverID"]
    if haver == receipt.agreement.fordringshaver_id:
        return []
    return [Finding("PSRM-2", join_path(receipt.base, "DMIFordringHaverID"), {"value": haver})]


def _system_se(receipt: Receipt) -> list[Finding]:
    """The agreement lets the submitting system's SE number report."""
    if receipt.agreement.allows_system(receipt.system_se):
        return []
    return [
        Finding(
            "PSRM-400", "$.FordringhaverSystemIDStruktur.VirksomhedSENummer", {"value": receipt.system_se}
        )
    ]


def _s2s(receipt: Receipt) -> list[Finding]:
    """The claimant's agreement allows system-to-system delivery."""
    if receipt.agreement.s2s:
        return []
    return [Finding("PSRM-156", receipt.base, {"value": receipt.agreement.fordringshaver_id})]


def _aftale(receipt: Receipt) -> list[Finding]:
    """The agreement grants the action, and its årsagskode."""
    spec, aftale = receipt.spec, receipt.agreement
    if not spec.tilladelse:
        return []
    found = []
    if not aftale.allows_action(spec.kode):
        found.append(Finding(spec.tilladelse, join_path(receipt.base, "MFAktionKode"), {"value": spec.kode}))
    reason = reason_code(receipt.action)
    if reason and not aftale.allows_reason(reason):
        path = join_path(receipt.base, "AktionValg", spec.struktur)
        found.append(Finding(spec.tilladelse, path, {"value": reason}))
    return found


def _has_structure(receipt: Receipt) -> bool:
    return receipt.spec.struktur in receipt.action["AktionValg"]


def _struktur(receipt: Receipt) -> list[Finding]:
    """The action carries the structure of its code."""
    if _has_structure(receipt):
        return []
    spec = receipt.spec
    return [Finding(spec.mangler, join_path(receipt.base, "AktionValg"), {"value": spec.struktur})]


def _afventende_aktion(receipt: Receipt) -> list[Finding]:
    """No other action is pending on the claim (judged only for an action that carries its structure)."""
    claim_id = target_id(receipt.action) if _has_structure(receipt) else None
    if claim_id is None:
        return []
    pending = receipt.view.pending_on(claim_id, other_than=receipt.action["MFAktionID"])
    return [Finding("PSRM-418", join_path(receipt.base, "MFAktionID"), {"value": pending})] if pending else []


RECEIPT_CHECKS: Registry[ReceiptCheck] = Registry(
    "psrm receipt checks",
    [
        ReceiptCheck("aktion_id", _aktion_id, ("PSRM-600",), after_refusal=True),
        ReceiptCheck("fordringshaver", _fordringshaver, ("PSRM-2",)),
        ReceiptCheck("system_se", _system_se, ("PSRM-400",)),
        ReceiptCheck("s2s", _s2s, ("PSRM-156",)),
        ReceiptCheck("aftale", _aftale, spec_fields=("tilladelse",)),
        ReceiptCheck("struktur", _struktur, spec_fields=("mangler",)),
        ReceiptCheck("afventende_aktion", _afventende_aktion, ("PSRM-418",)),
    ],
)
"""What PSRM refuses at once when a leverance is received, in the order the refusals are listed."""


def receipt_findings(receipt: Receipt) -> list[Finding]:
    """Run the receipt checks in order: every refusal of the action, or none when it is taken."""
    found = {check.name: check(receipt) for check in RECEIPT_CHECKS if not check.after_refusal}
    if not any(found.values()):
        return []
    found |= {check.name: check(receipt) for check in RECEIPT_CHECKS if check.after_refusal}
    return [finding for check in RECEIPT_CHECKS for finding in found[check.name]]


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
