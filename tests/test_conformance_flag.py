"""`certify --conformance FILE`: a conformance statement for the drivers whose system cannot declare one
itself, so e.g. the observation driver certifies the direct role; checked against its JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

from testkommune.contracts.driver import FEATURES, OPTIONAL_ACTIONS, ROLES
from testkommune.contracts.events import BUSINESS_EVENTS
from testkommune.contracts.schemas import contract_set
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.scenarios.fagsystemer.agent import ScriptFollower
from testkommune.scenarios.fagsystemer.s2s import S2S_EVENTS

from tests.test_evidence import run_cli


def test_the_contract_names_exactly_the_roles_and_capabilities_the_driver_protocol_knows():
    properties = contract_set().raw["harness/conformance"]["properties"]
    assert set(properties["role"]["enum"]) == set(ROLES)
    assert set(properties["events"]["items"]["enum"]) == {*OPTIONAL_ACTIONS, *BUSINESS_EVENTS, *FEATURES}


def test_help_documents_the_flag(tmp_path: Path):
    done = run_cli("certify", "--help", cwd=tmp_path)
    assert (
        done.returncode == 0 and "--conformance FILE" in done.stdout and "harness/conformance" in done.stdout
    )


def test_the_observation_driver_certifies_the_direct_role_from_a_statement_file(kommune, tmp_path: Path):
    statement = tmp_path / "statement.yaml"  # YAML; JSON is YAML too
    statement.write_text(f"role: psrm-s2s\nevents: {json.dumps(sorted(S2S_EVENTS))}\n", "utf-8")
    script = tmp_path / "script.jsonl"
    with ScriptFollower(script, VARIANTS["reference-s2s"]()) as follower:
        done = run_cli(
            *("certify", "--driver", "observe", "--script", str(script), "--wait", "20"),
            *("--conformance", str(statement), "--url", kommune.base_url, "--system", "conformance-flag"),
            *("--suite", "livsforloeb", "--scenario", "LIV-01", "--scenario", "LIV-17"),
            *("--report-dir", str(tmp_path / "reports")),
            cwd=tmp_path,
        )
    assert follower.errors == []
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    report = json.loads(next((tmp_path / "reports").glob("livsforloeb-*.json")).read_text("utf-8"))
    bundle = next((tmp_path / "reports").glob("livsforloeb-*.bevis"))
    statement_signed = json.loads((bundle / "statement.json").read_text("utf-8"))
    assert statement_signed["declared"] == {"role": "psrm-s2s", "events": sorted(S2S_EVENTS)}
    outcomes = {s["scenario_id"]: s["outcome"] for s in report["scenarios"]}
    assert outcomes == {"LIV-01": "not_supported", "LIV-17": "passed"}  # LIV-01 is of the ØiR role


def test_a_statement_that_breaks_its_contract_is_refused_with_every_path(tmp_path: Path):
    statement = tmp_path / "statement.json"
    statement.write_text(json.dumps({"role": "psrm", "events": ["debtor_paid", "bogus"]}), "utf-8")
    done = run_cli(
        *("certify", "--driver", "observe", "--conformance", str(statement), "--db", ":memory:"),
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "$.role" in done.stderr and "$.events[1]" in done.stderr and "harness/conformance" in done.stderr


def test_a_python_fagsystem_declares_its_own_statement(tmp_path: Path):
    statement = tmp_path / "statement.json"
    statement.write_text('{"role": "oir"}', "utf-8")
    done = run_cli(
        *("certify", "--fagsystem", "reference", "--conformance", str(statement), "--db", ":memory:"),
        cwd=tmp_path,
    )
    assert (
        done.returncode == 2 and "--conformance is for --driver observe, interactive or http" in done.stderr
    )


def test_the_statement_file_replaces_what_a_trigger_endpoint_declares(kommune, tmp_path: Path):
    from testkommune.scenarios.fagsystemer.trigger import trigger_app

    from tests.test_drivers import _Served

    statement = tmp_path / "statement.json"
    statement.write_text('{"role": "psrm-s2s", "events": []}', "utf-8")
    with _Served(trigger_app(VARIANTS["reference"]())) as url:  # the trigger itself declares the ØiR role
        run_cli(
            *("certify", "--driver", "http", "--trigger-url", url, "--conformance", str(statement)),
            *("--url", kommune.base_url, "--system", "conformance-http", "--suite", "livsforloeb"),
            *("--scenario", "LIV-01", "--report-dir", str(tmp_path / "reports")),
            cwd=tmp_path,
        )
    bundle = next((tmp_path / "reports").glob("livsforloeb-*.bevis"))
    assert json.loads((bundle / "statement.json").read_text("utf-8"))["declared"] == {
        "role": "psrm-s2s",
        "events": [],
    }
    report = json.loads(next((tmp_path / "reports").glob("livsforloeb-*.json")).read_text("utf-8"))
    assert [(s["scenario_id"], s["outcome"]) for s in report["scenarios"]] == [("LIV-01", "not_supported")]
