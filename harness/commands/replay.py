"""`testkommune replay`: reproduce one failure of a certification report after the run is over.

The report's curl lines name a test kommune that was gone when the run ended. Replay starts a new one,
restores the tenant's state by running the failing scenario again with the report's suite, seed and
fagsystem, and sends the failing message again, so the answer can be read (and, with --serve, the message
sent by hand for as long as it keeps serving). The message sent is the one the fagsystem sent again in the
restored run (the report's copy masks personal data). A run driven by the observe or interactive driver
cannot be re-run without its people; replay then says so and sends the message to a fresh tenant.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from testkommune.contracts.errors import UsageError
from testkommune.harness.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_db_option,
    console,
    epilog,
    port,
    resolve_fagsystem,
    store_url,
    suggest,
)

HELP = "reproduce a failure of a certification report: a new kommune, the state, the message again"
DESCRIPTION = (
    "Start a test kommune, restore the state of the failing scenario (it runs again with the report's "
    "suite, seed and fagsystem) and send the failing message again; prints the answer. FAILURE is a "
    "scenario id (its first failure) or SCENARIO:N (its N-th failure). Exit 0 when the failure is "
    "reproduced, 1 when it is not (the fagsystem or the test kommune changed)."
)
EXAMPLES = """\
  testkommune replay testkommune-reports/basis-foraeldrebetaling-periode-omvendt.json BASIS-01
  testkommune replay report.json BASIS-02:2 --serve --port 8600"""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("replay", help=HELP, description=DESCRIPTION, epilog=epilog(EXAMPLES))
    parser.add_argument("report", type=Path, help="a certification JSON report (<suite>-<fagsystem>.json)")
    parser.add_argument("failure", help="SCENARIO-ID or SCENARIO-ID:N (the N-th failure, from 1)")
    add_db_option(parser)
    parser.add_argument("--serve", action="store_true", help="keep the test kommune serving until Ctrl-C")
    parser.add_argument("--port", type=port, default=0, help="with --serve: port (default: a free one)")


@dataclass(frozen=True)
class Message:
    """One exchange of a report's reproduce line: what to send where."""

    method: str
    path: str
    headers: dict[str, str]
    body: str


