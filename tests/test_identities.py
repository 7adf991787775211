"""Validation of Danish identifiers (testkommune.contracts.identities) and its error catalogue entries."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

import pytest
from testkommune import contracts
from testkommune.contracts.identities import (
    IdFinding,
    Kommune,
    check_cpr,
    check_cvr,
    check_ean,
    check_kommunenummer,
    check_se,
    cpr_birthdate,
    cpr_mod11_ok,
    kommune,
    kommuner,
)

CATALOGUE = contracts.ROOT / "reference" / "fejlkoder" / "identitet.json"
KOMMUNER_FILE = contracts.ROOT / "reference" / "kommuner.json"


def codes(findings: list[IdFinding]) -> list[str]:
    return [f.code for f in findings]


def cpr_with_check(first9: str) -> str:
    """Append the modulus 11 check digit computed here, independently of the module under test."""
    total = sum(int(d) * w for d, w in zip(first9, (4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True))
    check = (11 - total % 11) % 11
    assert check != 10, f"{first9} has no modulus 11 check digit; pick another serial"
    return first9 + str(check)


# --- CPR ---------------------------------------------------------------------------------------------

# 0707614285: 0*4+7*3+0*2+7*7+6*6+1*5+4*4+2*3+8*2 = 149; 149 + 5 = 154 = 14*11.
GOOD_CPR = "0707614285"


def test_valid_cpr_has_no_findings() -> None:
    assert check_cpr(GOOD_CPR) == []
    assert cpr_mod11_ok(GOOD_CPR)
    assert cpr_birthdate(GOOD_CPR) == date(1961, 7, 7)  # 7th digit 4, YY 61 > 36: 1900s


@pytest.mark.parametrize(
    "value",
    ["070761-4285", "070761 4285", "070761428", "07076142851", "07076I4285", "", "０７０７６１４２８５"],
)
def test_cpr_format_errors(value: str) -> None:
    findings = check_cpr(value)
    assert codes(findings) == ["ID-CPR-FORMAT"]
    assert findings[0].severity == "error"
    assert findings[0].params["value"] == value
    assert cpr_birthdate(value) is None
    assert not cpr_mod11_ok(value)


@pytest.mark.parametrize(
    "value",
    [
        "3102991234",  # 31 February
        "0013611234",  # month 13 ... and day 00
        "3204611234",  # 32 April
        "2902014000",  # 7th digit 4, YY 01: 2001, not a leap year
        "2902001000",  # 7th digit 1, YY 00: 1900, not a leap year
    ],
)
def test_cpr_impossible_dates(value: str) -> None:
    findings = check_cpr(value)
    assert "ID-CPR-DATO" in codes(findings)
    dato = next(f for f in findings if f.code == "ID-CPR-DATO")
    assert dato.severity == "error"
    assert dato.params == {"value": value, "dato": value[:6]}
    assert cpr_birthdate(value) is None


def test_29_february_2000_exists_with_a_2000s_digit() -> None:
    value = cpr_with_check("290200412")  # 7th digit 4, YY 00: 2000, a leap year
    assert value == "2902004125"
    assert check_cpr(value) == []
    assert cpr_birthdate(value) == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("ddmmyy", "digit7", "year"),
    [
        ("010100", "0", 1900),
        ("010199", "3", 1999),
        ("010136", "4", 2036),
        ("010137", "4", 1937),
        ("010136", "9", 2036),
        ("010199", "9", 1999),
        ("010100", "5", 2000),
        ("010157", "8", 2057),
        ("010158", "5", 1858),
        ("010199", "8", 1899),
    ],
)
def test_cpr_century_from_seventh_digit(ddmmyy: str, digit7: str, year: int) -> None:
    for serial in ("00", "01", "02"):  # one of them has a check digit
        body = ddmmyy + digit7 + serial
        total = sum(int(d) * w for d, w in zip(body, (4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True))
        if total % 11 != 1:
            break
    value = cpr_with_check(body)
    assert cpr_birthdate(value) == date(year, 1, 1)
    assert check_cpr(value) == []


def test_cpr_without_modulus_11_is_only_a_warning() -> None:
    value = "0707614286"  # GOOD_CPR with the last digit changed
    findings = check_cpr(value)
    assert findings == [IdFinding("ID-CPR-MOD11", "warning", {"value": value})]
    assert not cpr_mod11_ok(value)
    assert cpr_birthdate(value) == date(1961, 7, 7)


def test_bad_date_and_bad_modulus_are_both_reported() -> None:
    value = "3102991230"  # 144 + 0: remainder 1, fails modulus 11
    assert codes(check_cpr(value)) == ["ID-CPR-DATO", "ID-CPR-MOD11"]


# --- CVR / SE ----------------------------------------------------------------------------------------

# 29189846 (KOMBIT's demo CVR): 2*2+9*7+1*6+8*5+9*4+8*3+4*2+6*1 = 187 = 17*11.
# 13748136 (Erhvervsstyrelsen's example): 2+21+42+20+32+3+6 = 126, + 6 = 132 = 12*11.
VALID_8DIGIT = ["29189846", "13748136"]


@pytest.mark.parametrize("value", VALID_8DIGIT)
def test_valid_cvr_and_se(value: str) -> None:
    assert check_cvr(value) == []
    assert check_se(value) == []


@pytest.mark.parametrize("value", ["29189847", "29189864", "13748137", "99999999"])
def test_cvr_and_se_modulus_11_errors(value: str) -> None:
    assert check_cvr(value) == [IdFinding("ID-CVR-MOD11", "error", {"value": value})]
    assert check_se(value) == [IdFinding("ID-SE-MOD11", "error", {"value": value})]


@pytest.mark.parametrize(
    "value", ["2918984", "291898460", "DK29189846", "2918 9846", "09189846", "00000000", "", "2918984x"]
)
def test_cvr_and_se_format_errors(value: str) -> None:
    assert codes(check_cvr(value)) == ["ID-CVR-FORMAT"]
    assert codes(check_se(value)) == ["ID-SE-FORMAT"]


# --- EAN / GLN ---------------------------------------------------------------------------------------


# 890400021003 -> 7: odd positions from the right 3+0+2+0+4+9 = 18, *3 = 54; others 0+1+0+0+0+8 = 9;
# 54 + 9 = 63, next multiple of ten 70: check digit 7.
# 730001100001 -> 7: 5*3 = 15, + 8 = 23, 30 - 23 = 7.
@pytest.mark.parametrize("value", ["8904000210037", "7300011000017", "5790000000005"])
def test_valid_ean(value: str) -> None:
    assert check_ean(value) == []


def test_ean_wrong_check_digit_names_the_expected_one() -> None:
    assert check_ean("8904000210038") == [
        IdFinding("ID-EAN-KONTROLCIFFER", "error", {"value": "8904000210038", "expected": "7"})
    ]


@pytest.mark.parametrize("value", ["890400021003", "89040002100370", "890400021003A", "", "8904 00021003"])
def test_ean_format_errors(value: str) -> None:
    assert codes(check_ean(value)) == ["ID-EAN-FORMAT"]


# --- kommuner ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "navn"), [("101", "København"), ("851", "Aalborg"), ("0851", "Aalborg")])
def test_known_kommunenumre(value: str, navn: str) -> None:
    assert check_kommunenummer(value) == []
    found = kommune(value)
    assert found is not None and found.navn == navn


@pytest.mark.parametrize("value", ["411", "999", "000", "85", "00851", "1851", "abc", "", " 851", "851 "])
def test_unknown_kommunenumre(value: str) -> None:
    assert check_kommunenummer(value) == [IdFinding("ID-KOMMUNE-UKENDT", "error", {"value": value})]
    assert kommune(value) is None


def test_98_kommuner_with_unique_3_digit_numbers() -> None:
    all_kommuner = kommuner()
    assert len(all_kommuner) == 98
    numbers = [k.nummer for k in all_kommuner]
    assert all(re.fullmatch(r"[0-9]{3}", n) for n in numbers)
    assert len(set(numbers)) == 98
    assert len({k.navn for k in all_kommuner}) == 98
    assert "411" not in numbers  # Christiansø is not a kommune


def test_kommuner_regions() -> None:
    per_region = Counter(k.region for k in kommuner())
    expected = {"Hovedstaden": 29, "Sjælland": 17, "Syddanmark": 22, "Midtjylland": 19, "Nordjylland": 11}
    assert per_region == expected
    assert kommune("147") == Kommune("147", "Frederiksberg", "Hovedstaden")
    assert kommune("860") == Kommune("860", "Hjørring", "Nordjylland")
    assert kommune("400") == Kommune("400", "Bornholm", "Hovedstaden")


def test_kommuner_file_matches_the_api() -> None:
    data = json.loads(KOMMUNER_FILE.read_text(encoding="utf-8"))
    assert data["version"] and data["source"]["url"].startswith("https://")
    assert [(k["nummer"], k["navn"], k["region"]) for k in data["kommuner"]] == [
        (k.nummer, k.navn, k.region) for k in kommuner()
    ]


# --- the catalogue -----------------------------------------------------------------------------------

# One input per code identities.py can emit; together they must cover the catalogue exactly.
BAD_INPUTS = [
    (check_cpr, "070761-4285"),
    (check_cpr, "3102991234"),
    (check_cpr, "0707614286"),
    (check_cvr, "2918984"),
    (check_cvr, "29189847"),
    (check_se, "2918984"),
    (check_se, "29189847"),
    (check_ean, "890400021003"),
    (check_ean, "8904000210038"),
    (check_kommunenummer, "411"),
]
ENTRY_KEYS = {"code", "native_code", "severity", "text_da", "text_en", "fix_da", "fix_en", "source"}
TAGS = {"P", "JV", "S", "C", "S-code", "I", "G"}


def _catalogue() -> dict[str, dict]:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    assert data["area"] == "identitet"
    entries = {e["code"]: e for e in data["errors"]}
    assert len(entries) == len(data["errors"]), "duplicate codes"
    return entries


def _emitted() -> list[IdFinding]:
    return [f for check, value in BAD_INPUTS for f in check(value)]


def test_catalogue_has_exactly_the_codes_identities_emits() -> None:
    assert {f.code for f in _emitted()} == set(_catalogue())


@pytest.mark.parametrize("entry", list(_catalogue().values()), ids=lambda e: e["code"])
def test_catalogue_entry_format(entry: dict) -> None:
    assert set(entry) == ENTRY_KEYS
    assert entry["code"].startswith("ID-")
    assert entry["native_code"] is None
    assert entry["severity"] in {"error", "warning"}
    for key in ("text_da", "text_en", "fix_da", "fix_en"):
        assert isinstance(entry[key], str) and entry[key].strip()
    assert "{value}" in entry["text_da"] and "{value}" in entry["text_en"]
    assert entry["source"]["tag"] in TAGS and entry["source"]["ref"]


def test_findings_match_catalogue_severity_and_fill_every_placeholder() -> None:
    catalogue = _catalogue()
    for finding in _emitted():
        entry = catalogue[finding.code]
        assert finding.severity == entry["severity"], finding.code
        for key in ("text_da", "text_en"):
            text = entry[key].format(**finding.params)
            assert "{" not in text and finding.params["value"] in text
