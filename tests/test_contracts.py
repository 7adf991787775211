"""Contracts are data: every schema compiles, and the fast and the full validator always agree."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkommune import contracts
from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.schemas import contract_set
from testkommune.simulators.rules.fordring import entry_rules, psrm_filter

from tests.messages import fordring, opret, psrm_leverance

# Keywords both fastjsonschema (draft 7 code generator) and jsonschema (2020-12) implement the same way.
ORIGIN = "x-testkommune-origin"
PORTABLE = {
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "enum",
    "const",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "oneOf",
    "anyOf",
    "not",
    "minProperties",
    "maxProperties",
    "default",
    "x-kode",  # an annotation (ignored by validators): the counterpart's own code for the field's rule
    "x-soap-reasons",  # an annotation: the real structure the SOAP binding writes for a reason list
    ORIGIN,  # an annotation: where the field comes from (a public source's section, or simulator-defined)
}


def _keywords(node, path="$"):
    if isinstance(node, dict):
        for key, value in node.items():
            if path.endswith((".properties", ".$defs")):
                yield from _keywords(value, f"{path}.{key}")
            else:
                yield key, path
                yield from _keywords(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _keywords(item, f"{path}[{i}]")


@pytest.mark.parametrize("name", contract_set().names())
def test_contract_compiles_and_uses_portable_keywords(name):
    contract = contract_set().get(name)
    assert contract.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    unportable = {(k, p) for k, p in _keywords(contract.schema) if k not in PORTABLE}
    assert not unportable
    assert not list(_ref_siblings(contract.schema)), "draft 7 (fastjsonschema) ignores keywords beside $ref"


def _ref_siblings(node, path="$"):
    if isinstance(node, dict):
        if "$ref" in node and set(node) - {"$ref", "description", "title", "$schema", "$id", ORIGIN}:
            yield path
        for key, value in node.items():
            yield from _ref_siblings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _ref_siblings(item, f"{path}[{i}]")


def test_contract_version_is_set():
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", contract_set().version())


def test_every_rule_code_is_in_the_catalogue_with_both_texts():
    catalogue = error_catalogue()
    assert psrm_filter.check_against(catalogue) == []
    assert entry_rules.codes() <= psrm_filter.codes()
    for entry in catalogue:
        assert entry.text_da and entry.text_en, entry.code


def test_no_code_restates_catalogue_texts():
    """Texts live in the data files only: no Danish catalogue sentence appears in the rules' source."""
    source = (contracts.ROOT.parent / "simulators" / "rules" / "fordring.py").read_text(encoding="utf-8")
    for entry in error_catalogue():
        assert entry.text_da[:40] not in source


def _mutations(message):
    """Every way to break one field: delete it, or replace its value with one of a few wrong things."""
    paths = []

    def walk(node, trail):
        if isinstance(node, dict):
            for key, value in node.items():
                paths.append((*trail, key))
                walk(value, (*trail, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, (*trail, i))

    walk(message, ())
    return paths


def _apply(message, path, action):
    message = json.loads(json.dumps(message))
    target = message
    for part in path[:-1]:
        target = target[part]
    if action == "delete":
        del target[path[-1]]
    else:
        target[path[-1]] = action
    return message


WRONG_VALUES = ["delete", None, 1, -1.5, "", "x" * 300, [], {}, True, "2026-13-40", 0.123]


@pytest.mark.parametrize(
    ("name", "factory"),
    [
        ("oir/OpretDebitorkonto_I", lambda: opret(fordring())),
        ("psrm/MFFordringIndberet_I", lambda: psrm_leverance()),
    ],
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fast_and_full_validators_agree(name, factory, data):
    contract = contract_set().get(name)
    message = factory()
    assert contract.check(message) == []
    path = data.draw(st.sampled_from(_mutations(message)))
    broken = _apply(message, path, data.draw(st.sampled_from(WRONG_VALUES)))
    fast_says_valid = True
    try:
        contract._fast(broken)
    except Exception:
        fast_says_valid = False
    full_errors = list(contract._full.iter_errors(broken))
    assert fast_says_valid == (not full_errors), (path, full_errors)


def _properties(node, path="$"):
    if isinstance(node, dict):
        for key, sub in (node.get("properties") or {}).items():
            yield f"{path}.{key}", sub
        for key, value in node.items():
            yield from _properties(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _properties(item, f"{path}[{i}]")


@pytest.mark.parametrize("name", [n for n in contract_set().names() if n.startswith("psrm/")])
def test_every_psrm_contract_says_which_parts_are_real_and_which_simulator_defined(name):
    """Each PSRM contract and each of its properties names its origin: a public source's section (soap.md
    §1, SKAT's real structure) or `simulator-defined` (with why)."""
    raw = contract_set().raw[name]
    assert raw[ORIGIN].startswith(("real: soap.md §1", "simulator-defined")), name
    unlabelled = [path for path, sub in _properties(raw) if ORIGIN not in sub]
    assert not unlabelled
    labels = {sub[ORIGIN].split(" (")[0] for _, sub in _properties(raw)}
    assert labels <= {"real: soap.md §1", "simulator-defined", "real name"}, labels
