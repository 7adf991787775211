"""Every PSRM action over real HTTP: one case that passes, and cases that trip each of its rules."""

from __future__ import annotations

from typing import Any

import pytest

from tests import psrm_actions as act
from tests.messages import codes, psrm_leverance


def _run(api, *actions: dict[str, Any]) -> list[dict[str, Any]]:
    """Submit one leverance; return each action's final receipt (or its synchronous refusal)."""
    message = act.leverance(*actions)
    response = api.post("/psrm/MFFordringIndberet", message)
    assert response.status_code == 200, response.text
    sync = response.json()["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"]
    fetched = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": message["MFLeveranceID"]})
    final = (
        {r["MFAktionID"]: r for r in fetched.json()["FordringAktionStatusSamling"]["MFAktionStruktur"]}
        if fetched.status_code == 200
        else {}
    )
    return [final.get(s["MFAktionID"], s) for s in sync]


def _one(api, action: dict[str, Any]) -> dict[str, Any]:
    return _run(api, action)[0]


def _refused(receipt: dict[str, Any], code: str) -> dict[str, Any]:
    assert receipt["MFAktionStatusKode"] == "AFVIST", receipt
    matching = [e for e in receipt["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"] if e["code"] == code]
    assert matching, receipt["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"]
    assert matching[0]["text_da"] and matching[0]["text_en"] and matching[0]["source"]["tag"]
    return matching[0]


def _claim(api, aktion: str = "A1", **overrides: Any) -> str:
    """A claim under collection at PSRM (received 2026-09-20); returns its fordrings-id."""
    message = psrm_leverance(f"L-{aktion}", aktion, **overrides)
    api.post("/psrm/MFFordringIndberet", message)
    receipt = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": f"L-{aktion}"}).json()
    first = receipt["FordringAktionStatusSamling"]["MFAktionStruktur"][0]
    assert first["MFAktionStatusKode"] == "UDFOERT", first
    return first["DMIFordringEFIFordringID"]


def _psrm_claim(api, claim_id: str) -> dict[str, Any]:
    return next(c for c in api.state()["psrm"]["claims"] if str(c["id"]) == str(claim_id))


def _main_struct(**overrides: Any) -> dict[str, Any]:
    message = psrm_leverance(**overrides)
    return message["FordringAktionSamling"]["FordringAktion"][0]["AktionValg"]["OpretFordringAktion"][
        "MFOpretFordringStruktur"
    ]


# -- NEDSKRIV ---------------------------------------------------------------------------------------


def test_write_down_reduces_the_balance(api):
    claim = _claim(api)
    receipt = _one(api, act.nedskriv(claim, 250.0, "INDB", "2026-09-19"))
    assert receipt["MFAktionStatusKode"] == "UDFOERT"
    assert _psrm_claim(api, claim)["saldo_oere"] == 75000


@pytest.mark.parametrize(
    ("amount", "reason", "virkning", "code"),
    [
        (1000.01, "INDB", "2026-09-19", "PSRM-NEDSKRIV-SALDO"),
        (10.0, "INDB", None, "PSRM-409"),
        (10.0, "REGU", "2026-09-19", "PSRM-519"),
        (10.0, "FAST", None, "PSRM-571"),
        (10.0, "INDB", "2026-09-21", "PSRM-548"),
        (0.0, "INDB", "2026-09-19", "PSRM-408"),
    ],
)
def test_write_down_rules(api, amount, reason, virkning, code):
    claim = _claim(api)
    _refused(_one(api, act.nedskriv(claim, amount, reason, virkning)), code)
    assert _psrm_claim(api, claim)["saldo_oere"] == 100000


def test_write_down_of_unknown_claim(api):
    _refused(_one(api, act.nedskriv("999999", 1.0)), "PSRM-509")


def test_write_down_on_a_recalled_claim(api):
    claim = _claim(api)
    _one(api, act.tilbagekald(claim, "HENS"))
    _refused(_one(api, act.nedskriv(claim, 1.0)), "PSRM-498")


# -- synchronous refusals: agreement, structure, one pending action ----------------------------------


