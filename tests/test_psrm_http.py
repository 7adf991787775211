"""PSRM's intake (MFFordringIndberet, MFKvitteringHent) over real HTTP."""

from __future__ import annotations

import pytest
from testkommune.contracts.catalogue import error_catalogue

from tests.messages import codes, psrm_leverance


def _submit(api, message):
    response = api.post("/psrm/MFFordringIndberet", message)
    assert response.status_code == 200, response.text
    return response.json()["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"]


def _receipts(api, leverance):
    response = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": leverance})
    assert response.status_code == 200, response.text
    return response.json()["FordringAktionStatusSamling"]["MFAktionStruktur"]


def test_valid_claim_is_modtaget_then_udfoert_with_ids(api):
    sync = _submit(api, psrm_leverance("L1", "A1"))
    assert sync[0]["MFAktionStatusKode"] == "MODTAGET"
    assert sync[0]["DMIFordringModtagelseDato"].startswith("2026-09-20T09:00:00")
    receipt = _receipts(api, "L1")[0]
    assert receipt["MFAktionStatusKode"] == "UDFOERT"
    assert receipt["DMIFordringEFIFordringID"] == receipt["DMIFordringEFIHovedFordringID"]


def test_reused_action_id_is_refused_synchronously_with_600(api):
    _submit(api, psrm_leverance("L1", "A1"))
    again = _submit(api, psrm_leverance("L2", "A1"))
    assert again[0]["MFAktionStatusKode"] == "AFVIST"
    assert codes(again[0]["AfvistÅrsagSamling"]) == {"PSRM-600"}
    assert len(api.state()["psrm"]["actions"]) == 1


def test_receipt_refusals_come_in_the_declared_order_with_the_catalogue_texts(api):
    """A reused id with a foreign claimant, an SE number not allowed and no S2S: every refusal at once, the
    reused id first, then in the order of PSRM's receipt checks (simulators/psrm/rules.py)."""
    _submit(api, psrm_leverance("L1", "A1"))
    api.settings({"psrm": {"s2s": False, "tilladte_system_se": ["11111111"]}})
    again = _submit(api, psrm_leverance("L2", "A1", haver="1229"))
    refusals = again[0]["AfvistÅrsagSamling"]
    assert [r["code"] for r in refusals] == ["PSRM-600", "PSRM-2", "PSRM-400", "PSRM-156"]
    catalogue = error_catalogue()
    for refusal in refusals:
        entry = catalogue.describe(refusal["code"], {"value": refusal.get("value")})
        assert (refusal["text_da"], refusal["text_en"], refusal["fix_en"]) == (
            entry["text_da"],
            entry["text_en"],
            entry["fix_en"],
        )


def test_foreign_claimant_id_is_refused(api):
    sync = _submit(api, psrm_leverance("L1", "A1", haver="1229"))
    assert codes(sync[0]["AfvistÅrsagSamling"]) == {"PSRM-2"}


def test_processing_waits_for_the_simulated_clock(api):
    api.settings({"psrm": {"behandlingstid_sekunder": 3600}})
    _submit(api, psrm_leverance("L1", "A1"))
    assert _receipts(api, "L1")[0]["MFAktionStatusKode"] == "MODTAGET"
    api.clock(advance="59m")
    assert _receipts(api, "L1")[0]["MFAktionStatusKode"] == "MODTAGET"
    api.clock(advance="1m")
    assert _receipts(api, "L1")[0]["MFAktionStatusKode"] == "UDFOERT"


