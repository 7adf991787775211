"""Drivers other than a Python object: how the harness makes a vendor's system act. None changes a verdict.

- `HttpTriggerDriver`: the harness asks the vendor's trigger endpoint to produce a case and waits for it.
- `ObservationDriver`: the vendor's system acts on its own, following a published test script; the harness
  waits until what the script asked for has arrived (correlating by debtor and period) and goes on.
- `InteractiveDriver`: the harness prints what to do and waits for a person to confirm.

The trigger protocol (contract `contracts/harness/trigger/`, walkthrough docs/trigger.md):
`GET {url}/` → `{"name",
"version"}`; `POST {url}/connect` with the KommuneConnection; `POST {url}/bill` with `{"case", "today"}`;
`POST {url}/daily` with `{"today"}`. A 2xx answer means done. Optional actions: `POST {url}/finans` with
`{"cases", "today", "masse"}`, `POST {url}/correct` with `{"case", "today"}`, `POST {url}/pay_out` with
`{"cases", "today"}`; business events (contracts/events.py): `POST {url}/event` with `{"case", "event",
"today"}`, the event as `{"event": name, ...its fields}`. A 404, 405 or 501 answer means the vendor's system
does not offer the action. `GET {url}/` may also name the system's conformance statement: `"role"` (`oir` or
`psrm-s2s`) and `"events"` (the events and features it declares); without them every action is tried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import IO, Any

import requests
from testkommune.contracts.codec import case_to_json
from testkommune.contracts.driver import ActionNotSupportedError, ConformanceStatement, KommuneConnection
from testkommune.contracts.errors import FagsystemError
from testkommune.contracts.events import BusinessEvent, event_to_json
from testkommune.contracts.model import BillingCase
from testkommune.harness.certify.client import AdminClient
from testkommune.harness.certify.driver_events import BusinessEvents, tell
from testkommune.harness.certify.trigger_contract import trigger_answer


class DriverError(FagsystemError):
    """The vendor's system did not do what the driver asked (no answer, an error, or a timeout)."""


NOT_OFFERED = {404, 405, 501}


case_json = case_to_json


def _declared(info: dict[str, Any]) -> ConformanceStatement | None:
    """The conformance statement a trigger endpoint or a script's operator declared, if any."""
    if "events" not in info and "role" not in info:
        return None
    return ConformanceStatement(str(info.get("role", "oir")), frozenset(map(str, info.get("events", ()))))


