"""The msgspec shapes (contracts/shapes.py): never looser than their schemas, and used on the hot path.

A shape that accepted what its schema refuses would let a defective message through unexplained, so every
shape is held to its schema (fastjsonschema, the validator it stands in front of) on the examples and on
many mutations of them; a deliberately loosened shape shows that this comparison catches a looser shape.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

import fastjsonschema
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from testkommune import contracts
from testkommune.contracts import shapes
from testkommune.contracts.schemas import (
    FORMATS,
    Contract,
    _amount_findings,
    contract_set,
)

EXAMPLES = sorted((contracts.ROOT / "examples").rglob("*.json"))
HOT = (
    "psrm/MFFordringIndberet_I",
    "psrm/MFKvitteringHent_I",
    "oir/OpretDebitorkonto_I",
    "erp/ModtagFinansbilag_I",
    "erp/ModtagFinansbilagMasse_I",
)


def _examples() -> Iterator[tuple[str, Any]]:
    names = set(contract_set().names())
    for file in EXAMPLES:
        name = file.relative_to(contracts.ROOT / "examples").as_posix().removesuffix(".json")
        if name in names:
            yield name, json.loads(file.read_text(encoding="utf-8"))


def _shape_accepts(shape: Any, message: Any) -> bool:
    try:
        msgspec.convert(message, shape)
    except msgspec.ValidationError:
        return False
    return True


def _schema_accepts(contract: Contract, message: Any) -> bool:
    try:
        contract._fast(message)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


_ODD_VALUES: tuple[Any, ...] = (
    None, True, 0, 1, -1, 1.0, 1.5, -0.01, 10**20, "", "x", " ", "a\n", "2026-02-30", "2026-13-01",
    "2024-02-29", "2026-01-01T10:00:00Z", "2026-01-01t10:00:00z", "0101901234", "12345678", "K1", "DKK",
    "x" * 300, [], [None], {}, {"x": 1},
)  # fmt: skip


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


def _mutants(message: Any, rng: random.Random, count: int) -> Iterator[Any]:
    """Copies of `message` with one to three changes each: a value replaced by an odd one, a name removed or
    added, a list emptied, shortened or grown, a string lengthened or cut."""
    for _ in range(count):
        mutant = copy.deepcopy(message)
        for _ in range(rng.randint(1, 3)):
            paths = list(_paths(mutant))
            path = rng.choice(paths)
            parent = mutant
            for part in path[:-1]:
                parent = parent[part]
            if not path:
                continue
            key, value = path[-1], parent[path[-1]]
            action = rng.random()
            if action < 0.45:
                parent[key] = copy.deepcopy(rng.choice(_ODD_VALUES))
            elif action < 0.6 and isinstance(parent, dict):
                del parent[key]
            elif action < 0.7 and isinstance(parent, dict):
                parent[f"Ukendt{rng.randint(0, 9)}"] = rng.choice(_ODD_VALUES)
            elif action < 0.8 and isinstance(value, list):
                parent[key] = rng.choice([[], value[:1], value * rng.randint(2, 40)])
            elif action < 0.9 and isinstance(value, str):
                parent[key] = rng.choice(
                    [value * 2, value * 30, value[:-1], value[1:], value.upper(), value + "\n"]
                )
            elif isinstance(value, dict) and value:
                inner = rng.choice(list(value))
                value[inner + "X"] = value.pop(inner)
        yield mutant


def looser_cases(contract: Contract, shape: Any, messages: list[Any], mutants: int) -> list[Any]:
    """Messages `shape` accepts and the contract's schema refuses (none, for a shape that is never looser)."""
    rng = random.Random(f"{contract.name}:{mutants}")
    found = []
    for message in messages:
        for mutant in _mutants(message, rng, mutants):
            if _shape_accepts(shape, mutant) and not _schema_accepts(contract, mutant):
                found.append(mutant)
    return found


def test_the_services_hot_contracts_have_shapes() -> None:
    unshaped = {
        name: contract_set().get(name).unshaped for name in HOT if contract_set().get(name).shape is None
    }
    assert unshaped == {}