def test_action_not_in_the_agreement_is_refused_at_once(api):
    claim = _claim(api)
    api.settings({"psrm": {"tilladte_aktioner": ["OPRETFORDRING"]}})
    _refused(_one(api, act.nedskriv(claim, 1.0)), "PSRM-420")
    _refused(_one(api, act.tilbagekald(claim, "HENS")), "PSRM-421")


def test_s2s_not_enabled(api):
    api.settings({"psrm": {"s2s": False}})
    _refused(_one(api, act.nedskriv("1", 1.0)), "PSRM-156")


def test_missing_structure_for_the_action_code(api):
    wrong = act.nedskriv("1", 1.0)
    wrong["AktionValg"] = {
        "MFTilbagekaldFordringStruktur": {
            "DMIFordringEFIFordringID": "1",
            "MFAktionID": "A-WRONG",
            "HovedFordringTilbagekaldÅrsagStruktur": {"HovedFordringTilbageÅrsagKode": "HENS"},
        }
    }
    _refused(_one(api, wrong), "PSRM-447")


def test_only_one_pending_action_per_claim(api):
    claim = _claim(api)
    api.settings({"psrm": {"behandlingstid_sekunder": 3600}})
    first = act.leverance(act.nedskriv(claim, 1.0, "INDB", "2026-09-19"))
    api.post("/psrm/MFFordringIndberet", first)
    second = _one(api, act.nedskriv(claim, 2.0, "INDB", "2026-09-19"))
    _refused(second, "PSRM-418")
    api.clock(advance="1h")
    assert _psrm_claim(api, claim)["saldo_oere"] == 99900


# -- OPSKRIVNINGREGULERING and FEJLAGTIGHOVEDSTOLINDBERETNING ----------------------------------------


def test_write_up_creates_a_claim_in_the_same_kompleks(api):
    claim = _claim(api)
    receipt = _one(api, act.opskriv(claim, 300.0))
    assert receipt["MFAktionStatusKode"] == "UDFOERT"
    assert receipt["DMIFordringEFIHovedFordringID"] == claim
    write_up = _psrm_claim(api, receipt["DMIFordringEFIFordringID"])
    assert (write_up["kind"], write_up["kompleks_id"], write_up["saldo_oere"]) == (
        "OPSKRIVNING",
        int(claim),
        30000,
    )
    assert _psrm_claim(api, claim)["saldo_oere"] == 100000


def test_write_up_rules(api):
    claim = _claim(api)
    _refused(_one(api, act.opskriv(claim, 0.0)), "PSRM-227")
    _one(api, act.tilbagekald(claim, "HENS"))
    _refused(_one(api, act.opskriv(claim, 10.0)), "PSRM-496")


def test_no_write_up_on_interest(api):
    message = psrm_leverance("L-R", "A-R")
    opret = message["FordringAktionSamling"]["FordringAktion"][0]["AktionValg"]["OpretFordringAktion"]
    opret["OpretUnderfordringSamling"] = {
        "MFOpretRelateretFordringStruktur": [
            _main_struct(
                DMIFordringTypeKode="REOPDAG",
                DMIFordringFordringHaverRef="R-1",
                FordringBeløbStruktur={"ValutaKode": "DKK", "DMIFordringBeløb": 100.0},
                FordringOprindeligBeløbStruktur={"ValutaKode": "DKK", "EFIFordringOprindeligBeløb": 100.0},
            )  # REOPDAG R_4_2: at most 200 kr (filterregler.md §2.2)
        ]
    }
    api.post("/psrm/MFFordringIndberet", message)
    receipt = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "L-R"}).json()
    assert receipt["FordringAktionStatusSamling"]["MFAktionStruktur"][0]["MFAktionStatusKode"] == "UDFOERT"
    interest = next(c for c in api.state()["psrm"]["claims"] if c["fordringstype"] == "REOPDAG")
    _refused(_one(api, act.opskriv(str(interest["id"]), 10.0)), "PSRM-474")


