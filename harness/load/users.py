"""Locust users: simulated fagsystem workers sending a profile's messages.

- `SimulatorUser` (target "simulators", to size the test kommune): posts the messages (finansbilag,
  betalingsanmodninger, debtor registrations) itself through
  Locust's HTTP client. Debtor registrations go through the reference fagsystem's own `bill`, handed
  Locust's session, so each HTTP call is measured and the messages are exactly the reference's.
- `DriverUser` (target "fagsystem", load through the vendor's system): calls a `Fagsystem` driver's
  `bill(case, today)`; one bill is one measured request ("DRIVER bill"), and the fagsystem itself talks
  to the test kommune, as in certification.

Importing this module imports Locust (and so gevent's monkey patching): only the load runner does that.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from locust import HttpUser, User, task
from locust.exception import StopUser
from testkommune.contracts.driver import KommuneConnection
from testkommune.harness.load.ledger import Ledger
from testkommune.harness.load.messages import (
    ERP_STRAKS,
    NKS_AFSEND,
    betalingsanmodning,
    billing_case,
    finansbilag,
)
from testkommune.harness.load.profiles import Profile
from testkommune.harness.testdata.factories import make_cvr, seed_all
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling

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


class SimulatorUser(_Worker, HttpUser):
    """Sends the profile's messages straight to the test kommune."""

    host = "http://127.0.0.1"

    def wait_time(self) -> float:
        return self._pace()

    def on_start(self) -> None:
        self._setup()
        self.fagsystem = Foraeldrebetaling(session=self.client)
        self.fagsystem.connect(_config().connection)

    @task
    def send(self) -> None:
        config = _config()
        kind = self.rng.choices(self.kinds, self.weights)[0]
        case = billing_case(config.tag, config.next_number(), config.today)
        try:
            if kind == "opretdebitorkonto":
                self._opret(config, case)
            elif kind == "betalingsanmodning":
                self._betalingsanmodning(config, case)
            else:
                self._finansbilag(config, case)
        except (ConnectionError, ValueError):
            pass  # no usable answer after the fagsystem's retries: Locust has counted each failed request
        self._count()

    def _opret(self, config: LoadConfig, case: Any) -> None:
        self.fagsystem.bill(case, config.today)
        claim = self.fagsystem.claims.pop()
        if claim.accepted:
            config.ledger.ack("opretdebitorkonto", claim.reference)
        elif not self.fagsystem.refusals:
            config.ledger.refused += 1
        self.fagsystem.refusals.clear()

    def _finansbilag(self, config: LoadConfig, case: Any) -> None:
        message = finansbilag(case, config.today, config.kommune)
        self._post(config, ERP_STRAKS, message, "finansbilag", message["Finansbilag"]["BilagID"])

    def _betalingsanmodning(self, config: LoadConfig, case: Any) -> None:
        message = betalingsanmodning(case, config.today, config.myndighed_cvr)
        self._post(config, NKS_AFSEND, message, "betalingsanmodning", message["GroupHeader"]["GrpId"])

    def _post(self, config: LoadConfig, path: str, message: dict[str, Any], kind: str, key: str) -> None:
        """Post one message; acknowledged when the business answer is not AFVIST."""
        with self.client.post(
            config.base_url + path,
            json=message,
            headers=config.connection.headers,
            timeout=30,
            name=path,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            try:
                answer = response.json()["Forretningskvittering"]
                status = answer["Status"]
            except (ValueError, KeyError, TypeError):
                response.failure("answer without a Forretningskvittering")
                return
            if status != "AFVIST":
                config.ledger.ack(kind, key)
            else:
                config.ledger.refused += 1
                codes = ", ".join(sorted({e.get("code", "?") for e in answer.get("Fejl", [])}))
                response.failure(f"AFVIST {codes}")


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
