"""Publish the test kommune's evidence key: `GET /evidence/public-key` answers its PEM and fingerprint, so a
reader can trust exactly that key (`testkommune key --url`, `testkommune verify --url`)."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from testkommune.harness.evidence import signing
from testkommune.harness.evidence.trust import PUBLISHED_PATH


def key_document(public: Ed25519PublicKey) -> dict[str, str]:
    return {"fingerprint": signing.fingerprint(public), "public_key_pem": signing.public_pem(public).decode()}


class PublishKey:
    """ASGI wrapper: answers GET PUBLISHED_PATH itself, passes everything else to `app`."""

    def __init__(self, app: Any, public: Ed25519PublicKey) -> None:
        self.app = app
        self.body = json.dumps(key_document(public)).encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") != PUBLISHED_PATH or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(self.body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})