def test_principal_correction(api):
    claim = _claim(api)
    assert _one(api, act.hovedstol(claim, 1200.0))["MFAktionStatusKode"] == "UDFOERT"
    corrected = _psrm_claim(api, claim)
    assert (corrected["hovedstol_oere"], corrected["saldo_oere"]) == (120000, 100000)
    _refused(_one(api, act.hovedstol(claim, 1200.0)), "PSRM-510")
    _one(api, act.tilbagekald(claim, "HENS"))
    _refused(_one(api, act.hovedstol(claim, 1500.0)), "PSRM-518")


# -- the four cancellations ---------------------------------------------------------------------------

OANI = (
    "OPSKRIVNINGANNULLERETNEDSKRIVNINGINDBETALING",
    "MFOpskrivningAnnulleretNedskrivningIndbetalingStruktur",
)
OONR = ("OPSKRIVNINGOMGJORTNEDSKRIVNINGREGULERING", "MFOpskrivningOmgjortNedskrivningReguleringStruktur")
NAOR = (
    "NEDSKRIVNINGANNULLERETOPSKRIVNINGREGULERING",
    "MFNedskrivningAnnulleretOpskrivningReguleringStruktur",
)
NAOI = (
    "NEDSKRIVNINGANNULLERETOPSKRIVNINGINDBETALING",
    "MFNedskrivningAnnulleretOpskrivningIndbetalingStruktur",
)


def test_oani_restores_an_indb_write_down_once(api):
    claim = _claim(api)
    _one(api, act.nedskriv(claim, 100.0, "INDB", "2026-09-19", aktion_id="W1"))
    assert _one(api, act.annuller(*OANI, claim, "W1", 100.0, "2026-09-19"))["MFAktionStatusKode"] == "UDFOERT"
    assert _psrm_claim(api, claim)["saldo_oere"] == 100000
    _refused(_one(api, act.annuller(*OANI, claim, "W1", 100.0, "2026-09-19")), "PSRM-503")


@pytest.mark.parametrize(
    ("amount", "virkning", "ref", "code"),
    [
        (90.0, "2026-09-19", "W1", "PSRM-469"),
        (100.0, "2026-09-18", "W1", "PSRM-470"),
        (100.0, "2026-09-19", "NOPE", "PSRM-526"),
        (100.0, None, "W2", "PSRM-471"),
    ],
)
def test_oani_rules(api, amount, virkning, ref, code):
    claim = _claim(api)
    _one(api, act.nedskriv(claim, 100.0, "INDB", "2026-09-19", aktion_id="W1"))
    _one(api, act.nedskriv(claim, 100.0, "REGU", None, aktion_id="W2"))
    _refused(_one(api, act.annuller(*OANI, claim, ref, amount, virkning)), code)


def test_oonr_reverses_regu_and_refuses_indb(api):
    claim = _claim(api)
    _one(api, act.nedskriv(claim, 100.0, "REGU", None, aktion_id="R1"))
    _one(api, act.nedskriv(claim, 50.0, "INDB", "2026-09-19", aktion_id="I1"))
    assert _one(api, act.annuller(*OONR, claim, "R1", 100.0))["MFAktionStatusKode"] == "UDFOERT"
    _refused(_one(api, act.annuller(*OONR, claim, "I1", 50.0, "2026-09-19")), "PSRM-477")
    assert _psrm_claim(api, claim)["saldo_oere"] == 95000


def test_naor_cancels_a_write_up(api):
    claim = _claim(api)
    write_up = _one(api, act.opskriv(claim, 300.0, aktion_id="U1"))["DMIFordringEFIFordringID"]
    _one(api, act.nedskriv(claim, 10.0, "REGU", None, aktion_id="R1"))
    _refused(_one(api, act.annuller(*NAOR, claim, "R1", 10.0)), "PSRM-502")
    _refused(_one(api, act.annuller(*NAOR, claim, "U1", 299.0)), "PSRM-504")
    assert _one(api, act.annuller(*NAOR, claim, "U1", 300.0))["MFAktionStatusKode"] == "UDFOERT"
    assert _psrm_claim(api, write_up)["saldo_oere"] == 0


