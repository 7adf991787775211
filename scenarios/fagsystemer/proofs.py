"""What each broken variant proves: the suites that must catch it and the codes its defect is named by.

Every scenario of those suites that fails must name one of the codes, and each code must be named somewhere
(tests/test_verdicts.py runs them). The coverage page (docs/coverage.md) is generated from this table and the
suites' `covers`.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("basis", "debitor", "fejlliste", "finans", "forretningsomraader", "robusthed")
HANDING_OVER = ("basis", "debitor", "fejlliste", "forretningsomraader", "robusthed")


@dataclass(frozen=True, slots=True)
class Proof:
    codes: tuple[str, ...]
    suites: tuple[str, ...]


PROOFS: dict[str, Proof] = {
    # refused by a counterpart: the refusal's own code
    "periode-omvendt": Proof(("PSRM-569",), ALL),
    "valuta-euro": Proof(("PSRM-152",), ALL),
    "kontotype-virksomhed": Proof(("OIR-DEBITORKONTOTYPE",), ALL),
    "transaktionsid-pr-dag": Proof(("OIR-TRANSAKTIONSID-GENBRUGT",), ("finans", "forretningsomraader")),
    "gebyr-som-hovedfordring": Proof(("PSRM-201",), ("forretningsomraader",)),
    "nyt-id-ved-genforsoeg": Proof(("DEB-FORDRING-DUBLET",), ("basis", "robusthed")),
    "uden-beskrivelse": Proof(("DEB-FELT-KRAEVET", "PSRM-FILTER-UDFYLDT"), ("debitor",)),
    "overdrager-foer-srb": Proof(
        ("PSRM-SRB", "CERT-OVERDRAGET-UNDER-RYKKER"), ("basis", "debitor", "fejlliste")
    ),
    "direkte-til-inddrivelse": Proof(("PSRM-SRB",), ("basis", "debitor", "fejlliste")),
    "overdrager-under-rykker": Proof(("CERT-OVERDRAGET-UNDER-RYKKER",), ("debitor",)),
    "ubalanceret-bilag": Proof(
        ("ERP-BILAG-UBALANCE", "CERT-FINANS-AFVIST", "CERT-FINANS-UBALANCE", "CERT-NULSUMTEST"),
        ("finans", "robusthed"),
    ),
    "ukendt-sortiment": Proof(("ERP-SORTIMENTSVAERDI-UKENDT", "CERT-FINANS-AFVIST"), ("finans", "robusthed")),
    "udbetaler-til-cvr": Proof(("NK-NEMKONTO-MANGLER", "CERT-PART-AFVIGER"), ("fejlliste",)),
    # what arrived differs from the case
    "generisk-fordringstype": Proof(
        ("CERT-FORKERT-FORDRINGSTYPE",), ("basis", "fejlliste", "forretningsomraader")
    ),
    "sfo-som-daginstitution": Proof(("CERT-FORKERT-FORDRINGSTYPE",), ("forretningsomraader",)),
    "gebyr-i-hovedstol": Proof(("CERT-STAMDATA-AFVIGER",), ("forretningsomraader",)),
    "hele-kroner": Proof(("CERT-STAMDATA-AFVIGER",), ("basis", "robusthed")),
    "periode-for-lang": Proof(
        ("CERT-STAMDATA-AFVIGER", "PSRM-HOERING-DATO", "CERT-PSRM-STATUS"), HANDING_OVER
    ),
    "udbetaler-for-lidt": Proof(("CERT-STAMDATA-AFVIGER",), ("fejlliste",)),
    "se-som-cvr": Proof(("CERT-PART-AFVIGER",), ("fejlliste",)),
    "uden-se-nummer": Proof(("CERT-PART-AFVIGER",), ("fejlliste",)),
    "uden-domsdato": Proof(("PSRM-DOM-FORLIG-KRAEVET",), ("forretningsomraader",)),
    "ugyldig-cpr": Proof(("ID-CPR-DATO",), ALL),
    "kraever-adresse": Proof(("CERT-FAGSYSTEM-FEJL",), ("fejlliste",)),
    "uden-fast-bopael-ignoreres": Proof(("CERT-UDEN-FAST-BOPAEL",), ("fejlliste",)),
    "srb-foer-forfald": Proof(("CERT-SRB-FOER-FORFALD",), ALL),
    "cpr-i-beskrivelse": Proof(("CERT-PERSONDATA-FRITEKST",), ALL),
    "navn-i-beskrivelse": Proof(("CERT-PERSONDATA-FRITEKST",), ALL),
    "forkert-kontostreng": Proof(("CERT-FINANS-KONTOSTRENG", "CERT-NULSUMTEST"), ("finans",)),
    # claims and bilag counted: none lost, none twice, none extra
    "rente-som-hovedfordring": Proof(("CERT-FORDRING-EKSTRA",), ("forretningsomraader",)),
    "fakturerer-naeste-maaned": Proof(("CERT-FORDRING-UKENDT",), ALL),
    "ny-fordring-ved-rettelse": Proof(("CERT-BOOKET-ANTAL",), ("fejlliste",)),
    "opgiver-i-servicevindue": Proof(("CERT-TABT",), ("robusthed",)),
    "bogfoerer-ikke": Proof(("CERT-FINANS-IKKE-SENDT",), ("finans", "robusthed")),
    "bilag-to-gange": Proof(("CERT-FINANS-ANTAL",), ("finans", "robusthed")),
    "henter-ikke-kvittering": Proof(
        ("CERT-KVITTERING-IKKE-HENTET", "CERT-RETTELSE-MANGLER"), ("finans", "robusthed")
    ),
    "antager-masse-bogfoert": Proof(("CERT-KVITTERING-IKKE-HENTET",), ("finans",)),
    # corrections
    "samme-id-ved-rettelse": Proof(("CERT-RETTELSE-SAMME-ID",), ("finans", "robusthed")),
    "sender-uaendret-igen": Proof(("CERT-UAENDRET-GENSENDT",), ("finans", "robusthed")),
    "retter-ikke-periode": Proof(("CERT-RETTELSE-MANGLER",), ("finans",)),
    "antager-forrige-maaned-aaben": Proof(("CERT-RETTELSE-MANGLER",), ("finans",)),
    "ingen-rettelse-efter-godkendelse": Proof(("CERT-RETTELSE-EFTER-GODKENDELSE",), ("fejlliste",)),
    "altid-nedskrivning": Proof(("CERT-RETTELSE-EFTER-GODKENDELSE",), ("fejlliste",)),
    "nedskriver-nyt-beloeb": Proof(("CERT-RETTELSE-EFTER-GODKENDELSE",), ("fejlliste",)),
    # hand-over and what flows back
    "overdrager-igen": Proof(("CERT-OVERDRAGET-IGEN",), ("robusthed",)),
    "overdrager-aldrig": Proof(("CERT-IKKE-OVERDRAGET",), HANDING_OVER),
    "dobbelt-daekning": Proof(("CERT-IKKE-OVERDRAGET",), ("robusthed",)),
    "opdigtet-domsdato": Proof(("PSRM-533",), ("robusthed",)),  # PSRM: a judgment date in the future
    "laeser-ikke-postkasse": Proof(
        ("CERT-POSTKASSE-ULAEST", "CERT-SALDO-AFVIGER", "CERT-DAEKNING-MANGLER"), ("debitor", "robusthed")
    ),
}

# The life-of-a-case variants (suite livsforloeb), proven by tests/test_livsforloeb.py (CAUGHT there; this
# copy feeds the coverage page and is checked against it by tests/test_verdicts.py).
LIFE_PROOFS: dict[str, Proof] = {
    "afskriver-som-nedskrivning": Proof(("CERT-LIVSFORLOEB-TILSTAND",), ("livsforloeb",)),
    "betaling-som-nedskrivning": Proof(("CERT-LIVSFORLOEB-HOVEDSTOL",), ("livsforloeb",)),
    "direkte-betaling-ignoreres": Proof(
        ("CERT-LIVSFORLOEB-TILSTAND", "CERT-LIVSFORLOEB-RESTANCE"), ("livsforloeb",)
    ),
    "genbruger-endtoendid": Proof(("NK-ENDTOENDID-DUBLET",), ("livsforloeb",)),
    "genbruger-indbetalingsid": Proof(("DEB-INDBETALING-GENBRUGT",), ("livsforloeb",)),
    "genoptager-ikke": Proof(("CERT-LIVSFORLOEB-TILSTAND",), ("livsforloeb",)),
    "ignorerer-rettelse": Proof(("CERT-LIVSFORLOEB-HOVEDSTOL",), ("livsforloeb",)),
    "klage-ignoreres": Proof(("CERT-LIVSFORLOEB-TILSTAND",), ("livsforloeb",)),
    "medhaefter-glemmes": Proof(("CERT-MEDHAEFTER-MANGLER",), ("livsforloeb",)),
    "medhaefter-kun-paa-konto": Proof(("CERT-MEDHAEFTER-MANGLER",), ("livsforloeb",)),
    "medhaefter-som-partner": Proof(("CERT-MEDHAEFTER-MANGLER",), ("livsforloeb",)),
    "nedskriver-ved-fejl": Proof(("CERT-LIVSFORLOEB-TILSTAND",), ("livsforloeb",)),
    "ophoer-hele-maaneden": Proof(("CERT-LIVSFORLOEB-HOVEDSTOL",), ("livsforloeb",)),
    "opskriver-ikke": Proof(("CERT-LIVSFORLOEB-HOVEDSTOL",), ("livsforloeb",)),
    "s2s-fejl-med-virkningsdato": Proof(("PSRM-546",), ("livsforloeb",)),
    "s2s-forbudt-aarsagskode": Proof(("PSRM-571",), ("livsforloeb",)),
    "s2s-genindsender-efter-fejl": Proof(("CERT-LIVSFORLOEB-TILSTAND", "PSRM-602"), ("livsforloeb",)),
    "s2s-genindsender-nye-stamdata": Proof(("PSRM-542",), ("livsforloeb",)),
    "s2s-hoering-ubesvaret": Proof(("CERT-HOERING-UBESVARET",), ("livsforloeb",)),
    "s2s-indb-uden-virkningsdato": Proof(("PSRM-409",), ("livsforloeb",)),
    "s2s-indb-virkningsdato-frem": Proof(("PSRM-548",), ("livsforloeb",)),
    "s2s-medhaefter-glemmes": Proof(("CERT-MEDHAEFTER-MANGLER",), ("livsforloeb",)),
    "s2s-regu-med-virkningsdato": Proof(("PSRM-519",), ("livsforloeb",)),
    "s2s-reindgi-med-datoer": Proof(("PSRM-REINDGI-DATOER",), ("livsforloeb",)),
    "s2s-genindsender-uden-reindgi": Proof(("CERT-REINDGI-MANGLER",), ("livsforloeb",)),
    "udbetaler-kun-en-gang": Proof(("CERT-UDBETALING-ANTAL",), ("livsforloeb",)),
}

# Generated scenarios (suite matrix) a broken variant fails, with the check and code its first failure names:
# the data-driven scenarios catch the same defects for their own reason (tests/test_matrix.py runs them).
MATRIX_PROOFS: dict[str, dict[str, tuple[str, str]]] = {
    "ignorerer-rettelse": {
        "MAT-KFSKFRI-PERSON-RETNED-OIR": ("claim_after_events", "CERT-LIVSFORLOEB-HOVEDSTOL")
    },
    "opskriver-ikke": {"MAT-DFHUSLJ-PERSON-RETOP-OIR": ("claim_after_events", "CERT-LIVSFORLOEB-HOVEDSTOL")},
    "generisk-fordringstype": {
        "MAT-KFETAND-PERSON-INGEN-OIR": ("claim_matches_case", "CERT-FORKERT-FORDRINGSTYPE")
    },
    "sfo-som-daginstitution": {
        "MAT-KFSKFRI-FORAELDRE-INGEN-OIR": ("claim_matches_case", "CERT-FORKERT-FORDRINGSTYPE")
    },
    "hele-kroner": {"MAT-KLFRUNG-PERSON-INGEN-OIR": ("claim_matches_case", "CERT-STAMDATA-AFVIGER")},
    "periode-omvendt": {"MAT-KFBOTMO-PERSON-INGEN-OIR": ("oir_accepted", "PSRM-569")},
    "se-som-cvr": {"MAT-DFHUSLJ-CVR-INGEN-OIR": ("debtor_identified", "CERT-PART-AFVIGER")},
    "uden-se-nummer": {"MAT-CFFAKTU-EJER-INGEN-OIR": ("debtor_identified", "CERT-PART-AFVIGER")},
    "uden-fast-bopael-ignoreres": {
        "MAT-KTTIBAK-UFB-INGEN-OIR": ("no_fixed_address_marked", "CERT-UDEN-FAST-BOPAEL")
    },
    "medhaefter-glemmes": {"MAT-DFHUSLJ-AEGTEF-INGEN-OIR": ("co_debtors_liable", "CERT-MEDHAEFTER-MANGLER")},
    "s2s-medhaefter-glemmes": {
        "MAT-KFDAINS-FORAELDRE-INGEN-S2S": ("co_debtors_liable", "CERT-MEDHAEFTER-MANGLER")
    },
    "overdrager-aldrig": {"MAT-KFURSDP-PERSON-INGEN-OIR": ("psrm_status", "CERT-IKKE-OVERDRAGET")},
    "klage-ignoreres": {"MAT-KFBOTMO-PERSON-AFVIST-OIR": ("claim_after_events", "CERT-LIVSFORLOEB-TILSTAND")},
    "nedskriver-ved-fejl": {
        "MAT-KFERSMF-PERSON-FEJL-OIR": ("claim_after_events", "CERT-LIVSFORLOEB-TILSTAND")
    },
    "afskriver-som-nedskrivning": {
        "MAT-KLFRUNG-PERSON-AFSKREVET-OIR": ("claim_after_events", "CERT-LIVSFORLOEB-TILSTAND")
    },
    "direkte-betaling-ignoreres": {
        "MAT-KFRENAB-PERSON-DELBETALT-OIR": ("claim_after_events", "CERT-LIVSFORLOEB-RESTANCE")
    },
    "genbruger-endtoendid": {"MAT-CFFAKTU-CVR-UDBETALT-OIR": ("exchanges_accepted", "NK-ENDTOENDID-DUBLET")},
    "udbetaler-til-cvr": {"MAT-CFFAKTU-CVR-UDBETALT-OIR": ("exchanges_accepted", "NK-NEMKONTO-MANGLER")},
    "s2s-indb-uden-virkningsdato": {"MAT-CFFAKTU-PERSON-DELBETALT-S2S": ("exchanges_accepted", "PSRM-409")},
    "s2s-regu-med-virkningsdato": {"MAT-KFBOTMO-PERSON-OPHOER-S2S": ("exchanges_accepted", "PSRM-519")},
    "s2s-fejl-med-virkningsdato": {"MAT-KTTIBAK-PERSON-FEJL-S2S": ("exchanges_accepted", "PSRM-546")},
    "s2s-genindsender-uden-reindgi": {
        "MAT-KFDAINS-PERSON-AFVIST-S2S": ("reindgi_resubmitted", "CERT-REINDGI-MANGLER")
    },
}

# The outside team's set (varianter_udefra.py), proven by tests/test_varianter_udefra.py.
LIV = ("livsforloeb",)
UDEFRA_PROOFS: dict[str, Proof] = {
    "ophoer-dag-for-tidligt": Proof(("CERT-LIVSFORLOEB-HOVEDSTOL",), LIV),
    "klage-annullerer": Proof(("CERT-LIVSFORLOEB-TILSTAND", "OIR-FORDRING-TILSTAND"), LIV),
    "indbetaling-to-gange": Proof(("CERT-LIVSFORLOEB-RESTANCE",), LIV),
    "betalingsdato-i-dag": Proof(("CERT-BETALINGSDATO",), LIV),
    "s2s-indb-virkning-i-dag": Proof(("CERT-BETALINGSDATO",), LIV),
    "overdrager-betalt": Proof(("CERT-LIVSFORLOEB-TILSTAND",), LIV),
    "overdrager-under-klage": Proof(("OIR-FORDRING-TILSTAND",), LIV),
    "medhaefter-som-egen-fordring": Proof(("CERT-MEDHAEFTER-MANGLER",), LIV),
    "virksomhed-som-person": Proof(("SCHEMA-PATTERN",), ("fejlliste", "livsforloeb")),
    "cvr-som-se": Proof(("CERT-PART-AFVIGER",), ("fejlliste",)),
    "periode-til-naeste-maaned": Proof(("CERT-STAMDATA-AFVIGER",), HANDING_OVER),
    "gebyr-med-hver-regning": Proof(
        ("CERT-FORDRING-EKSTRA",), ("basis", "debitor", "fejlliste", "forretningsomraader", "livsforloeb")
    ),
    "beloeb-i-oere": Proof(("CERT-STAMDATA-AFVIGER",), ("basis", "forretningsomraader")),
    "reference-pr-debitor": Proof(("DEB-FORDRING-DUBLET",), ("basis",)),
    "negativ-opskrivning": Proof(("SCHEMA-RANGE",), ("debitor", "fejlliste", "livsforloeb")),
    "debet-kredit-byttet": Proof(("CERT-FINANS-KONTOSTRENG", "CERT-NULSUMTEST"), ("finans",)),
    "masse-som-straks": Proof(("CERT-FINANS-MASSE",), ("finans", "robusthed")),
    "henter-aldrig-massesvar": Proof(("CERT-KVITTERING-IKKE-HENTET",), ("finans", "robusthed")),
    "bilagid-pr-debitor": Proof(("CERT-FINANS-AFVIST",), ("finans",)),
    "bogfoerer-i-ydelsesmaaneden": Proof(
        ("ERP-PERIODE-LUKKET", "CERT-FINANS-AFVIST"), ("finans", "robusthed")
    ),
    "udbetaler-to-gange": Proof(("CERT-UDBETALING-ANTAL",), ("fejlliste", "livsforloeb")),
    "s2s-klage-som-fejl": Proof(("CERT-LIVSFORLOEB-TILSTAND", "PSRM-602"), LIV),
    "s2s-ophoer-som-indbetaling": Proof(("CERT-LIVSFORLOEB-HOVEDSTOL",), LIV),
    "s2s-overdrager-ved-forfald": Proof(("PSRM-SRB",), LIV),
    "s2s-hoering-uden-begrundelse": Proof(("CERT-HOERING-UBESVARET",), LIV),
}