def read_report(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", hint="give a certify JSON report") from None
    except ValueError:
        raise UsageError(f"{path} is not JSON", hint="give the .json report certify wrote") from None
    if not isinstance(doc, dict) or "scenarios" not in doc or "suite_id" not in doc:
        raise UsageError(f"{path} is not a certification report", hint="give the .json report certify wrote")
    return doc


def pick_failure(doc: dict[str, Any], wanted: str) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The scenario and the failure `wanted` names (SCENARIO or SCENARIO:N), with N."""
    scenario_id, _, number = wanted.partition(":")
    failing = {s["scenario_id"]: s for s in doc["scenarios"] if s["outcome"] != "passed"}
    if scenario_id not in failing:
        listed = ", ".join(failing) or "none: every scenario passed"
        raise UsageError(
            f"the report has no failing scenario {scenario_id}.{suggest(scenario_id, failing)}",
            hint=f"failing scenarios: {listed}",
        )
    scenario = failing[scenario_id]
    failures = scenario["failures"]
    if not number:
        index = next((i for i, f in enumerate(failures) if f.get("reproduce")), 0)
    elif number.isdigit() and 1 <= int(number) <= len(failures):
        index = int(number) - 1
    else:
        raise UsageError(f"{scenario_id} has failures 1 to {len(failures)}, not {number!r}")
    if not failures:
        return scenario, {}, 0
    return scenario, failures[index], index + 1


def parse_curl(line: str, old_base: str) -> Message:
    """The message of a reproduce line (`curl -sS -X M URL -H … --data BODY`), its URL made relative."""
    words = shlex.split(line)
    method, url, headers, body = "POST", "", {}, ""
    for flag, value in zip(words, [*words[1:], ""], strict=True):
        if flag == "-X":
            method = value
        elif flag == "-H":
            name, _, text = value.partition(":")
            headers[name.strip()] = text.strip()
        elif flag == "--data":
            body = value
        elif flag.startswith(("http://", "https://")):
            url = flag
    if "Authorization" in headers:
        token = os.environ.get("TESTKOMMUNE_TOKEN")
        headers.pop("Authorization")
        if token:
            headers["Authorization"] = f"Bearer {token}"
    path = url[len(old_base) :] if url.startswith(old_base) else "/" + url.split("/", 3)[-1]
    return Message(method, path, headers, body)


def run(args: argparse.Namespace, stdout: IO[str]) -> int:
    from testkommune.harness.server import start_in_thread

    doc = read_report(args.report)
    scenario, failure, number = pick_failure(doc, args.failure)
    out = console(stdout)
    out.print(
        f"Replaying {scenario['scenario_id']} failure {number}: {failure.get('code', scenario.get('error'))}"
    )
    with start_in_thread(store_url(args.db), port=args.port if args.serve else 0) as kommune:
        reproduced = _restore(doc, scenario, failure, kommune.base_url, out)
        message = None
        if failure.get("reproduce"):
            message = _as_restored(
                parse_curl(failure["reproduce"], doc["base_url"]), doc, kommune.base_url, out
            )
            _send(message, kommune.base_url, out)
        else:
            out.print("  this failure was judged from the test kommune's state, not from one message:")
        tenant = f"{kommune.base_url}/admin/tenants/{doc['kommune']}/{doc['system']}"
        out.print(f"  state: {tenant}/state   journal: {tenant}/journal")
        if args.serve:
            _serve_until_interrupted(message, kommune.base_url, out)
    return EXIT_OK if reproduced else EXIT_FAILED


def _restore(
    doc: dict[str, Any], scenario: dict[str, Any], failure: dict[str, Any], base_url: str, out: Any
) -> bool:
    """Run the scenario again in the report's tenant; was the failure's code seen again?"""
    from testkommune.contracts.driver import KommuneConnection
    from testkommune.harness.certify.runner import Runner
    from testkommune.harness.certify.suite import load_suite

    spec = str(doc.get("fagsystem_spec") or doc["fagsystem"])
    fagsystem = _fagsystem(spec, out)
    if fagsystem is None:
        return False
    suite = load_suite(doc["suite_id"])
    connection = KommuneConnection(base_url, doc["kommune"], doc["system"])
    runner = Runner(suite, fagsystem, connection, seed=int(doc["seed"]), fagsystem_spec=spec)
    again = runner.run(only=[scenario["scenario_id"]]).scenarios[0]
    codes = [f.code for f in again.failures]
    reproduced = again.outcome != "passed" and (not failure or failure.get("code") in codes)
    word = "reproduced" if reproduced else "NOT reproduced"
    out.print(
        f"  state restored: {scenario['scenario_id']} ran again ({again.outcome}; codes {codes}): {word}"
    )
    return reproduced


def _fagsystem(spec: str, out: Any) -> Any:
    """The report's fagsystem made to act again, or None when only people can (observe, interactive)."""
    if spec.startswith("<http "):
        from testkommune.harness.commands.certify import trigger_driver

        return trigger_driver(spec[len("<http ") : -1])
    if spec.startswith("<"):
        out.print(
            f"  the run was driven by {spec}: replay cannot make that system act again; the state is NOT "
            "restored, the message goes to a fresh tenant"
        )
        return None
    return resolve_fagsystem(spec)


def _as_restored(message: Message, doc: dict[str, Any], base_url: str, out: Any) -> Message:
    """The message as the fagsystem sent it again in the restored run (the report's copy masks personal
    data, so it is used only when the run could not be restored)."""
    from testkommune.harness.certify.client import AdminClient

    journal = AdminClient(base_url, doc["kommune"], doc["system"]).journal()
    same = [
        e for e in journal if e["path"] == message.path and e["method"] == message.method and e["request"]
    ]
    if not same:
        out.print("  (the report's copy of the message: personal data in it is masked)")
        return message
    return replace(message, body=same[-1]["request"])


def _send(message: Message, base_url: str, out: Any) -> None:
    import requests

    response = requests.request(
        message.method,
        base_url + message.path,
        data=message.body.encode(),
        headers=message.headers,
        timeout=30,
    )
    out.print(f"  sent again: {message.method} {message.path} → {response.status_code}")
    try:
        shown = json.dumps(response.json(), ensure_ascii=False, indent=2)
    except ValueError:
        shown = response.text
    out.print(shown[:4000], markup=False)


def curl_of(message: Message, base_url: str) -> str:
    """The message as one curl command against `base_url`."""
    headers = " ".join(f"-H {shlex.quote(f'{k}: {v}')}" for k, v in message.headers.items())
    url = shlex.quote(base_url + message.path)
    return f"curl -sS -X {message.method} {url} {headers} --data {shlex.quote(message.body)}"


def _serve_until_interrupted(message: Message | None, base_url: str, out: Any) -> None:
    import threading

    if message is not None:
        line = curl_of(message, base_url)
        out.print(f"Serving at {base_url}; send it again by hand (Ctrl-C stops):\n{line}", markup=False)
    else:
        out.print(f"Serving at {base_url} (Ctrl-C stops)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        out.print("stopped")
