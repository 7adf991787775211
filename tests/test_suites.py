"""Each built-in suite passes the reference fagsystem and catches its broken variants, each for its reason."""

from __future__ import annotations

import subprocess
import sys

import pytest
from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.contracts.schemas import load_reference
from testkommune.harness.certify.checks import service_types
from testkommune.harness.certify.runner import Runner
from testkommune.harness.certify.suite import builtin_suites, load_suite
from testkommune.harness.inprocess import InProcessKommune
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.scenarios.fagsystemer.foraeldrebetaling import FORDRINGSTYPE

from tests.fagsystem_stubs import OnlyDebitor

# suite → variant → {scenario that must fail: (first failing check, its code)}; every other scenario passes.
# A list names alternatives: a duplicate booking is refused by the debitor system's duplicate rule where it
# has one (DEB-FORDRING-DUBLET), else it is booked twice and counted (CERT-BOOKET-ANTAL).
DUPLICATE = [("oir_accepted", "DEB-FORDRING-DUBLET"), ("booked_once", "CERT-BOOKET-ANTAL")]
Expected = tuple[str, str] | list[tuple[str, str]]
ERP_PROFILES = [p["id"] for p in load_reference("erpprofiler.json")["profiles"]]


def _per_erp(scenarios: tuple[str, ...], expected: Expected) -> dict[str, Expected]:
    """The scenarios and their copy per ERP profile, each expected to fail alike."""
    return {f"{s}{suffix}": expected for s in scenarios for suffix in ("", *(f"-{p}" for p in ERP_PROFILES))}


