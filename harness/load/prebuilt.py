"""Prebuilt load messages: each user builds one message of each kind once, serialised, and every request
fills in only what must be unique (the case id in its business keys, the TransaktionsID).

The OpretDebitorkonto template is what the reference fagsystem's own `Foraeldrebetaling.bill` posts: its
session is a stand-in that keeps the message instead of sending it. The finansbilag and betalingsanmodning
templates come from `messages`. A request's body is the template's bytes with two markers replaced, byte
for byte what `requests` would send for the same message (`json.dumps(message, allow_nan=False)`).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from testkommune.contracts.driver import KommuneConnection
from testkommune.contracts.model import BillingCase
from testkommune.harness.load.messages import (
    ERP_STRAKS,
    NKS_AFSEND,
    betalingsanmodning,
    finansbilag,
    next_month,
)
from testkommune.harness.testdata.factories import BillingCaseFactory
from testkommune.scenarios.fagsystemer.foraeldrebetaling import Foraeldrebetaling

CASE_MARK = "TKCASEMARK"
"""Stands for the case id in a template (ASCII, so JSON keeps it as it is)."""
TRANSACTION_MARK = "TKTRANSACTIONMARK"
"""Stands for the TransaktionsID in a template."""


@dataclass(frozen=True)
class Template:
    """One kind of message, serialised once; `render` makes a request's body and its business key."""

    kind: str
    path: str
    body: bytes
    key: str
    """The message's business key (FordringReference, BilagID or GrpId) with CASE_MARK for the case id."""

    def render(self, case_id: str, transaction_id: str) -> bytes:
        return self.body.replace(_CASE, case_id.encode()).replace(_TRANSACTION, transaction_id.encode())

    def key_of(self, case_id: str) -> str:
        return self.key.replace(CASE_MARK, case_id)

    def next(self, case_id: str) -> tuple[bytes, str]:
        """The body of a new message for `case_id` (with a new TransaktionsID) and its business key."""
        return self.render(case_id, str(uuid.uuid4())), self.key_of(case_id)


_CASE, _TRANSACTION = CASE_MARK.encode(), TRANSACTION_MARK.encode()


def template_case(today: date) -> BillingCase:
    """A synthetic case (seeded data factories) like `messages.billing_case`, its id a marker."""
    return BillingCaseFactory.create(case_id=CASE_MARK, period_from=next_month(today))


def serialise(message: dict[str, Any]) -> bytes:
    """The body `requests` sends for `json=message`."""
    return json.dumps(message, allow_nan=False).encode()


def _marked(message: dict[str, Any]) -> bytes:
    header = message["Hovedoplysninger"] | {"TransaktionsID": TRANSACTION_MARK}
    marked = message | {"Hovedoplysninger": header}
    body = serialise(marked)
    assert _CASE in body and body.count(_TRANSACTION) == 1, "a template must carry both markers"
    return body


class _Capture:
    """Stands in for the fagsystem's HTTP session: keeps what it is asked to post, answers GODKENDT."""

    status_code = 200

    def __init__(self) -> None:
        self.posted: list[tuple[str, dict[str, Any]]] = []

    def post(self, url: str, json: dict[str, Any], **kwargs: Any) -> _Capture:
        self.posted.append((url, json))
        return self

    def json(self) -> dict[str, Any]:
        return {"Forretningskvittering": {"Status": "GODKENDT"}}


def opretdebitorkonto(case: BillingCase, today: date, connection: KommuneConnection) -> Template:
    """What the reference fagsystem posts to bill `case`, as a template."""
    capture = _Capture()
    fagsystem = Foraeldrebetaling(session=capture)  # type: ignore[arg-type]  # a stand-in that records posts
    fagsystem.connect(connection)
    fagsystem.bill(case, today)
    ((url, message),) = capture.posted
    (claim,) = fagsystem.claims
    path = url.removeprefix(connection.base_url)
    return Template("opretdebitorkonto", path, _marked(message), claim.reference)


def templates(case: BillingCase, today: date, connection: KommuneConnection, cvr: str) -> dict[str, Template]:
    """One template of each kind of message, all for `case`."""
    bilag = finansbilag(case, today, connection.kommune)
    bundle = betalingsanmodning(case, today, cvr)
    return {
        "opretdebitorkonto": opretdebitorkonto(case, today, connection),
        "finansbilag": Template("finansbilag", ERP_STRAKS, _marked(bilag), bilag["Finansbilag"]["BilagID"]),
        "betalingsanmodning": Template(
            "betalingsanmodning", NKS_AFSEND, _marked(bundle), bundle["GroupHeader"]["GrpId"]
        ),
    }
