"""The pytest plugin, as a vendor uses it in its own test suite."""

from __future__ import annotations

pytest_plugins = ["pytester"]


def test_vendor_tests_get_a_running_test_kommune(pytester):
    pytester.makepyfile(
        """
        from datetime import date
        from testkommune.scenarios.fagsystemer import Foraeldrebetaling
        from testkommune.contracts.model import BillingCase, Party
        from decimal import Decimal

        def test_my_fagsystem_bills(testkommune_connection, testkommune_admin):
            system = Foraeldrebetaling()
            system.connect(testkommune_connection)
            debtor = Party("person", "1111111118", "Test Testesen")
            case = BillingCase("C1", "daginstitution", debtor, Decimal("3200.00"), date(2026, 11, 1),
                               date(2026, 11, 30), "nov")
            system.bill(case, testkommune_admin.today())
            claims = testkommune_admin.state()["debitor"]["claims"]
            assert [c["FordringTilstand"] for c in claims] == ["OPKRAEVNING"]

        def test_each_test_starts_clean(testkommune_admin):
            assert testkommune_admin.state()["debitor"]["claims"] == []
            assert testkommune_admin.today() == date(2026, 10, 1)
        """
    )
    result = pytester.runpytest_subprocess("-p", "testkommune", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=2)


def test_every_scenario_is_a_pytest_item_with_the_certification_verdict(pytester):
    pytester.makepyfile(
        """
        from testkommune.harness.pytest_plugin import certification_tests

        test_reference = certification_tests("basis", "testkommune.scenarios.fagsystemer:Foraeldrebetaling")
        test_broken = certification_tests("basis", "testkommune.scenarios.fagsystemer:OverdragerFoerSRB")
        """
    )
    result = pytester.runpytest_subprocess("-p", "testkommune", "-v", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(["*test_reference?BASIS-01? PASSED*", "*test_broken?BASIS-01? FAILED*"])
    result.stdout.fnmatch_lines(["*PSRM-SRB at *DMIFordringSRBDato*"])
