"""The debitor system's own opkrævning over real HTTP: rykker, fee, renter, letters, hand-over to PSRM after
SRB, and PSRM's receipt and payments flowing back to the fagsystem's mailbox."""

from __future__ import annotations

from tests.debitor_messages import claim, debitor, mailbox
from tests.messages import CPR_MOD11, fordring, opret, overdrag

AFSKRIVNING_AARSAG = "KONKURS"
MEDHAEFTER = "0202902345"


def test_claim_goes_through_rykker_and_srb_to_psrm_and_its_payment_flows_back(api):
    api.settings({"debitor": {"debitorprofil": "DEB-B"}})
    booked = api.opret(opret(fordring("F1")))
    assert booked.json()["Forretningskvittering"]["Status"] == "GODKENDT"
    assert [x["Type"] for x in debitor(api)["letters"]] == ["OPKRAEVNING"]

    api.clock(set="2026-10-15T12:00:00+02:00")  # SRB itself: nothing happens yet
    assert claim(api, "F1")["AntalRykkere"] == 0

    api.clock(set="2026-10-16T12:00:00+02:00")  # SRB + 1: first rykker with fee and interest for one day
    first = claim(api, "F1")
    assert (first["AntalRykkere"], first["RykkergebyrBeløb"], first["FordringTilstand"]) == (
        1,
        100.0,
        "OPKRAEVNING",
    )
    # a daycare claim: gebyrloven § 3, 1 % on the forfaldsdato (filterregler.md §5.3), not 8.1 % a year
    assert first["RenteBeløb"] == 32.0

    api.clock(set="2026-10-26T12:00:00+02:00")  # SRB + 11: the second and last rykker warns of inddrivelse
    letters = [x for x in debitor(api)["letters"] if x["Type"] == "RYKKER"]
    assert [(x["Indhold"]["RykkerNummer"], x["Indhold"]["VarselOmInddrivelse"]) for x in letters] == [
        (1, False),
        (2, True),
    ]
    assert claim(api, "F1")["FordringTilstand"] == "OPKRAEVNING"

    # the day after the last rykker's 10-day deadline (filterregler.md §1: it must have passed): to PSRM
    api.clock(set="2026-11-06T12:00:00+01:00")
    api.clock(advance="1m")  # next call: PSRM processes the action, the debitor system reads the receipt
    handed = claim(api, "F1")
    assert handed["FordringTilstand"] == "UNDER_INDDRIVELSE"
    assert handed["PSRM"]["MFAktionStatusKode"] == "UDFOERT"
    assert handed["AntalRykkere"] == 2

    paid = api.session.post(
        f"{api.admin_path}/psrm/indbetalinger",
        json={"SkyldnerID": CPR_MOD11, "Beløb": 1000.0, "BetalingDato": "2026-11-06"},
        timeout=30,
    )
    assert paid.status_code == 201, paid.text
    assert not [m for m in mailbox(api)["Besked"] if m["Type"] == "DAEKNING"]  # DEB-B: one day's delay
    api.clock(advance="1d")
    box = mailbox(api)
    daekning = [m for m in box["Besked"] if m["Type"] == "DAEKNING"]
    # PSRM covers the related claims (the two rykkergebyrer and the renter handed over with F1) first; the
    # interest booked on the hand-over day itself is not yet past its SRB and stays with the debitor system
    related = [(m["Detaljer"].get("RelateretFordring"), m["Beløb"]) for m in daekning[:-1]]
    assert sorted(related) == sorted(_related_parts(handed, "2026-11-06"))
    assert len(related) == 3  # two rykkergebyrer and the first 1 % (the second rykker adds no started month)
    renter = round(sum(b for r, b in related if "-REN-" in r), 2)
    assert {m["FordringReference"] for m in daekning} == {"F1"}
    assert round(sum(m["Beløb"] for m in daekning), 2) == 1000.0
    principal = daekning[-1]
    assert (principal["Beløb"], principal["Detaljer"]["Kilde"]) == (round(1000.0 - 200.0 - renter, 2), "PSRM")
    status = [m["Detaljer"]["MFAktionStatusKode"] for m in box["Besked"] if m["Type"] == "STATUS"]
    assert status == ["MODTAGET", "UDFOERT"]
    assert claim(api, "F1")["SaldoBeløb"] == round(3200.0 - principal["Beløb"], 2)


def _related_parts(c: dict, handed_on: str) -> list[tuple[str, float]]:
    """The rykkergebyrer and renter handed over with the claim (those past their SRB on the hand-over day),
    as the related claims PSRM knows them."""
    return [
        (f"F1-{p['Type'][:3]}-{n}", p["Beløb"])
        for n, p in enumerate(c["Delfordring"], start=1)
        if p["Type"] in ("RYKKERGEBYR", "RENTE") and p.get("SidsteRettidigeBetalingDato", "") < handed_on
    ]


def test_a_claim_is_never_both_under_opkraevning_and_inddrivelse(api):
    api.settings({"debitor": {"debitorprofil": "DEB-B"}})
    api.opret(opret(fordring("F1")))
    api.clock(set="2026-11-06T12:00:00+01:00")
    api.clock(advance="1m")
    assert claim(api, "F1")["FordringTilstand"] == "UNDER_INDDRIVELSE"
    before = claim(api, "F1")
    api.clock(set="2027-03-01T12:00:00+01:00")  # months later: no more rykker, renter or fees from us
    after = claim(api, "F1")
    assert (after["AntalRykkere"], after["RenteBeløb"], after["RykkergebyrBeløb"]) == (
        before["AntalRykkere"],
        before["RenteBeløb"],
        before["RykkergebyrBeløb"],
    )
    again = api.ret_tilstand(overdrag("F1")).json()["Forretningskvittering"]
    assert again["Status"] == "AFVIST"
    assert again["Fejl"][0]["code"] == "OIR-FORDRING-TILSTAND"