def test_naoi_cancels_an_oani(api):
    claim = _claim(api)
    _one(api, act.nedskriv(claim, 100.0, "INDB", "2026-09-19", aktion_id="W1"))
    oani = act.annuller(*OANI, claim, "W1", 100.0, "2026-09-19", aktion_id="O1")
    _one(api, oani)
    _refused(_one(api, act.annuller(*NAOI, claim, "W1", 100.0, "2026-09-19")), "PSRM-506")
    assert _one(api, act.annuller(*NAOI, claim, "O1", 100.0, "2026-09-19"))["MFAktionStatusKode"] == "UDFOERT"
    assert _psrm_claim(api, claim)["saldo_oere"] == 90000


# -- TILBAGEKALD ---------------------------------------------------------------------------------------


def test_recall_of_a_main_claim_takes_its_related_claims(api):
    claim = _claim(api)
    related = _one(
        api,
        act.relateret(claim, _main_struct(DMIFordringTypeKode="GEOPKRÆ", DMIFordringFordringHaverRef="G-1")),
    )
    assert related["MFAktionStatusKode"] == "UDFOERT"
    assert _one(api, act.tilbagekald(claim, "HENS"))["MFAktionStatusKode"] == "UDFOERT"
    statuses = {c["fordringstype"]: (c["status"], c["recall_reason"]) for c in api.state()["psrm"]["claims"]}
    assert statuses == {"KFDAINS": ("TILBAGEKALDT", "HENS"), "GEOPKRÆ": ("TILBAGEKALDT", "HENS")}


@pytest.mark.parametrize(
    ("reason", "virkning", "code"),
    [
        ("FEJL", "2026-09-20", "PSRM-546"),
        ("BORT", None, "PSRM-409"),
        ("BORD", "2026-09-18", "PSRM-467"),
        ("HENS", "2026-09-30", "PSRM-548"),
    ],
)
def test_recall_date_rules(api, reason, virkning, code):
    api.clock(set="2026-09-19")
    claim = _claim(api)
    api.clock(set="2026-09-20T12:00:00+02:00")
    _refused(_one(api, act.tilbagekald(claim, reason, virkning)), code)


def test_after_hens_only_fejl_and_after_fejl_nothing(api):
    claim = _claim(api)
    _one(api, act.tilbagekald(claim, "HENS"))
    _refused(_one(api, act.tilbagekald(claim, "KLAG")), "PSRM-603")
    assert _one(api, act.tilbagekald(claim, "FEJL"))["MFAktionStatusKode"] == "UDFOERT"
    _refused(_one(api, act.tilbagekald(claim, "FEJL")), "PSRM-602")


def test_statsrefusion_claims_only_with_fejl_or_klag(api):
    claim = _claim(api, StatsrefusionIndikator=True)
    _refused(_one(api, act.tilbagekald(claim, "HENS")), "PSRM-STATSREFUSION-TILBAGEKALD")
    assert _one(api, act.tilbagekald(claim, "KLAG"))["MFAktionStatusKode"] == "UDFOERT"


# -- GENINDSENDFORDRING -------------------------------------------------------------------------------


def test_resubmission_after_hens_gets_a_new_id_and_may_carry_reindgi(api):
    claim = _claim(api)
    _one(api, act.tilbagekald(claim, "HENS"))
    reindgi = _main_struct(
        DMIFordringTypeKode="REINDGI",
        DMIFordringFordringHaverRef="REF-A1-R",
        DMIFordringStiftelseTidspunkt=None,
        DMIFordringForfaldDato=None,
        DMIFordringSRBDato=None,
    )
    reindgi = {k: v for k, v in reindgi.items() if v is not None}
    receipt = _one(api, act.genindsend(claim, _main_struct(DMIFordringFordringHaverRef="REF-A1"), [reindgi]))
    assert receipt["MFAktionStatusKode"] == "UDFOERT", receipt
    assert receipt["DMIFordringEFIFordringID"] != claim
    new = _psrm_claim(api, receipt["DMIFordringEFIFordringID"])
    assert new["original_id"] == int(claim) and new["status"] == "UNDER_INDDRIVELSE"


