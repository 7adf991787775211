"""The debitor system's rules are pure functions: the same input gives the same findings, no state needed."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from testkommune.simulators.debitor import rules
from testkommune.simulators.debitor.profiles import profile_for

CTX = rules.RegistreringContext(
    today=date(2026, 9, 20),
    kraevede_felter=("Beskrivelse",),
    profil="DEB-B",
    parties=frozenset({"1111111118"}),
    existing_refs=frozenset({"OLD"}),
)


def _codes(findings):
    return [(f.code, f.path) for f in findings]


def test_registrering_rules():
    fordring = {
        "FordringReference": "OLD",
        "HovedstolBeløb": 100.0,
        "Delfordring": [
            {"DelfordringReference": "R", "Beløb": 60.0},
            {"DelfordringReference": "R", "Beløb": 30.0},
        ],
        "Hæftelse": [{"PersonCPRNummer": "0202902345"}],
    }
    assert _codes(rules.run_registrering(fordring, "$.F", CTX)) == [
        ("DEB-FELT-KRAEVET", "$.F.Beskrivelse"),
        ("DEB-DELFORDRING-SUM", "$.F.Delfordring"),
        ("DEB-DELFORDRING-REFERENCE", "$.F.Delfordring[1].DelfordringReference"),
        ("DEB-HAEFTELSE-UKENDT", "$.F.Hæftelse[0]"),
        ("DEB-FORDRING-DUBLET", "$.F.FordringReference"),
    ]
    clean = {"FordringReference": "NEW", "HovedstolBeløb": 90.0, "Beskrivelse": "x"}
    assert rules.run_registrering(clean, "$.F", CTX) == []


def test_regulering_afslut_and_overdragelse():
    assert _codes(rules.regulering("NEDSKRIVNING", "UNDER_INDDRIVELSE", 100, 1, "$.N")) == [
        ("DEB-REGULERING-TILSTAND", "$.N.FordringReference")
    ]
    assert _codes(rules.regulering("NEDSKRIVNING", "OPKRAEVNING", 100, 101, "$.N")) == [
        ("DEB-NEDSKRIVNING-SALDO", "$.N.Beløb")
    ]
    assert rules.regulering("OPSKRIVNING", "OPKRAEVNING", 100, 10_000, "$.N") == []
    row = SimpleNamespace(valid_from="2026-09-20")
    assert _codes(rules.afslut(None, date(2026, 9, 30), "$.A", last_liable=False)) == [
        ("DEB-AFSLUT-UKENDT", "$.A")
    ]
    assert _codes(rules.afslut(row, date(2026, 9, 19), "$.A", last_liable=False)) == [
        ("DEB-AFSLUT-DATO", "$.A.SlutDato")
    ]
    assert _codes(rules.afslut(row, date(2026, 9, 30), "$.A", last_liable=True)) == [
        ("DEB-HAEFTELSE-SIDSTE", "$.A")
    ]
    deb_c = profile_for({"debitor": {"debitorprofil": "DEB-C"}})
    assert [f.params["expected"] for f in rules.overdragelse(2, deb_c, "$.R")] == [3]
    assert rules.overdragelse(3, deb_c, "$.R") == []


def test_payment_rules():
    assert _codes(rules.indbetaling_maal(False, "", [], "", "$.P", "1")) == [
        ("DEB-INDBETALING-UKENDT", "$.P")
    ]
    assert _codes(rules.indbetaling_maal(True, "101/x", ["851/a"], "OPKRAEVNING", "$.P", "1")) == [
        ("DEB-INDBETALING-UKENDT", "$.P")  # another kommune's claim answers as an unknown one
    ]
    assert _codes(rules.indbetaling_maal(True, "851/a", ["851/a"], "OVERDRAGET", "$.P", "1")) == [
        ("DEB-INDBETALING-TILSTAND", "$.P")
    ]
    assert rules.indbetaling_maal(True, "851/a", ["851/a"], "OPKRAEVNING", "$.P", "1") == []
    assert rules.indbetaling_genbrug("abc", "abc", "$.I", "1") == []
    assert _codes(rules.indbetaling_genbrug("abc", "abd", "$.I", "1")) == [
        ("DEB-INDBETALING-GENBRUGT", "$.I")
    ]
    assert [f.params["value"] for f in rules.overskud(1050, "$.B")] == [10.5]
    assert rules.overskud(0, "$.B") == []
    assert _codes(rules.egen_fordring("851/a", "851/b", "$.F", "7")) == [("OIR-FORDRING-UKENDT", "$.F")]
    assert rules.egen_fordring("851/a", "851/a", "$.F", "7") == []
