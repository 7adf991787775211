"""Locust users: simulated fagsystem workers sending a profile's messages.

- `SimulatorUser` (target "simulators", to size the test kommune): posts the messages (finansbilag,
  betalingsanmodninger, debtor registrations) itself over geventhttpclient (`wire`). Each user
  prebuilds one message of each kind (`prebuilt`; the debtor registration is what the reference
  fagsystem's own `bill` posts) and each request fills in a new case id and TransaktionsID, so the
  generator stays cheap and every message is unique.
- `DriverUser` (target "fagsystem", load through the vendor's system): calls a `Fagsystem` driver's
  `bill(case, today)`; one bill is one measured request ("DRIVER bill"), and the fagsystem itself talks
  to the test kommune, as in certification.

Importing this module imports Locust (and so gevent's monkey patching): only the load runner does that.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from locust import User, task
from locust.exception import StopUser
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.load import prebuilt, wire
from testkommune.harness.load.ledger import Ledger
from testkommune.harness.load.messages import billing_case
from testkommune.harness.load.profiles import Profile
from testkommune.harness.testdata.factories import make_cvr, seed_all
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling
from testkommune.scenarios.fagsystemer.katalog import RETRY_STATUSES

SENDABLE = ("finansbilag", "opretdebitorkonto", "betalingsanmodning")


@dataclass
class LoadConfig:
    """Everything a user needs; set in each generator process before users start."""

    profile: Profile
    base_url: str
    kommune: str
    system: str
    today: date
    seed: int
    token: str | None = None
    fagsystem_factory: Callable[[], Any] | None = None
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    ledger: Ledger = field(default_factory=Ledger)
    myndighed_cvr: str = ""
    _numbers: int = 0
    _users: int = 0

    def next_number(self) -> int:
        """The next case number of this generator process."""
        self._numbers += 1
        return self._numbers

    def next_user(self) -> int:
        self._users += 1
        return self._users

    @property
    def connection(self) -> KommuneConnection:
        return KommuneConnection(self.base_url, self.kommune, self.system, self.token)


CONFIG: LoadConfig | None = None


def configure(config: LoadConfig) -> None:
    """Install the run's configuration in this process and seed the data factories."""
    global CONFIG
    CONFIG = config
    seed_all(config.seed)
    config.myndighed_cvr = config.myndighed_cvr or make_cvr(random.Random(config.seed))


def _config() -> LoadConfig:
    assert CONFIG is not None, "harness.load.users.configure() first"
    return CONFIG


class _Worker:
    """What both user kinds share: the profile's pacing, a seeded choice of message, a backlog limit."""

    def _setup(self) -> None:
        config = _config()
        self.rng = random.Random(f"{config.seed}-user-{config.next_user()}")
        self.sent = 0
        kinds = [k for k in SENDABLE if config.profile.weights.get(k, 0) > 0]
        self.kinds = kinds
        self.weights = [config.profile.weights[k] for k in kinds]

    def _pace(self) -> float:
        low, high = _config().profile.wait_s
        return self.rng.uniform(low, high)

    def _count(self) -> None:
        limit = _config().profile.messages_per_user
        self.sent += 1
        if limit is not None and self.sent >= limit:
            raise StopUser()


class SimulatorUser(_Worker, User):
    """Sends the profile's messages straight to the test kommune: each a prebuilt template (`prebuilt`)
    with its own case id and TransaktionsID, posted over one kept-alive geventhttpclient connection
    (`wire`) and counted in Locust's statistics."""

    timeout_s = 30.0

    def wait_time(self) -> float:
        return self._pace()

    def on_start(self) -> None:
        self._setup()
        config = _config()
        case = prebuilt.template_case(config.today)
        self.templates = prebuilt.templates(case, config.today, config.connection, config.myndighed_cvr)
        headers = config.connection.headers | {"Content-Type": "application/json"}
        self.sender = wire.Sender(config.base_url, headers, self.environment.events.request, self.timeout_s)

    def on_stop(self) -> None:
        self.sender.close()

    @task
    def send(self) -> None:
        config = _config()
        kind = self.rng.choices(self.kinds, self.weights)[0]
        template = self.templates[kind]
        body, key = template.next(f"{config.tag}-{config.next_number():06d}")
        if kind == "opretdebitorkonto":
            self._opret(config, template, body, key)
        else:
            self._post(config, template, body, key)
        self._count()

    def _opret(self, config: LoadConfig, template: prebuilt.Template, body: bytes, key: str) -> None:
        """Deliver as the reference fagsystem does: a 502/503/504 or no answer is sent again, unchanged
        (same TransaktionsID), up to its `max_attempts`; GODKENDT is acknowledged."""
        for attempt in range(1, Foraeldrebetaling.max_attempts + 1):
            answer = self.sender.post(template.path, body)
            if answer.status and answer.status not in RETRY_STATUSES:
                status = _status(answer.body) if answer.status < 400 else ""  # as the reference reads it
                if status == "GODKENDT":
                    config.ledger.ack(template.kind, key)
                elif status:
                    config.ledger.refused += 1  # a business refusal: the request itself succeeded
                answer.report("answer without a Forretningskvittering" if status is None else None)
                return
            answer.report()
            if attempt < Foraeldrebetaling.max_attempts:
                time.sleep(0.01 * attempt)
        config.ledger.refused += 1  # unanswered after every attempt, as the reference counts it

    def _post(self, config: LoadConfig, template: prebuilt.Template, body: bytes, key: str) -> None:
        """Post one message; acknowledged when the business answer is not AFVIST."""
        answer = self.sender.post(template.path, body)
        if answer.status != 200:
            answer.report(None if answer.error else f"HTTP {answer.status}")
            return
        status = _status(answer.body)
        if status is None:
            answer.report("answer without a Forretningskvittering")
        elif status != "AFVIST":
            config.ledger.ack(template.kind, key)
            answer.report()
        else:
            config.ledger.refused += 1
            fejl = json.loads(answer.body)["Forretningskvittering"].get("Fejl", [])
            answer.report(f"AFVIST {', '.join(sorted({e.get('code', '?') for e in fejl}))}")


def _status(body: bytes) -> str | None:
    """The Forretningskvittering's Status of an answer, None when it has none."""
    try:
        return str(json.loads(body)["Forretningskvittering"]["Status"])
    except (ValueError, KeyError, TypeError):
        return None


class DriverUser(_Worker, User):
    """Makes a vendor's fagsystem bill cases; the fagsystem sends to the test kommune itself."""

    def wait_time(self) -> float:
        return self._pace()

    def on_start(self) -> None:
        self._setup()
        config = _config()
        assert config.fagsystem_factory is not None, "target fagsystem needs a driver"
        self.fagsystem = config.fagsystem_factory()
        self.fagsystem.connect(config.connection)

    @task
    def bill(self) -> None:
        config = _config()
        case = billing_case(config.tag, config.next_number(), config.today)
        started = time.perf_counter()
        error: Exception | None = None
        try:
            self.fagsystem.bill(case, config.today)
        except Exception as exc:  # a vendor system may fail in any way: that is a failed request
            error = exc
        self.environment.events.request.fire(
            request_type="DRIVER",
            name="bill",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )
        claims = getattr(self.fagsystem, "claims", None)
        if error is None and claims:
            claim = claims.pop()
            if getattr(claim, "accepted", False):
                config.ledger.ack("opretdebitorkonto", claim.reference)
            else:
                config.ledger.refused += 1
        self._count()
