"""The pytest plugin, as a vendor uses it in its own test suite."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


def test_the_inprocess_kommune_captures_only_its_own_url_and_only_in_its_test(pytester):
    pytester.makepyfile(
        """
        import http.server, threading
        import pytest, requests
        from testkommune.harness.pytest_plugin import certification_tests

        @pytest.fixture(scope="session")
        def other_service():
            server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            yield f"http://127.0.0.1:{server.server_address[1]}/"
            server.shutdown()

        test_basis = certification_tests("basis", "reference")

        def test_inside_both_the_kommune_and_other_services_answer(testkommune_inprocess, other_service):
            assert requests.get(testkommune_inprocess.base_url + "/admin/health", timeout=5).ok
            assert requests.get(other_service, timeout=5).status_code == 200

        def test_later_tests_reach_the_network_as_usual(other_service):
            assert requests.get(other_service, timeout=5).status_code == 200
        """
    )
    result = pytester.runpytest_subprocess("-p", "testkommune", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=5)


def test_certification_tests_take_the_cli_names_and_write_the_clis_reports(pytester):
    pytester.makepyfile("from testkommune.harness.pytest_plugin import certification_tests\n"
                        "test_basis = certification_tests('basis', 'reference')\n")  # fmt: skip
    result = pytester.runpytest_subprocess(
        "-p", "testkommune", "-W", "ignore::DeprecationWarning", "--testkommune-vendor", "Acme A/S"
    )
    result.assert_outcomes(passed=3)
    reports = pytester.path / "testkommune-reports"
    report = json.loads((reports / "basis-foraeldrebetaling.json").read_text("utf-8"))
    assert report["verdict"] == "PASSED" and report["counts"] == {
        "passed": 3,
        "failed": 0,
        "error": 0,
        "not_supported": 0,
    }
    assert (reports / "basis-foraeldrebetaling.xml").is_file()
    assert "Acme A/S" in (reports / "basis-foraeldrebetaling.html").read_text("utf-8")
    verified = subprocess.run(
        [sys.executable, "-m", "testkommune.harness", "verify", str(reports / "basis-foraeldrebetaling.bevis")],  # noqa: E501
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert verified.returncode == 0 and "VERIFIED" in verified.stdout, verified.stdout + verified.stderr


def test_an_unknown_fagsystem_name_is_refused_with_a_suggestion(pytester):
    pytester.makepyfile("from testkommune.harness.pytest_plugin import certification_tests\n"
                        "test_basis = certification_tests('basis', 'refrence')\n")  # fmt: skip
    result = pytester.runpytest_subprocess("-p", "testkommune", "-W", "ignore::DeprecationWarning")
    result.stdout.fnmatch_lines(["*unknown fagsystem 'refrence'. Did you mean 'reference'?*"])


def test_the_marker_is_registered_and_selects_the_certification_items(pytester):
    pytester.makepyfile("from testkommune.harness.pytest_plugin import certification_tests\n"
                        "test_basis = certification_tests('basis', 'reference')\n"
                        "def test_other():\n    pass\n")  # fmt: skip
    markers = pytester.runpytest_subprocess("-p", "testkommune", "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.testkommune(suite, scenario):*"])
    chosen = pytester.runpytest_subprocess(
        "-p", "testkommune", "--strict-markers", "-m", "testkommune", "--collect-only", "-q"
    )
    chosen.stdout.fnmatch_lines(["*3/4 tests collected (1 deselected)*"])


def test_every_fixture_has_a_docstring(pytester):
    result = pytester.runpytest_subprocess("-p", "testkommune", "--fixtures")
    text = result.stdout.str()
    for name in ("testkommune", "testkommune_connection", "testkommune_admin", "testkommune_inprocess"):
        block = text.split(f"\n{name} ", 1)[1].split("\n\n", 1)[0]
        assert "no docstring available" not in block, block


def test_a_testkommune_url_without_scheme_or_answer_stops_the_session_in_one_line(pytester):
    pytester.makepyfile("def test_x(testkommune):\n    pass\n")
    for url, message in [
        ("127.0.0.1:8585", "*--testkommune-url '127.0.0.1:8585' is not an http(s) URL*"),
        (
            "http://127.0.0.1:9",
            "*the test kommune at http://127.0.0.1:9 did not answer (connection refused)*",
        ),
    ]:
        result = pytester.runpytest_subprocess("-p", "testkommune", "--testkommune-url", url)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines([message])
        assert "Traceback" not in result.stderr.str()