class HttpTriggerDriver(BusinessEvents):
    """Drives a vendor's system through its trigger endpoint."""

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        info = self._call("GET", "/")
        self.name = str(info.get("name", "http-trigger"))
        self.version = str(info.get("version", "unknown"))
        self.conformance = _declared(info)

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, optional: str | None = None
    ) -> dict[str, Any]:
        try:
            response = self.session.request(method, self.url + path, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise DriverError(f"trigger endpoint {self.url}{path} did not answer: {exc}") from exc
        if optional and response.status_code in NOT_OFFERED:
            raise ActionNotSupportedError(optional, path.strip("/"), self.name)
        if not response.ok:
            raise DriverError(
                f"trigger endpoint {self.url}{path} answered {response.status_code}: {response.text[:200]}"
            )
        answer, problems = trigger_answer(response, "info" if path == "/" else "answer")
        if problems:  # contract harness/trigger (docs/trigger.md)
            raise DriverError(
                f"trigger endpoint {self.url}{path} broke the trigger protocol: {'; '.join(problems)}"
            )
        return answer

    def connect(self, kommune: KommuneConnection) -> None:
        self._call("POST", "/connect", asdict(kommune))

    def bill(self, case: BillingCase, today: date) -> None:
        self._call("POST", "/bill", {"case": case_json(case), "today": today.isoformat()})

    def run_daily(self, today: date) -> None:
        self._call("POST", "/daily", {"today": today.isoformat()})

    def post_finans(self, cases: Sequence[BillingCase], today: date, masse: bool) -> None:
        body = {"cases": [case_json(c) for c in cases], "today": today.isoformat(), "masse": masse}
        self._call("POST", "/finans", body, optional="finans_masse" if masse else "finans")

    def pay_out(self, cases: Sequence[BillingCase], today: date) -> None:
        body = {"cases": [case_json(c) for c in cases], "today": today.isoformat()}
        self._call("POST", "/pay_out", body, optional="pay_out")

    def correct(self, case: BillingCase, today: date) -> None:
        self._call(
            "POST", "/correct", {"case": case_json(case), "today": today.isoformat()}, optional="correct"
        )

    def business_event(self, case: BillingCase, event: BusinessEvent, today: date) -> None:
        body: dict[str, Any] = {
            "case": case_json(case),
            "event": event_to_json(event),
            "today": today.isoformat(),
        }
        self._call("POST", "/event", body, optional=body["event"]["event"])


class _ScriptDriver(BusinessEvents):
    """Common ground of the observation and interactive drivers: publish an instruction, then wait."""

    name = "observed-fagsystem"
    version = "unknown"

    def __init__(
        self,
        admin_factory: Callable[[KommuneConnection], AdminClient],
        *,
        timeout: float,
        quiet: float,
        conformance: ConformanceStatement | None = None,
    ):
        self.admin_factory = admin_factory
        self.timeout = timeout
        self.quiet = quiet
        self.admin: AdminClient | None = None
        self.conformance = conformance

    def connect(self, kommune: KommuneConnection) -> None:
        self.admin = self.admin_factory(kommune)
        self.publish({"kind": "connect", "kommune": asdict(kommune) | {"token": None}})

    def publish(self, instruction: dict[str, Any]) -> None:
        raise NotImplementedError

    def bill(self, case: BillingCase, today: date) -> None:
        self.publish({"kind": "bill", "case": case_json(case), "today": today.isoformat()})
        if self.conformance is not None and self.conformance.role == "psrm-s2s":
            self._settle()  # the direct role bills the debtor itself: nothing reaches the kommune yet
            return
        self._wait_for(lambda: self._arrived(case), f"a fordring for case {case.case_id}")

    def run_daily(self, today: date) -> None:
        self.publish({"kind": "daily", "today": today.isoformat()})
        self._settle()

    def post_finans(self, cases: Sequence[BillingCase], today: date, masse: bool) -> None:
        assert self.admin is not None
        before = len(self.admin.journal())
        self.publish(
            {
                "kind": "finans",
                "cases": [case_json(c) for c in cases],
                "today": today.isoformat(),
                "masse": masse,
            }
        )
        self._wait_for(lambda: self._finans_arrived(before), f"finansbilag for {len(cases)} case(s)")

    def _finans_arrived(self, before: int) -> bool:
        assert self.admin is not None
        return any(e["counterpart"] == "erp" for e in self.admin.journal()[before:])

    def pay_out(self, cases: Sequence[BillingCase], today: date) -> None:
        admin = self.admin
        assert admin is not None
        before = len(admin.journal())
        self.publish({"kind": "pay_out", "cases": [case_json(c) for c in cases], "today": today.isoformat()})
        self._wait_for(
            lambda: any(e["operation"].startswith("NKS") for e in admin.journal()[before:]),
            f"a NemKonto payment for {len(cases)} case(s)",
        )

    def correct(self, case: BillingCase, today: date) -> None:
        admin = self.admin
        assert admin is not None
        before = len(admin.journal())
        self.publish({"kind": "correct", "case": case_json(case), "today": today.isoformat()})
        self._wait_for(  # a system that ignores the correction is judged on what arrived: nothing
            lambda: any(e["counterpart"] == "oir" for e in admin.journal()[before:]),
            f"a correction of case {case.case_id}",
            required=False,
        )

    def business_event(self, case: BillingCase, event: BusinessEvent, today: date) -> None:
        admin = self.admin
        assert admin is not None
        before = len(admin.journal())
        self.publish(
            {
                "kind": "event",
                "case": case_json(case),
                "event": event_to_json(event),
                "today": today.isoformat(),
            }
        )
        self._wait_for(  # a system that ignores the event is judged on what arrived: nothing
            lambda: len(admin.journal()) > before,
            f"what case {case.case_id} led to after {event_to_json(event)['event']}",
            required=False,
        )

    def _arrived(self, case: BillingCase) -> bool:
        assert self.admin is not None
        month = case.period_from.isoformat()[:7]
        state = self.admin.state()
        accounts = {str(a["id"]) for a in state["debitor"]["accounts"] if a["debtor_id"] == case.debtor.id}
        deliveries = self.admin.journal()
        refused = any(
            e["operation"] == "OpretDebitorkonto" and case.debtor.id in (e.get("request") or "")
            for e in deliveries
        )
        booked = any(
            c["DebitorkontoID"] in accounts
            and month in (c["Data"].get("PeriodeFraDato", "")[:7], c["Data"].get("PeriodeTilDato", "")[:7])
            for c in state["debitor"]["claims"]
        )
        return booked or refused

    def _wait_for(self, done: Callable[[], bool], what: str, *, required: bool = True) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if done():
                self._settle()
                return
            time.sleep(0.05)
        if required:
            raise DriverError(f"waited {self.timeout:.0f} s for {what}: nothing arrived")

    def _settle(self) -> None:
        """Wait until the journal has been still for `quiet` seconds (bounded by the timeout)."""
        assert self.admin is not None
        deadline = time.monotonic() + self.timeout
        last = len(self.admin.journal())
        still_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(min(0.05, self.quiet))
            now = len(self.admin.journal())
            if now != last:
                last, still_since = now, time.monotonic()
            elif time.monotonic() - still_since >= self.quiet:
                return


class ObservationDriver(_ScriptDriver):
    """Publishes the test script as JSON lines in a file the vendor's agent follows."""

    def __init__(
        self,
        script: Path,
        admin_factory: Callable[[KommuneConnection], AdminClient],
        *,
        timeout: float = 60.0,
        quiet: float = 0.5,
        conformance: ConformanceStatement | None = None,
    ) -> None:
        super().__init__(admin_factory, timeout=timeout, quiet=quiet, conformance=conformance)
        self.script = script
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text("", encoding="utf-8")

    def publish(self, instruction: dict[str, Any]) -> None:
        with self.script.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(instruction, ensure_ascii=False) + "\n")
            handle.flush()


