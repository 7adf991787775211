"""Observations to and from JSON, so a verdict can be recomputed from the bundle alone."""

from __future__ import annotations

from typing import Any

from testkommune.contracts.codec import case_from_json, case_to_json
from testkommune.harness.certify.observation import Observation


def observation_to_json(observation: Observation) -> dict[str, Any]:
    return {
        "scenario_id": observation.scenario_id,
        "seed": observation.seed,
        "base_url": observation.base_url,
        "headers": {k: v for k, v in observation.headers.items() if k.lower() != "authorization"},
        "cases": [case_to_json(c) for c in observation.cases],
        "billed": [case_to_json(c) for c in observation.billed],
        "state": observation.state,
        "journal": observation.journal,
        "bindings": observation.bindings(),  # per journal id: json or soap, as the fagsystem sent it
        "references": observation.references,
    }


def observation_from_json(raw: dict[str, Any]) -> Observation:
    return Observation(
        state=raw["state"],
        journal=raw["journal"],
        cases=[case_from_json(c) for c in raw["cases"]],
        billed=[case_from_json(c) for c in raw["billed"]],
        base_url=raw["base_url"],
        headers=raw["headers"],
        scenario_id=raw["scenario_id"],
        seed=raw["seed"],
        references=raw.get("references", {}),
    )