CAUGHT: dict[str, dict[str, dict[str, Expected]]] = {
    "basis": {
        "periode-omvendt": {f"BASIS-0{n}": ("oir_accepted", "PSRM-569") for n in range(1, 4)},
        "nyt-id-ved-genforsoeg": {"BASIS-02": DUPLICATE},
        "overdrager-foer-srb": {
            "BASIS-01": ("psrm_no_rejections", "PSRM-SRB"),
            "BASIS-03": ("psrm_no_rejections", "PSRM-SRB"),
        },
    },
    "forretningsomraader": {
        "generisk-fordringstype": {
            f"OMR-0{n}": ("claim_matches_case", "CERT-FORKERT-FORDRINGSTYPE") for n in range(1, 9)
        },
        "gebyr-som-hovedfordring": {
            "OMR-06": ("oir_accepted", "PSRM-201"),
            "OMR-07": ("oir_accepted", "PSRM-201"),
        },
    },
    "finans": {  # FIN-01, -02, -04 and -05 run once more per ERP profile (`per_erpprofil`): each fails alike
        "ubalanceret-bilag": {
            **_per_erp(("FIN-01", "FIN-02"), ("finans_accepted", "ERP-BILAG-UBALANCE")),
            "FIN-03": ("finans_accepted", "ERP-BILAG-UBALANCE"),
            **_per_erp(("FIN-04",), ("finans_corrected_at_source", "CERT-RETTELSE-MANGLER")),
            **_per_erp(("FIN-05",), ("nulsumtest", "CERT-NULSUMTEST")),
        },
        "ukendt-sortiment": {
            **_per_erp(("FIN-01", "FIN-02"), ("finans_accepted", "ERP-SORTIMENTSVAERDI-UKENDT")),
            "FIN-03": ("finans_accepted", "ERP-SORTIMENTSVAERDI-UKENDT"),
            **_per_erp(("FIN-04",), ("finans_corrected_at_source", "CERT-RETTELSE-MANGLER")),
            **_per_erp(("FIN-05",), ("nulsumtest", "CERT-NULSUMTEST")),
        },
        "henter-ikke-kvittering": {
            **_per_erp(("FIN-02",), ("finans_answer_fetched", "CERT-KVITTERING-IKKE-HENTET")),
            "FIN-03": ("finans_answer_fetched", "CERT-KVITTERING-IKKE-HENTET"),
        },
        # takes a masse bilag still under behandling as booked: caught against every ERP's processing time
        "antager-masse-bogfoert": _per_erp(
            ("FIN-02",), ("finans_answer_fetched", "CERT-KVITTERING-IKKE-HENTET")
        ),
        "samme-id-ved-rettelse": _per_erp(
            ("FIN-04",), ("finans_corrected_at_source", "CERT-RETTELSE-SAMME-ID")
        ),
        "sender-uaendret-igen": _per_erp(
            ("FIN-04",), ("finans_corrected_at_source", "CERT-UAENDRET-GENSENDT")
        ),
        # never corrects a period rejection: caught in every copy, on the day its profile closes the month
        "retter-ikke-periode": _per_erp(("FIN-04",), ("finans_corrected_at_source", "CERT-RETTELSE-MANGLER")),
        # assumes last month is always open: caught only where the profile keeps no earlier month open
        "antager-forrige-maaned-aaben": {
            "FIN-04-ERP-KVANTUM": ("finans_corrected_at_source", "CERT-RETTELSE-MANGLER")
        },
    },
    "robusthed": {
        "sender-uaendret-igen": {"ROB-01": ("finans_corrected_at_source", "CERT-UAENDRET-GENSENDT")},
        "samme-id-ved-rettelse": {"ROB-01": ("finans_corrected_at_source", "CERT-RETTELSE-SAMME-ID")},
        "overdrager-igen": {
            "ROB-02": ("handed_over_once", "CERT-OVERDRAGET-IGEN"),
            "ROB-04": ("handed_over_once", "CERT-OVERDRAGET-IGEN"),
        },
        "nyt-id-ved-genforsoeg": {"ROB-03": [*DUPLICATE[:1], ("nothing_lost", "CERT-BOOKET-ANTAL")]},
        "opgiver-i-servicevindue": {"ROB-05": ("nothing_lost", "CERT-TABT")},
        "henter-ikke-kvittering": {
            "ROB-01": ("finans_corrected_at_source", "CERT-RETTELSE-MANGLER"),
            "ROB-03": ("finans_answer_fetched", "CERT-KVITTERING-IKKE-HENTET"),
        },
        # counts a duplicated modregning twice, thinks the claim paid and never hands the rest over
        "dobbelt-daekning": {"ROB-06": ("psrm_status", "CERT-IKKE-OVERDRAGET")},
    },
    "fejlliste": {
        "direkte-til-inddrivelse": {"FEJL-01": ("psrm_no_rejections", "PSRM-SRB")},
        "overdrager-foer-srb": {"FEJL-01": ("psrm_no_rejections", "PSRM-SRB")},
        "se-som-cvr": {"FEJL-02": ("debtor_identified", "CERT-PART-AFVIGER")},
        "uden-fast-bopael-ignoreres": {"FEJL-03": ("no_fixed_address_marked", "CERT-UDEN-FAST-BOPAEL")},
        "ny-fordring-ved-rettelse": {"FEJL-04": ("claim_corrected", "CERT-BOOKET-ANTAL")},
        "udbetaler-til-cvr": {"FEJL-05": ("paid_to_payee", "NK-NEMKONTO-MANGLER")},
        "ingen-rettelse-efter-godkendelse": {
            "FEJL-04": ("claim_corrected", "CERT-RETTELSE-EFTER-GODKENDELSE")
        },
    },
    "debitor": {
        "laeser-ikke-postkasse": {
            "DEB-02": ("mailbox_read", "CERT-POSTKASSE-ULAEST"),
            "DEB-03": ("mailbox_read", "CERT-POSTKASSE-ULAEST"),
            "DEB-04": ("mailbox_read", "CERT-POSTKASSE-ULAEST"),
            "DEB-05": ("mailbox_read", "CERT-POSTKASSE-ULAEST"),
        },
        "overdrager-under-rykker": {"DEB-01": ("handover_after_rykker", "CERT-OVERDRAGET-UNDER-RYKKER")},
    },
    # every variant of the life of a case, scenario by scenario: tests/test_livsforloeb.py
    "livsforloeb": {"klage-ignoreres": {"LIV-06": ("claim_after_events", "CERT-LIVSFORLOEB-TILSTAND")}},
}
OWN_CODE = {  # the defect a variant carries, named among the failures of every scenario that catches it
    "ubalanceret-bilag": "ERP-BILAG-UBALANCE",
    "ukendt-sortiment": "ERP-SORTIMENTSVAERDI-UKENDT",
    "henter-ikke-kvittering": "CERT-KVITTERING-IKKE-HENTET",
    "antager-masse-bogfoert": "CERT-KVITTERING-IKKE-HENTET",
    "udbetaler-til-cvr": "CERT-PART-AFVIGER",
}


