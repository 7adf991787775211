"""Validation of Danish identifiers: CPR, CVR, SE, EAN/GLN and kommunenummer.

Pure functions: each ``check_*`` returns a list of findings (empty when the value is valid). The codes are
those of ``contracts/reference/fejlkoder/identitet.json``; the kommune list is read once, lazily, from
``contracts/reference/kommuner.json``. Birth dates, modulus 11 and GS1 check digits come from python-stdnum;
the formats are ours (stricter than stdnum's, which strips hyphens and spaces: contracts send digits only).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from stdnum import ean
from stdnum.dk import cpr, cvr
from stdnum.exceptions import ValidationError
from testkommune import contracts

ERROR = "error"
WARNING = "warning"

_CPR_RE = re.compile(r"[0-9]{10}")
_8DIGIT_RE = re.compile(r"[0-9]{8}")
_CVR_RE = re.compile(r"[1-9][0-9]{7}")
_EAN_RE = re.compile(r"[0-9]{13}")
_KOMMUNE_RE = re.compile(r"0?([0-9]{3})")


@dataclass(frozen=True, slots=True)
class IdFinding:
    """One problem with an identifier: a catalogue code, its severity and the texts' placeholders."""

    code: str
    severity: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Kommune:
    """A Danish kommune: 3-digit kommunekode, name and region."""

    nummer: str
    navn: str
    region: str


def _finding(code: str, value: str, severity: str = ERROR, **params: str) -> IdFinding:
    return IdFinding(code=code, severity=severity, params={"value": value, **params})


# --- CPR ---------------------------------------------------------------------------------------------


def cpr_birthdate(value: str) -> date | None:
    """The birth date a CPR number encodes (the CPR office's century table), or None if invalid."""
    if not _CPR_RE.fullmatch(value):
        return None
    try:
        return cpr.get_birth_date(value)
    except ValidationError:
        return None


def cpr_mod11_ok(value: str) -> bool:
    """True if a 10-digit CPR number passes the modulus 11 check (not required since 1 Oct 2007)."""
    return bool(_CPR_RE.fullmatch(value)) and cpr.checksum(value) == 0


def check_cpr(value: str) -> list[IdFinding]:
    """Check a CPR number: 10 digits, no hyphen; a real birth date; modulus 11 (warning only)."""
    if not _CPR_RE.fullmatch(value):
        return [_finding("ID-CPR-FORMAT", value)]
    findings = []
    if cpr_birthdate(value) is None:
        findings.append(_finding("ID-CPR-DATO", value, dato=value[:6]))
    if not cpr_mod11_ok(value):
        findings.append(_finding("ID-CPR-MOD11", value, WARNING))
    return findings


# --- CVR / SE ----------------------------------------------------------------------------------------


def cvr_mod11_ok(value: str) -> bool:
    """True if an 8-digit number passes the CVR modulus 11 check (weights 2,7,6,5,4,3,2,1)."""
    return bool(_8DIGIT_RE.fullmatch(value)) and cvr.checksum(value) == 0


def _check_8digit(value: str, prefix: str) -> list[IdFinding]:
    if not _CVR_RE.fullmatch(value):
        return [_finding(f"{prefix}-FORMAT", value)]
    if not cvr_mod11_ok(value):
        return [_finding(f"{prefix}-MOD11", value)]
    return []


def check_cvr(value: str) -> list[IdFinding]:
    """Check a CVR number: 8 digits, first not 0, modulus 11."""
    return _check_8digit(value, "ID-CVR")


def check_se(value: str) -> list[IdFinding]:
    """Check an SE number: 8 digits, first not 0 (same series as CVR), modulus 11."""
    return _check_8digit(value, "ID-SE")


# --- EAN / GLN ---------------------------------------------------------------------------------------


def gs1_check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (weights 3,1,3,… from the right)."""
    return int(ean.calc_check_digit(body))


def check_ean(value: str) -> list[IdFinding]:
    """Check an EAN-13 / GLN: 13 digits ending in the GS1 check digit."""
    if not _EAN_RE.fullmatch(value):
        return [_finding("ID-EAN-FORMAT", value)]
    expected = gs1_check_digit(value[:12])
    if int(value[12]) != expected:
        return [_finding("ID-EAN-KONTROLCIFFER", value, expected=str(expected))]
    return []


# --- Kommuner ----------------------------------------------------------------------------------------


@cache
def _kommune_index() -> dict[str, Kommune]:
    path = contracts.ROOT / "reference" / "kommuner.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k["nummer"]: Kommune(k["nummer"], k["navn"], k["region"]) for k in data["kommuner"]}


def normalise_kommunenummer(value: str) -> str | None:
    """The 3-digit form of a kommunenummer ("851", or "0851" with one leading zero), else None."""
    match = _KOMMUNE_RE.fullmatch(value)
    return match.group(1) if match else None


def kommuner() -> tuple[Kommune, ...]:
    """All 98 kommuner, in kommunekode order."""
    return tuple(sorted(_kommune_index().values(), key=lambda k: k.nummer))


def kommune(nummer: str) -> Kommune | None:
    """The kommune with this kommunenummer (3 digits, or 4 with a leading zero), or None."""
    normalised = normalise_kommunenummer(nummer)
    return _kommune_index().get(normalised) if normalised else None


def check_kommunenummer(value: str) -> list[IdFinding]:
    """Check a kommunenummer: 3 digits (or 4 with a leading zero) naming one of the 98 kommuner."""
    return [] if kommune(value) else [_finding("ID-KOMMUNE-UKENDT", value)]