def test_every_valid_example_passes_its_shape_so_the_check_stays_in_c() -> None:
    shaped = 0
    for name, message in _examples():
        contract = contract_set().get(name)
        if contract.shape is None or not _schema_accepts(contract, message):
            continue
        assert _shape_accepts(contract.shape, message), name
        shaped += 1
    assert shaped >= 25


def test_no_shape_accepts_a_mutant_its_schema_refuses() -> None:
    by_name: dict[str, list[Any]] = {}
    for name, message in _examples():
        by_name.setdefault(name, []).append(message)
    checked = 0
    for name, messages in by_name.items():
        contract = contract_set().get(name)
        if contract.shape is None:
            continue
        assert looser_cases(contract, contract.shape, messages, mutants=300) == [], name
        checked += 1
    assert checked >= 25


def _loosened(builder_cls: type[shapes.ShapeBuilder], keyword: str) -> shapes.ShapeBuilder:
    """A builder that forgets `keyword` (a deliberately broken generator)."""

    class Forgetful(builder_cls):  # type: ignore[misc,valid-type]
        def _type(self, node: Any, base: str, where: str) -> tuple[Any, str | None]:
            if isinstance(node, dict) and keyword in node:
                node = {k: v for k, v in node.items() if k != keyword}
            return super()._type(node, base, where)

    contracts_ = contract_set()
    return Forgetful(contracts_._store, FORMATS)


@pytest.mark.parametrize(
    ("name", "keyword"),
    [
        ("psrm/MFFordringIndberet_I", "pattern"),
        ("psrm/MFFordringIndberet_I", "required"),
        ("psrm/MFFordringIndberet_I", "enum"),
        ("oir/OpretDebitorkonto_I", "additionalProperties"),
        ("oir/OpretDebitorkonto_I", "oneOf"),
        ("erp/ModtagFinansbilag_I", "maxLength"),
    ],
)
def test_a_shape_that_forgets_a_keyword_is_caught_as_looser(name: str, keyword: str) -> None:
    contract = contract_set().get(name)
    broken = _loosened(shapes.ShapeBuilder, keyword).shape(contract.schema["$id"])
    messages = [m for n, m in _examples() if n == name]
    assert looser_cases(contract, broken, messages, mutants=300) != []


def test_formats_and_choices_are_checked_inside_the_shape() -> None:
    contract = contract_set().get("oir/OpretDebitorkonto_I")
    (message,) = [m for n, m in _examples() if n == "oir/OpretDebitorkonto_I"]
    assert _shape_accepts(contract.shape, message)
    stamp = copy.deepcopy(message)
    stamp["Hovedoplysninger"]["TransaktionsTid"] = "2026-01-01t10:00:00z"  # msgspec's datetime takes it
    assert not _shape_accepts(contract.shape, stamp)
    assert not _schema_accepts(contract, stamp)
    both = copy.deepcopy(message)
    party = _find_holder(both, "PersonCPRNummer")
    party["VirksomhedCVRNummer"] = "12345674"
    assert not _shape_accepts(contract.shape, both)
    assert not _schema_accepts(contract, both)


_OBJECT = {"type": "object", "additionalProperties": False}
KEYWORDS = [  # (schema, an instance it takes, one it refuses for that keyword)
    ({"type": "string", "pattern": "^K[0-9]+\\Z"}, "K1", "K1x"),
    ({"type": "string", "minLength": 2, "maxLength": 3}, "æøå", "æøåa"),
    ({"type": "string", "format": "date"}, "2024-02-29", "2026-02-29"),
    ({"type": "integer", "minimum": 1, "maximum": 9}, 9, 10),
    ({"type": "number", "exclusiveMinimum": 0}, 0.01, 0),
    ({"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2}, ["a"], ["a", "b", "c"]),
    ({"enum": ["A", "B"]}, "B", "C"),
    ({"const": 3}, 3, 4),
    ({**_OBJECT, "properties": {"a": {"type": "string"}}, "required": ["a"]}, {"a": "x"}, {}),
    ({**_OBJECT, "properties": {"a": {"type": "string"}}}, {"a": "x"}, {"a": "x", "b": 1}),
    ({**_OBJECT, "properties": {"a": {}, "b": {}}, "maxProperties": 1}, {"b": 1}, {"a": 1, "b": 2}),
    ({**_OBJECT, "properties": {"a": {}, "b": {}}, "minProperties": 1}, {"b": 1}, {}),
    (
        {
            **_OBJECT,
            "properties": {"a": {}, "b": {}},
            "oneOf": [{"required": ["a"], "not": {"required": ["b"]}}, {"required": ["b"]}],
        },
        {"a": 1},
        {},
    ),
    ({**_OBJECT, "properties": {"t": {"type": "string", "format": "date-time"}}},
     {"t": "2026-01-01T10:00:00Z"}, {"t": "2026-01-01 10:00:00Z"}),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, {"x": 1}, {"x": "1"}),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "valid", "invalid"), KEYWORDS, ids=lambda v: json.dumps(v)[:40])