def test_resubmission_rules(api):
    claim = _claim(api)
    same = _main_struct(DMIFordringFordringHaverRef="REF-A1")
    _refused(_one(api, act.genindsend(claim, same)), "PSRM-540")
    _one(api, act.tilbagekald(claim, "HENS"))
    refused = _refused(
        _one(api, act.genindsend(claim, _main_struct(DMIFordringForfaldDato="2026-09-02"))), "PSRM-542"
    )
    assert refused["path"].endswith("DMIFordringForfaldDato")
    _one(api, act.tilbagekald(claim, "FEJL"))
    _refused(_one(api, act.genindsend(claim, same)), "PSRM-602")


def test_modr_claims_cannot_be_resubmitted_and_aendr_is_for_modr_only(api):
    indr = _claim(api, "A1")
    _refused(_one(api, act.aendr(indr, "Ny tekst")), "PSRM-537")
    # KFDAINS is INDR only (R_1_1); KFTILDA allows MODR, with forfald after stiftelse (filterregler.md §2.1)
    kftilda = {"DMIFordringTypeKode": "KFTILDA", "DMIFordringStiftelseTidspunkt": "2026-08-31"}
    modr = _claim(api, "A2", DMIFordringFordringArtKode="MODR", **kftilda)
    assert _one(api, act.aendr(modr, "Ny tekst"))["MFAktionStatusKode"] == "UDFOERT"
    _one(api, act.tilbagekald(modr, "HENS"))
    resubmitted = _main_struct(DMIFordringFordringArtKode="MODR", **kftilda)
    _refused(_one(api, act.genindsend(modr, resubmitted)), "PSRM-544")


# -- related claims ------------------------------------------------------------------------------------


def test_related_claim_rules(api):
    claim = _claim(api)
    _refused(_one(api, act.relateret(claim, _main_struct(DMIFordringFordringHaverRef="X-1"))), "PSRM-459")
    _refused(_one(api, act.relateret("424242", _main_struct(DMIFordringTypeKode="GEOPKRÆ"))), "PSRM-509")
    _one(api, act.tilbagekald(claim, "HENS"))
    _refused(_one(api, act.relateret(claim, _main_struct(DMIFordringTypeKode="GEOPKRÆ"))), "PSRM-530")


def test_art_not_in_agreement(api):
    api.settings({"psrm": {"tilladte_arter": ["INDR"]}})
    _refused(
        _one(
            api,
            act.action(
                "OPRETFORDRING",
                "OpretFordringAktion",
                {"MFOpretFordringStruktur": _main_struct(DMIFordringFordringArtKode="MODR")},
            ),
        ),
        "PSRM-419",
    )


# -- HØRING ---------------------------------------------------------------------------------------------


def _hearing_claim(api) -> dict[str, Any]:
    receipt = _one(
        api,
        act.action(
            "OPRETFORDRING",
            "OpretFordringAktion",
            {"MFOpretFordringStruktur": _main_struct(DMIFordringTypeKode="KFERSMF")},
        ),
    )
    assert receipt["MFAktionStatusKode"] == "HOERING", receipt
    assert codes(receipt["HoeringÅrsagSamling"]["MFAktionHoeringStruktur"]) == {"PSRM-DOM-FORLIG-KRAEVET"}
    assert receipt["HoeringStatus"] == "AFVENTER_FORDRINGSHAVER"
    return receipt


def test_hearing_approved_counts_as_received_when_confirmed(api):
    receipt = _hearing_claim(api)
    api.clock(advance="3d")
    answer = api.post(
        "/psrm/HoeringSvar",
        {
            "MFAktionID": receipt["MFAktionID"],
            "HoeringSvarKode": "GODKEND",
            "Begrundelse": "Dom afsagt mundtligt; udskrift følger.",
        },
    )
    assert answer.status_code == 200 and answer.json()["HoeringStatus"] == "AFVENTER_RIM"
    final = next(a for a in api.state()["psrm"]["actions"] if a["MFAktionID"] == receipt["MFAktionID"])
    assert final["MFAktionStatusKode"] == "UDFOERT"
    assert final["DMIFordringModtagelseDato"].startswith("2026-09-23")


