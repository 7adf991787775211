"""A bundle attested by the test kommune it was made against (`certify --url`).

The harness signs its bundle with the vendor's own key; a reader has no reason to trust that key. So before
the run the harness asks the kommune to record the tenant's journal (`start`), and after the bundle is
written it sends the hash of the bundle's manifest and keeps the kommune's signed statement beside the
manifest as `attestation.json` (outside the manifest, like `manifest.sig`): the kommune's evidence key
(the one `testkommune key --url` prints) vouches that this manifest belongs to a run whose journal it
holds. `testkommune verify` checks it (harness/evidence/verify_attestation.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from testkommune.contracts.attestation import FILE
from testkommune.harness.evidence import manifest


def manifest_hash(bundle: Path) -> str:
    return manifest.sha256((bundle / "manifest.json").read_bytes())


def write_attestation(bundle: Path, answer: dict[str, Any]) -> Path:
    """Keep the kommune's answer (`statement` text, `signature`, `public_key_pem`) in the bundle."""
    document = {key: answer[key] for key in ("statement", "signature", "public_key_pem")}
    path = bundle / FILE
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
