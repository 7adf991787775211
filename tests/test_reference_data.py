"""The reference data files are well-formed and keep the rules the simulators rely on."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REFERENCE = Path(__file__).resolve().parents[1] / "contracts" / "reference"

EVIDENCE_TAGS = {"P", "JV", "S", "C", "S-code", "I", "G"}
STAMDATA_NAMES = {
    "beskrivelse",
    "periode",
    "stiftelsesdato",
    "forfaldsdato",
    "srb",
    "foraeldelsesdato",
    "domsdato",
    "forligsdato",
    "bfe",
}
FORRETNINGSOMRAADER = {
    "daginstitution",
    "service_og_sundhed",
    "ydelser",
    "forbrug_og_renovation",
    "ejendom",
    "civilretlige",
    "bolig",
    "renter",
    "gebyrer",
    "diverse",
    "andre_fordringshavere",
}
ERROR_KEYS = {"code", "native_code", "severity", "text_da", "text_en", "fix_da", "fix_en", "source"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _load(*parts: str) -> Any:
    return json.loads(REFERENCE.joinpath(*parts).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def katalog() -> dict[str, Any]:
    return _load("fordringstyper.json")


@pytest.fixture(scope="module")
def typer(katalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["kode"]: t for t in katalog["fordringstyper"]}


@pytest.fixture(scope="module")
def psrm_errors() -> list[dict[str, Any]]:
    doc = _load("fejlkoder", "psrm.json")
    assert doc["area"] == "psrm"
    return doc["errors"]


@pytest.fixture(scope="module")
def kvittering() -> dict[str, Any]:
    return _load("kvitteringsstatus.json")


def _assert_kilde(kilde: Any, where: str) -> None:
    assert isinstance(kilde, dict), where
    assert kilde.get("tag") in EVIDENCE_TAGS, f"{where}: tag {kilde.get('tag')!r}"
    assert kilde.get("ref"), f"{where}: kilde without ref"
    if "url" in kilde:
        assert kilde["url"].startswith("https://"), f"{where}: url {kilde['url']!r}"


# --- fordringstyper -------------------------------------------------------------------------------


def test_the_catalogue_has_a_version_and_at_least_45_types(katalog: dict[str, Any]) -> None:
    assert katalog["version"]
    assert len(katalog["fordringstyper"]) >= 45


def test_codes_are_seven_characters_and_unique(katalog: dict[str, Any]) -> None:
    codes = [t["kode"] for t in katalog["fordringstyper"]]
    assert [c for c in codes if len(c) != 7] == []
    assert [c for c, n in Counter(codes).items() if n > 1] == []


def test_codes_keep_their_danish_letters(typer: dict[str, dict[str, Any]]) -> None:
    for kode in ("GEOPKRÆ", "KFTØFIN", "KFANBBØ", "POBØDPO"):
        assert kode in typer


def test_every_forretningsomraade_has_a_municipal_code(katalog: dict[str, Any]) -> None:
    kommunale = {t["forretningsomraade"] for t in katalog["fordringstyper"] if t["kommunal"]}
    assert FORRETNINGSOMRAADER - {"andre_fordringshavere"} <= kommunale
    used = {t["forretningsomraade"] for t in katalog["fordringstyper"]}
    assert used <= FORRETNINGSOMRAADER
    assert "andre_fordringshavere" in used


def test_only_other_claimants_types_are_non_municipal(katalog: dict[str, Any]) -> None:
    for t in katalog["fordringstyper"]:
        assert isinstance(t["kommunal"], bool), t["kode"]
        assert t["kommunal"] == (t["forretningsomraade"] != "andre_fordringshavere"), t["kode"]


def test_stamdata_felter_declares_every_field_in_both_languages(katalog: dict[str, Any]) -> None:
    felter = katalog["stamdata_felter"]
    assert set(felter) == STAMDATA_NAMES
    for name, text in felter.items():
        assert text["da"] and text["en"], name


def test_every_stamdata_name_used_is_declared(katalog: dict[str, Any]) -> None:
    declared = set(katalog["stamdata_felter"])
    for t in katalog["fordringstyper"]:
        kraevet, forbudt = set(t["stamdata"]["kraevet"]), set(t["stamdata"]["forbudt"])
        assert kraevet | forbudt <= declared, t["kode"]
        assert not kraevet & forbudt, t["kode"]


def test_foraeldelsesdato_is_required_for_every_type(katalog: dict[str, Any]) -> None:
    for t in katalog["fordringstyper"]:
        assert "foraeldelsesdato" in t["stamdata"]["kraevet"], t["kode"]


def test_entries_have_names_category_and_rules(katalog: dict[str, Any]) -> None:
    for t in katalog["fordringstyper"]:
        assert t["navn"] and t["name_en"], t["kode"]
        assert t["kategori"] in {"HF", "RF"}, t["kode"]
        assert isinstance(t["renter"], bool), t["kode"]
        assert isinstance(t["aktiv"], bool), t["kode"]
        regler = t["regler"]
        assert set(regler) >= {"min_periode_dage", "kraever_dom_eller_forlig", "kraever_bfe"}, t["kode"]
        assert regler["min_periode_dage"] is None or regler["min_periode_dage"] >= 1, t["kode"]
        assert regler["kraever_bfe"] == ("bfe" in t["stamdata"]["kraevet"]), t["kode"]


def test_interest_and_fee_areas_are_related_claims(katalog: dict[str, Any]) -> None:
    for t in katalog["fordringstyper"]:
        if t["forretningsomraade"] in {"renter", "gebyrer"}:
            assert t["kategori"] == "RF", t["kode"]
        if t["forretningsomraade"] == "renter":
            assert t["renter"] is False, t["kode"]


def test_reindgi_forbids_the_three_dates(typer: dict[str, dict[str, Any]]) -> None:
    reindgi = typer["REINDGI"]
    assert {"stiftelsesdato", "forfaldsdato", "srb"} <= set(reindgi["stamdata"]["forbudt"])
    assert "foraeldelsesdato" in reindgi["stamdata"]["kraevet"]
    assert reindgi["kategori"] == "RF"
    assert reindgi["stamdata_kilde"]["tag"] == "P"


def test_type_specific_rules_from_the_public_annexes(typer: dict[str, dict[str, Any]]) -> None:
    assert typer["KFERSMF"]["regler"]["kraever_dom_eller_forlig"] is True
    assert typer["CFFAKTU"]["regler"]["min_periode_dage"] == 1
    assert typer["POBØDPO"]["renter"] is False
    assert typer["POBØDPO"]["kommunal"] is False


def test_every_kilde_has_an_allowed_tag(katalog: dict[str, Any]) -> None:
    for t in katalog["fordringstyper"]:
        for key in ("kilde", "stamdata_kilde", "regler_kilde"):
            if key in t:
                _assert_kilde(t[key], f"{t['kode']}.{key}")


# --- fejlkoder/psrm.json --------------------------------------------------------------------------


def test_error_entries_have_every_required_key(psrm_errors: list[dict[str, Any]]) -> None:
    for e in psrm_errors:
        assert set(e) >= ERROR_KEYS, e.get("code")


def test_error_codes_are_unique(psrm_errors: list[dict[str, Any]]) -> None:
    codes = [e["code"] for e in psrm_errors]
    assert [c for c, n in Counter(codes).items() if n > 1] == []


def test_error_codes_follow_the_naming_rule(psrm_errors: list[dict[str, Any]]) -> None:
    for e in psrm_errors:
        native = e["native_code"]
        assert native is None or (isinstance(native, int) and not isinstance(native, bool)), e["code"]
        if native is None:
            assert re.fullmatch(r"PSRM-[A-Z][A-Z0-9-]*", e["code"]), e["code"]
        else:
            assert e["code"] == f"PSRM-{native}"


def test_error_texts_and_fixes_exist_in_both_languages(psrm_errors: list[dict[str, Any]]) -> None:
    for e in psrm_errors:
        for key in ("text_da", "text_en", "fix_da", "fix_en"):
            assert isinstance(e[key], str), f"{e['code']}.{key}"
            assert e[key].strip(), f"{e['code']}.{key}"
        assert e["severity"] in {"error", "warning"}, e["code"]
        _assert_kilde(e["source"], e["code"])


@pytest.mark.parametrize(("da", "en"), [("text_da", "text_en"), ("fix_da", "fix_en")])
def test_placeholders_match_between_languages(psrm_errors: list[dict[str, Any]], da: str, en: str) -> None:
    for e in psrm_errors:
        assert set(PLACEHOLDER.findall(e[da])) == set(PLACEHOLDER.findall(e[en])), e["code"]


def test_the_catalogue_holds_the_known_rules(psrm_errors: list[dict[str, Any]]) -> None:
    by_code = {e["code"]: e for e in psrm_errors}
    assert by_code["PSRM-600"]["source"]["tag"] == "C"
    assert {"value", "today"} <= set(PLACEHOLDER.findall(by_code["PSRM-SRB"]["text_da"]))
    assert {"days", "min_days"} <= set(PLACEHOLDER.findall(by_code["PSRM-MIN-PERIODE"]["text_da"]))
    for code in (
        "PSRM-SRB",
        "PSRM-REINDGI-DATOER",
        "PSRM-HOERING-FILTER",
        "PSRM-FORAELDET",
        "PSRM-MIN-PERIODE",
        "PSRM-DOM-FORLIG-KRAEVET",
        "PSRM-FORBUDT-STAMDATA",
        "PSRM-HOVEDSTOL-SALDO",
        "PSRM-RENTER-SOM-HF",
    ):
        assert code in by_code


def test_error_codes_are_unique_across_all_areas() -> None:
    seen: dict[str, str] = {}
    for path in sorted(REFERENCE.joinpath("fejlkoder").glob("*.json")):
        for e in json.loads(path.read_text(encoding="utf-8"))["errors"]:
            assert e["code"] not in seen, f"{e['code']} in {path.name} and {seen[e['code']]}"
            seen[e["code"]] = path.name


# --- kvitteringsstatus.json -----------------------------------------------------------------------


def test_kvittering_statuses(kvittering: dict[str, Any]) -> None:
    psrm_codes = [s["kode"] for s in kvittering["psrm"]]
    assert psrm_codes == ["MODTAGET", "AFVIST", "UDFOERT", "HOERING", "SAGSBEHANDL"]
    assert {s["kode"] for s in kvittering["oir"]} == {"GODKENDT", "AFVIST"}
    for area, statuses in kvittering.items():
        for s in statuses:
            where = f"{area}.{s['kode']}"
            assert s["navn_da"] and s["name_en"], where
            assert isinstance(s["endelig"], bool) and isinstance(s["synkron"], bool), where
            _assert_kilde(s["kilde"], where)
    final = {s["kode"] for s in kvittering["psrm"] if s["endelig"]}
    assert {"AFVIST", "UDFOERT"} <= final
    assert "MODTAGET" not in final