@pytest.fixture(scope="module")
def kommune():
    with InProcessKommune() as running:
        yield running


def _run(kommune, suite: str, variant: str):
    return Runner(
        load_suite(suite), VARIANTS[variant](), KommuneConnection(kommune.base_url, "851", variant)
    ).run()


def test_every_builtin_suite_has_a_broken_variant_it_catches():
    # the generated suite (hundreds of scenarios) is proven scenario by scenario: tests/test_matrix.py
    assert set(builtin_suites()) - {"matrix"} == set(CAUGHT)
    assert all(CAUGHT[suite] for suite in CAUGHT)


@pytest.mark.parametrize("suite", sorted(CAUGHT))
def test_the_reference_passes(kommune, suite):
    result = _run(kommune, suite, "reference")
    assert result.passed, [(s.scenario_id, [f.code for f in s.failures]) for s in result.scenarios]


@pytest.mark.parametrize(
    ("suite", "variant"), [(suite, variant) for suite in sorted(CAUGHT) for variant in sorted(CAUGHT[suite])]
)
def test_each_broken_variant_fails_for_its_own_reason(kommune, suite, variant):
    result = _run(kommune, suite, variant)
    failed = {
        s.scenario_id: (s.failures[0].check, s.failures[0].code)
        for s in result.scenarios
        if s.outcome not in ("passed", "not_supported")  # not supported: outside what the fagsystem declared
    }
    wanted = CAUGHT[suite][variant]
    assert set(failed) == set(wanted)
    for scenario_id, first in failed.items():
        allowed = wanted[scenario_id]
        assert first in (allowed if isinstance(allowed, list) else [allowed]), (scenario_id, first)
    for scenario in result.scenarios:
        if scenario.outcome in ("failed", "error"):
            first = scenario.failures[0]
            assert first.text_da and first.text_en and first.fix_en and first.field
            if variant in OWN_CODE:
                assert OWN_CODE[variant] in {f.code for f in scenario.failures}, scenario.scenario_id


def test_a_scenario_needing_an_action_the_fagsystem_lacks_is_a_clear_error(kommune):
    connection = KommuneConnection(kommune.base_url, "851", "only-debitor")
    result = Runner(load_suite("finans"), OnlyDebitor(), connection).run(only=["FIN-01"])
    outcome = result.scenarios[0]
    assert outcome.outcome == "not_supported"
    assert outcome.failures[0].code == "CERT-IKKE-UNDERSTOETTET"
    assert "post_finans" in (outcome.error or "") and "not support" in (outcome.error or "")
    assert Runner(load_suite("basis"), OnlyDebitor(), connection).run(only=["BASIS-01"]).passed


def test_the_checks_read_what_arrived_not_what_the_fagsystem_says(kommune):
    """A bilag booked on the wrong kontostreng fails finans_booked_on even though the ERP booked it."""
    suite = load_suite("finans")
    reference = VARIANTS["reference"]()
    original = reference.finans_linjer

    def on_another_institution(case):
        lines = original(case)
        lines[1]["Sortiment"] = lines[1]["Sortiment"] | {"Ydelsestype": "BOERNEHAVE"}
        return lines

    reference.finans_linjer = on_another_institution  # type: ignore[method-assign]
    result = Runner(suite, reference, KommuneConnection(kommune.base_url, "851", "wrong-konto")).run(
        only=["FIN-01"]
    )
    first = result.scenarios[0].failures[0]
    assert (first.check, first.code) == ("finans_booked_on", "CERT-FINANS-KONTOSTRENG")
    assert first.expected == "5.25.14/1/001/7.2" and first.actual.startswith("5.25.13/1/001/7.2")


def test_each_service_maps_to_an_active_municipal_fordringstype_and_the_reference_knows_it():
    for service, codes in service_types().items():
        for code in codes:
            known = fordringstyper().get(code)
            assert known is not None and known.kommunal and known.aktiv, (service, code)
        assert FORDRINGSTYPE[service] in codes


def test_testkommune_suites_lists_the_new_suites_and_variants(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "testkommune.harness", "suites"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in ("finans:", "robusthed:", "fejlliste:", "FIN-05", "ROB-05", "FEJL-03", "OMR-08"):
        assert name in result.stdout
    for variant in CAUGHT["robusthed"]:
        assert variant in result.stdout