def test_default_profile_keeps_hand_over_with_the_fagsystem(api):
    api.opret(opret(fordring("F1")))
    api.clock(set="2026-12-01T12:00:00+01:00")
    c = claim(api, "F1")
    assert (c["FordringTilstand"], c["AntalRykkere"], c["RykkergebyrBeløb"]) == ("OPKRAEVNING", 1, 100.0)
    answer = api.ret_tilstand(overdrag("F1")).json()["Forretningskvittering"]
    assert (answer["Status"], answer["FordringTilstand"]) == ("GODKENDT", "OVERDRAGET")
    assert "Advarsler" not in answer  # the rykker procedure ran
    api.clock(advance="1m")
    assert claim(api, "F1")["FordringTilstand"] == "UNDER_INDDRIVELSE"


def test_psrm_afskrivning_flows_back_as_afskrivning(api):
    api.opret(opret(fordring("F1")))
    api.clock(set="2026-10-27T12:00:00+01:00")  # the rykker (10-16) has its deadline 10-26 behind it
    assert api.ret_tilstand(overdrag("F1")).json()["Forretningskvittering"]["Status"] == "GODKENDT"
    api.clock(advance="1m")
    psrm_id = claim(api, "F1")["PSRM"]["DMIFordringEFIFordringID"]
    ended = api.session.post(
        f"{api.admin_path}/psrm/afskrivninger",
        json={"DMIFordringEFIFordringID": psrm_id, "ÅrsagKode": AFSKRIVNING_AARSAG},
        timeout=30,
    )
    assert ended.status_code == 200, ended.text
    api.clock(advance="1m")
    afskrivning = [m for m in mailbox(api)["Besked"] if m["Type"] == "AFSKRIVNING"]
    main = [m for m in afskrivning if "RelateretFordring" not in m["Detaljer"]]
    assert [(m["FordringReference"], m["Beløb"], m["Detaljer"]["Kilde"]) for m in main] == [
        ("F1", 3200.0, "PSRM")
    ]
    related = [(m["Detaljer"]["RelateretFordring"], m["Beløb"]) for m in afskrivning if m not in main]
    assert related == [("F1-RYK-2", 100.0)]  # the DEB-A rykkergebyr went along and was written off too
    assert claim(api, "F1")["SaldoBeløb"] == 0.0


def test_manual_hand_over_before_the_rykker_procedure_is_warned_and_the_debtor_notified(api):
    api.opret(opret(fordring("F1")))
    api.clock(set="2026-10-15T12:00:00+02:00")  # on SRB: no rykker yet
    answer = api.ret_tilstand(overdrag("F1")).json()["Forretningskvittering"]
    assert answer["Status"] == "GODKENDT"
    assert [w["code"] for w in answer["Advarsler"]] == ["DEB-OVERDRAG-UDEN-RYKKER"]
    assert [x["Type"] for x in debitor(api)["letters"]] == ["OPKRAEVNING", "UNDERRETNING_OVERDRAGELSE"]


def test_co_debtors_are_handed_to_psrm_with_their_haeftelse(api):
    message = opret(
        fordring("F1", Hæftelse=[{"PersonCPRNummer": CPR_MOD11}, {"PersonCPRNummer": MEDHAEFTER}])
    )
    message["OpretDebitorkonto"]["DebitorkontoSpecifikation"]["JuridiskMedhæfter"] = [
        {"PersonCPRNummer": MEDHAEFTER, "Navn": "Med Hæfter"}
    ]
    assert api.opret(message).json()["Forretningskvittering"]["Status"] == "GODKENDT"
    api.clock(set="2026-10-20T12:00:00+02:00")
    api.ret_tilstand(overdrag("F1"))
    api.clock(advance="1m")
    assert claim(api, "F1")["FordringTilstand"] == "UNDER_INDDRIVELSE"
    psrm_id = claim(api, "F1")["PSRM"]["DMIFordringEFIFordringID"]
    sent = api.session.get(f"{api.admin_path}/psrm/fordringer/{psrm_id}", timeout=30)
    assert sent.status_code == 200, sent.text
    assert MEDHAEFTER in sent.text and CPR_MOD11 in sent.text


def test_fees_outside_the_psrm_agreement_stay_with_the_debitor_system(api):
    api.settings({"psrm": {"tilladte_fordringstyper": ["KFDAINS"]}})
    api.opret(opret(fordring("F1")))
    api.clock(set="2026-10-20T12:00:00+02:00")  # DEB-A: one rykker with fee sent
    assert api.ret_tilstand(overdrag("F1")).json()["Forretningskvittering"]["Status"] == "GODKENDT"
    api.clock(advance="1m")
    handed = claim(api, "F1")
    assert (handed["FordringTilstand"], handed["PSRM"]["MFAktionStatusKode"]) == (
        "UNDER_INDDRIVELSE",
        "UDFOERT",
    )
    assert [c["claimant_ref"] for c in api.state()["psrm"]["claims"]] == ["F1"]