class InteractiveDriver(_ScriptDriver):
    """Prints each instruction for a person and waits for Enter (then checks that it arrived)."""

    name = "interactive-fagsystem"

    def __init__(
        self,
        admin_factory: Callable[[KommuneConnection], AdminClient],
        *,
        out: IO[str],
        inp: IO[str],
        timeout: float = 600.0,
        quiet: float = 1.0,
        conformance: ConformanceStatement | None = None,
    ) -> None:
        super().__init__(admin_factory, timeout=timeout, quiet=quiet, conformance=conformance)
        self.out = out
        self.inp = inp
        self.last_instruction: dict[str, Any] = {}

    def publish(self, instruction: dict[str, Any]) -> None:
        self.last_instruction = instruction
        kind = instruction["kind"]
        if kind == "connect":
            k = instruction["kommune"]
            self.out.write(
                f"Point your fagsystem at {k['base_url']} as kommune {k['kommune']}, system {k['system']}.\n"
            )
        elif kind == "bill":
            c = instruction["case"]
            self.out.write(
                f"Today is {instruction['today']}. Bill case {c['case_id']}: {c['service']} for "
                f"{c['debtor']['name']} ({c['debtor']['kind']} {c['debtor']['id']}), {c['amount']} kr, "
                f"{c['period_from']}..{c['period_to']}.\n"
            )
        elif kind == "finans":
            cases = ", ".join(f"{c['case_id']} ({c['amount']} kr)" for c in instruction["cases"])
            how = "in one masseleverance" if instruction["masse"] else "one straksleverance each"
            self.out.write(
                f"Today is {instruction['today']}. Book the billing of {cases} in the kommune's ERP "
                f"through ØiR finans (SF1590_A), {how}.\n"
            )
        elif kind == "pay_out":
            cases = ", ".join(f"{c['case_id']} ({c['amount']} kr)" for c in instruction["cases"])
            self.out.write(
                f"Today is {instruction['today']}. Pay {cases} to the case's party "
                "through NemKonto (SF1590_E).\n"
            )
        elif kind == "correct":
            c = instruction["case"]
            self.out.write(
                f"Today is {instruction['today']}. New facts after approval: case {c['case_id']} now "
                f"amounts to {c['amount']} kr. Correct the registered fordring.\n"
            )
        elif kind == "event":
            self.out.write(
                f"Today is {instruction['today']}. {tell(instruction['case'], instruction['event'])}\n"
            )
        else:
            self.out.write(f"Today is {instruction['today']}. Run your fagsystem's daily job.\n")
        self.out.write("Press Enter when done.\n")
        self.out.flush()
        self.inp.readline()