def test_hearing_withdrawn_or_rejected(api):
    receipt = _hearing_claim(api)
    answer = api.post(
        "/psrm/HoeringSvar",
        {
            "MFAktionID": receipt["MFAktionID"],
            "HoeringSvarKode": "TILBAGETRAEK",
            "Begrundelse": "Forkert fordringstype",
        },
    )
    _refused(answer.json(), "PSRM-HOERING-TILBAGETRUKKET")
    again = api.post("/psrm/HoeringSvar", {"MFAktionID": receipt["MFAktionID"], "HoeringSvarKode": "GODKEND"})
    assert again.status_code == 409 and codes(again.json()["errors"]) == {"PSRM-HOERING-UKENDT"}
    api.settings({"psrm": {"hoering_afgoerelse": "AFVIS"}})
    second = _hearing_claim(api)
    api.post(
        "/psrm/HoeringSvar",
        {
            "MFAktionID": second["MFAktionID"],
            "HoeringSvarKode": "GODKEND",
            "Begrundelse": "Beløbet er korrekt.",
        },
    )
    held = next(a for a in api.state()["psrm"]["actions"] if a["MFAktionID"] == second["MFAktionID"])
    fetched = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": held["MFLeveranceID"]}).json()
    (final,) = fetched["FordringAktionStatusSamling"]["MFAktionStruktur"]
    _refused(final, "PSRM-HOERING-AFVIST")


# -- interest choice (RenteValgStruktur) and reason codes in the agreement ------------------------------


@pytest.mark.parametrize(
    ("choice", "fordringstype", "code"),
    [
        ({"RenteRegelNummer": "001", "RenteSatsKode": "98", "MerRenteSats": 2.0}, "KFDAINS", "PSRM-436"),
        ({"RenteRegelNummer": "001", "RenteSatsKode": "03", "MerRenteSats": -1.0}, "KFDAINS", "PSRM-438"),
        ({"RenteRegelNummer": "002", "RenteSatsKode": "03"}, "KFDAINS", "PSRM-441"),
        ({"RenteRegelNummer": "001", "RenteSatsKode": "55"}, "KFDAINS", "PSRM-442"),
        ({"RenteRegelNummer": "001", "RenteSatsKode": "20"}, "POBØDPO", "PSRM-443"),
    ],
)
def test_interest_choice_combinations(api, choice, fordringstype, code):
    if fordringstype != "KFDAINS":
        api.settings({"psrm": {"tilladte_fordringstyper": [fordringstype]}})
    message = act.action(
        "OPRETFORDRING",
        "OpretFordringAktion",
        {
            "MFOpretFordringStruktur": _main_struct(
                DMIFordringTypeKode=fordringstype, RenteValgStruktur=choice
            )
        },
    )
    _refused(_one(api, message), code)


def test_interest_choice_decides_the_interest(api):
    no_interest = _claim(api, "A1", RenteValgStruktur={"RenteRegelNummer": "001", "RenteSatsKode": "98"})
    surcharge = _claim(
        api, "A2", RenteValgStruktur={"RenteRegelNummer": "001", "RenteSatsKode": "03", "MerRenteSats": 10.0}
    )
    standard = _claim(api, "A3")
    api.clock(set="2026-11-01")
    history = {
        c: api.session.get(f"{api.admin_path}/psrm/fordringer/{c}", timeout=30).json()["RenteBeløb"]
        for c in (no_interest, surcharge, standard)
    }
    assert history[no_interest] == 0
    assert history[surcharge] == round(1000 * 0.10 * 31 / 365, 2)
    assert history[standard] == round(1000 * 0.0575 * 31 / 365, 2)


def test_reason_code_not_in_the_agreement(api):
    claim = _claim(api)
    api.settings({"psrm": {"tilladte_aarsagskoder": ["INDB", "FEJL"]}})
    _refused(_one(api, act.nedskriv(claim, 1.0, "REGU", None)), "PSRM-420")
    _refused(_one(api, act.tilbagekald(claim, "HENS")), "PSRM-421")
    assert _one(api, act.nedskriv(claim, 1.0, "INDB", "2026-09-19"))["MFAktionStatusKode"] == "UDFOERT"
