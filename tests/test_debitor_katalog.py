"""The debitor system's error codes and profiles are data that the code and the contracts agree with."""

from __future__ import annotations

import json
import re
from pathlib import Path

from testkommune.contracts.catalogue import error_catalogue
from testkommune.simulators.debitor import rules
from testkommune.simulators.debitor.profiles import profile_ids

ROOT = Path(__file__).resolve().parents[1]


def test_every_debitor_rule_code_is_in_the_catalogue():
    assert rules.check_against(error_catalogue()) == []


def test_every_code_the_debitor_code_raises_is_catalogued_with_both_languages_and_provenance():
    used = set()
    for path in (ROOT / "simulators" / "debitor").glob("*.py"):
        used |= set(re.findall(r'"(DEB-[A-Z0-9-]+)"', path.read_text("utf-8")))
    doc = json.loads((ROOT / "contracts/reference/fejlkoder/debitor.json").read_text("utf-8"))
    entries = {e["code"]: e for e in doc["errors"]}
    assert used and used <= set(entries), used - set(entries)
    assert set(rules.CODES) == set(entries)
    for entry in entries.values():
        assert entry["text_da"] and entry["text_en"] and entry["fix_da"] and entry["fix_en"]
        assert entry["source"]["tag"] in {"C", "I", "G"} and "oeir.md" in entry["source"]["ref"]


def test_profiles_load_with_the_default_first():
    assert profile_ids()[0] == "DEB-A"