_H = "FordringHæftelseSamling"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"DMIFordringSRBDato": "2026-09-20"}, "PSRM-SRB"),
        (
            {
                "FordringPeriodeStruktur": {
                    "DMIFordringPeriodeFraDato": "2026-09-30",
                    "DMIFordringPeriodeTilDato": "2026-09-01",
                }
            },
            "PSRM-569",
        ),
        ({"DMIFordringForfaldDato": "1899-01-01"}, "PSRM-568"),
        ({"FordringBeløbStruktur": {"ValutaKode": "SEK", "DMIFordringBeløb": 1000.0}}, "PSRM-152"),
        (
            {"FordringBeløbStruktur": {"ValutaKode": "DKK", "DMIFordringBeløb": 1000.5}},
            "PSRM-HOVEDSTOL-SALDO",
        ),
        ({"DMIFordringTypeKode": "LIMEDIE"}, "PSRM-151"),
        (
            {_H: {"MFHæftelseStruktur": [{"MFKundeStruktur": {"Valg": {"PersonCPRNummer": "1111111118"}}}]}},
            "PSRM-550",
        ),
        (
            {
                _H: {
                    "MFHæftelseStruktur": [
                        {
                            "MFKundeStruktur": {"Valg": {"PersonCPRNummer": "1111111118"}},
                            "HæftelseForældelseDato": "2029-09-01",
                        },
                        {
                            "MFKundeStruktur": {"Valg": {"PersonCPRNummer": "1111111118"}},
                            "HæftelseForældelseDato": "2029-09-01",
                        },
                    ]
                }
            },
            "PSRM-528",
        ),
        (
            {
                _H: {
                    "MFHæftelseStruktur": [
                        {
                            "MFKundeStruktur": {"Valg": {"PersonCPRNummer": "1111111118"}},
                            "HæftelseForældelseDato": "2026-09-19",
                        }
                    ]
                }
            },
            "PSRM-FORAELDET",
        ),
        (
            {
                _H: {
                    "MFHæftelseStruktur": [
                        {
                            "MFKundeStruktur": {"Valg": {"PersonCPRNummer": "1111111118"}},
                            "HæftelseForældelseDato": "2029-09-01",
                            "HæftelseDom": True,
                            "HaeftelseDomDato": "2026-12-01",
                        }
                    ]
                }
            },
            "PSRM-533",
        ),
    ],
)
def test_entry_filter_rejects_with_the_rule_code(api, overrides, code):
    _submit(api, psrm_leverance("L1", "A1", **overrides))
    receipt = _receipts(api, "L1")[0]
    assert receipt["MFAktionStatusKode"] == "AFVIST"
    found = [e for e in receipt["AfvistÅrsagSamling"] if e["code"] == code]
    assert found, receipt["AfvistÅrsagSamling"]
    assert found[0]["path"].startswith("$.FordringAktionSamling.FordringAktion[0].AktionValg")
    assert found[0]["text_da"] and found[0]["text_en"]


def test_claimant_reference_is_unique(api):
    _submit(api, psrm_leverance("L1", "A1", DMIFordringFordringHaverRef="SAME"))
    _submit(api, psrm_leverance("L2", "A2", DMIFordringFordringHaverRef="SAME"))
    assert _receipts(api, "L1")[0]["MFAktionStatusKode"] == "UDFOERT"
    second = _receipts(api, "L2")[0]
    assert second["MFAktionStatusKode"] == "AFVIST"
    assert codes(second["AfvistÅrsagSamling"]) == {"PSRM-486"}


def test_related_claims_point_at_their_main_claim(api):
    message = psrm_leverance("L1", "A1")
    opret = message["FordringAktionSamling"]["FordringAktion"][0]["AktionValg"]["OpretFordringAktion"]
    related = dict(opret["MFOpretFordringStruktur"]) | {
        "DMIFordringTypeKode": "GEOPKRÆ",
        "DMIFordringFordringHaverRef": "REF-A1-GEBYR",
        "FordringBeløbStruktur": {"ValutaKode": "DKK", "DMIFordringBeløb": 100.0},
        "FordringOprindeligBeløbStruktur": {"ValutaKode": "DKK", "EFIFordringOprindeligBeløb": 100.0},
    }
    opret["OpretUnderfordringSamling"] = {"MFOpretRelateretFordringStruktur": [related]}
    _submit(api, message)
    assert _receipts(api, "L1")[0]["MFAktionStatusKode"] == "UDFOERT"
    claims = api.state()["psrm"]["claims"]
    main = next(c for c in claims if c["hovedfordring_id"] is None)
    fee = next(c for c in claims if c["fordringstype"] == "GEOPKRÆ")
    assert fee["hovedfordring_id"] == main["id"]


def test_unknown_leverance_is_a_structured_404(api):
    response = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "NOPE"})
    assert response.status_code == 404
    assert codes(response.json()["errors"]) == {"PSRM-LEVERANCE-UKENDT"}