def test_each_translated_keyword_takes_and_refuses_as_the_schema_does(
    schema: Any, valid: Any, invalid: Any
) -> None:
    uri = "https://testkommune.dk/contracts/test/k.schema.json"
    document = {"$id": uri, **schema}
    shape = shapes.ShapeBuilder({uri: document}, FORMATS).shape(uri)
    fast = fastjsonschema.compile(document, formats=FORMATS)
    assert _shape_accepts(shape, valid)
    fast(valid)
    assert not _shape_accepts(shape, invalid)
    with pytest.raises(fastjsonschema.JsonSchemaException):
        fast(invalid)


def _find_holder(value: Any, name: str) -> dict[str, Any]:
    if isinstance(value, dict):
        if name in value:
            return value
        for item in value.values():
            found = _find_holder(item, name) if isinstance(item, dict | list) else None
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _find_holder(item, name)
            if found is not None:
                return found
    return None  # type: ignore[return-value]


def test_a_refusal_is_still_explained_by_the_schema() -> None:
    contract = contract_set().get("psrm/MFFordringIndberet_I")
    (message,) = [m for n, m in _examples() if n == "psrm/MFFordringIndberet_I"]
    broken = copy.deepcopy(message)
    broken["MFLeveranceID"] = ""
    broken["Ukendt"] = 1
    codes = {(f.code, f.path) for f in contract.check(broken)}
    assert ("SCHEMA-UKENDT-FELT", "$.Ukendt") in codes
    assert any(path == "$.MFLeveranceID" for _, path in codes)


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(),
        st.decimals(places=3, allow_nan=False, allow_infinity=False).map(float),
    )
)
def test_a_shape_reads_an_amount_as_the_amount_walk_does(value: Any) -> None:
    assert shapes.amount_ok(value) == (list(_amount_findings(value, "$")) == [])


@pytest.mark.parametrize(
    "name", ["oir/ForetagIndbetaling_I", "oir/OpretDebitorkonto_I", "erp/ModtagFinansbilag_I"]
)
def test_an_amount_with_three_decimals_is_refused_where_the_shape_checks_every_number(name: str) -> None:
    contract = contract_set().get(name)
    assert contract._shape_covers_amounts, "the walk for amounts is left out only for such a shape"
    (message,) = [m for n, m in _examples() if n == name]
    holder = _find_float_holder(message)
    assert holder is not None
    parent, key = holder
    parent[key] = 12.345
    assert not _shape_accepts(contract.shape, message)
    assert [f.code for f in contract.check(message)] == ["SCHEMA-BELOEB"]


def _find_float_holder(value: Any) -> tuple[Any, Any] | None:
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        amount = isinstance(item, float | int) and not isinstance(item, bool) and isinstance(value, dict)
        if amount and ("Beloeb" in str(key) or "Beløb" in str(key)):
            return value, key
        found = _find_float_holder(item)
        if found is not None:
            return found
    return None


def _ints_as_floats(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _ints_as_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints_as_floats(v) for v in value]
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def test_a_lawful_message_a_shape_is_too_strict_for_still_passes_the_check() -> None:
    """JSON Schema's "integer" takes 1.0, msgspec's `int` does not: such a message is refused by the shape,
    accepted by the schema, and the check finds nothing wrong with it."""
    stricter = 0
    for name, message in _examples():
        contract = contract_set().get(name)
        lawful = _ints_as_floats(message)
        if contract.shape is None or not _schema_accepts(contract, lawful):
            continue
        assert contract.check(lawful) == [], name
        stricter += not _shape_accepts(contract.shape, lawful)
    assert stricter >= 3
