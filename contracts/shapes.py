"""msgspec shapes generated from the JSON Schemas: a parsed message checked in C, in one walk.

A shape is never looser than its schema: what it accepts, the schema accepts. It may be stricter (msgspec's
`int` refuses 1.0, which JSON Schema's "integer" takes); a message a shape refuses is checked again by the
schema's own validators, which alone decide and explain a refusal (`schemas.Contract.check`). A schema
that uses a keyword the generator cannot translate exactly gets no shape (`UnsupportedSchemaError`) and
is checked by fastjsonschema alone. `tests/test_shapes.py` holds every shape to its schema on the examples
and on mutations of them.

A "date" string is msgspec's own `date` (it takes exactly the strings `schemas.is_date` takes). What msgspec
cannot say itself is checked after it has built a struct (`__post_init__`, still inside the one
`msgspec.convert` call): other string formats (by `schemas.FORMATS`, the validators' own functions), object
size (`minProperties`, `maxProperties`) and choices that only say which names are present (`oneOf`, `anyOf`
and `not` over `required`, e.g. "a CPR number or a CVR number, not both").
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urldefrag, urljoin

import msgspec
from testkommune.contracts.errors import TestkommuneError

ANNOTATIONS = frozenset(
    {"$id", "$schema", "$comment", "$defs", "title", "description", "default", "examples", "deprecated"}
)
"""Keywords that say nothing about validity (`x-…` extensions are annotations too)."""
_STRING = frozenset({"minLength", "maxLength", "pattern", "format"})
_NUMBER = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_ARRAY = frozenset({"items", "minItems", "maxItems"})
_SIZE_AND_CHOICE = frozenset({"minProperties", "maxProperties", "oneOf", "anyOf"})
_OBJECT = frozenset({"properties", "required", "additionalProperties", "not"}) | _SIZE_AND_CHOICE
_ENUM_KINDS: dict[str | None, set[type]] = {"string": {str}, "integer": {int}, None: {str, int}}
_BASIC: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool, "null": None}
_META_NAMES = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "minItems": "min_length",
    "maxItems": "max_length",
}

Check = Callable[[Any], None]
"""A check run on a built struct; raises ValueError when the struct's object is not valid."""
Presence = Callable[[frozenset[str]], bool]
"""A predicate on the names an object holds (a `required` with `not`)."""


class UnsupportedSchemaError(TestkommuneError):
    """The schema uses a keyword (or a combination) the generator does not translate exactly: it is checked
    by fastjsonschema alone (never raised to a user; `Contract.unshaped` says why)."""


AMOUNT, AMOUNTS = "amount", "amounts"
"""The marks of a number and of an array of numbers: the struct holding them checks that each is an amount
(`amount_ok`). Any other mark is a string format the holder checks."""


class ShapeBuilder:
    """Builds msgspec types from a store of `$id` → schema (its patterns already as Python reads them)."""

    def __init__(self, store: Mapping[str, Any], formats: Mapping[str, Callable[[object], bool]]) -> None:
        self._store = store
        self._formats = formats
        self._done: dict[str, tuple[Any, bool]] = {}
        self._building: set[str] = set()
        self._covering: list[bool] = []
        self._count = 0

    def shape(self, uri: str) -> Any:
        """The type for the schema at `uri` (an `$id`, optionally with a `#/…` pointer)."""
        return self.shaped(uri)[0]

    def shaped(self, uri: str) -> tuple[Any, bool]:
        """(the type for the schema at `uri`, whether it checks every number a message it accepts can hold,
        `amount_ok`: no part of it takes a value unchecked, such as an open object, an untyped value or
        numbers nested in arrays)."""
        known = self._done.get(uri)
        if known is None:
            if uri in self._building:
                raise UnsupportedSchemaError(f"recursive reference {uri}")
            self._building.add(uri)
            self._covering.append(True)
            try:
                document, pointer = urldefrag(uri)
                node, mark = self._type(_resolve(self._store[document], pointer), document, uri)
                if mark not in (
                    None,
                    AMOUNT,
                    AMOUNTS,
                ):  # a format is checked by the struct holding the string
                    raise UnsupportedSchemaError(f"a string format outside an object at {uri}")
                covered = self._covering[-1] and mark is None
            finally:
                self._building.discard(uri)
                self._covering.pop()
            known = self._done[uri] = (node, covered)
        if not known[1]:
            self._uncovered()
        return known

    def _uncovered(self) -> None:
        if self._covering:
            self._covering[-1] = False

    def _type(self, node: Any, base: str, where: str) -> tuple[Any, str | None]:
        """(the type for `node`, its mark: what the struct holding it checks, or None)."""
        keys = (
            {k for k in node if k not in ANNOTATIONS and not k.startswith("x-")}
            if isinstance(node, dict)
            else ()
        )
        if node is True or (isinstance(node, dict) and not keys):
            self._uncovered()
            return Any, None
        if not isinstance(node, dict):
            raise UnsupportedSchemaError(f"schema {node!r} at {where}")
        keys = set(keys)
        if "$ref" in keys:
            if keys != {"$ref"}:
                raise UnsupportedSchemaError(f"$ref beside {sorted(keys - {'$ref'})} at {where}")
            target = urljoin(base, node["$ref"])
            document, pointer = urldefrag(target)
            referred = _resolve(self._store[document], pointer)
            if _is_object(referred):  # a struct of its own, built once
                return self.shaped(target)[0], None
            if target in self._building:
                raise UnsupportedSchemaError(f"recursive reference {target}")
            self._building.add(target)
            try:  # a value: built in place, so its holder checks its format or amount
                return self._type(referred, document, target)
            finally:
                self._building.discard(target)
        if "enum" in keys or "const" in keys:
            return _choice(node, keys, where), None
        kind = node.get("type")
        if _is_object(node):
            return self._object(node, keys, base, where), None
        if kind == "array":
            return self._array(node, keys, base, where)
        if isinstance(kind, str) and kind in _BASIC:
            return _basic(node, keys, kind, where)
        if isinstance(kind, list) and keys == {"type"} and all(k in _BASIC for k in kind) and kind:
            if "number" in kind:
                self._uncovered()
            return _union([_BASIC[k] for k in kind]), None
        raise UnsupportedSchemaError(f"type {kind!r} with {sorted(keys)} at {where}")

    def _array(self, node: dict[str, Any], keys: set[str], base: str, where: str) -> tuple[Any, str | None]:
        if keys - _ARRAY - {"type"}:
            raise UnsupportedSchemaError(f"array keywords {sorted(keys - _ARRAY - {'type'})} at {where}")
        item: Any = Any
        mark = None
        if "items" in node:
            item, mark = self._type(node["items"], base, f"{where}/items")
            if mark not in (None, AMOUNT, AMOUNTS):
                raise UnsupportedSchemaError(f"a string format in an array at {where}")
            if mark == AMOUNTS:  # numbers in arrays in arrays: not checked by the shape
                self._uncovered()
        else:
            self._uncovered()
        return _annotated(list[item], node, ("minItems", "maxItems")), AMOUNTS if mark == AMOUNT else None

    def _object(self, node: dict[str, Any], keys: set[str], base: str, where: str) -> Any:
        if keys - _OBJECT - {"type"}:
            raise UnsupportedSchemaError(f"object keywords {sorted(keys - _OBJECT - {'type'})} at {where}")
        properties: dict[str, Any] = node.get("properties", {})
        required: list[str] = node.get("required", [])
        extra = node.get("additionalProperties", True)
        closed = extra is False
        if not closed:  # the names it does not list are dropped unchecked
            self._uncovered()
        if not properties and not required and not keys & _SIZE_AND_CHOICE:
            if extra is True:
                return dict[str, Any]
            value, mark = self._type(extra, base, f"{where}/additionalProperties")
            if mark not in (None, AMOUNT) or closed:
                raise UnsupportedSchemaError(f"additionalProperties {extra!r} at {where}")
            return dict[str, value]  # type: ignore[valid-type]  # a type built at run time
        if extra not in (True, False):
            raise UnsupportedSchemaError(f"properties beside an additionalProperties schema at {where}")
        if closed and set(required) - set(properties):
            raise UnsupportedSchemaError(f"a closed object requiring a name it does not allow at {where}")
        if not closed and keys & {"minProperties", "maxProperties"}:
            raise UnsupportedSchemaError(f"object size over names not listed at {where}")
        names = list(properties) + [n for n in required if n not in properties]
        fields: list[tuple[Any, ...]] = []
        checks: list[Check] = []
        attrs = {name: f"f{i}" for i, name in enumerate(names)}
        for name in names:
            kind, mark = self._type(properties.get(name, True), base, f"{where}/properties/{name}")
            if mark is not None:
                checks.append(self._field_check(attrs[name], mark))
            if name in required:
                fields.append((attrs[name], kind))
            else:
                fields.append((attrs[name], _union([kind, msgspec.UnsetType]), msgspec.UNSET))
        present = _presence(node, keys, attrs, where)
        if present is not None:
            checks.append(present)
        self._count += 1
        namespace = {"__post_init__": _post_init(tuple(checks))} if checks else None
        return msgspec.defstruct(
            f"Shape{self._count}",
            fields,
            rename={attr: name for name, attr in attrs.items()},
            forbid_unknown_fields=closed,
            kw_only=True,
            gc=False,
            namespace=namespace,
        )

    def _field_check(self, attr: str, mark: str) -> Check:
        if mark == AMOUNT:
            return _amount_check(attr)
        if mark == AMOUNTS:
            return _amounts_check(attr)
        return _format_check(attr, self._formats[mark])


def _is_object(node: Any) -> bool:
    """Whether `node` is an object schema (one without "type" but with object keywords counts: the shape
    is then stricter than the schema, which lets a non-object pass, and that is allowed)."""
    if not isinstance(node, dict) or "enum" in node or "const" in node or "$ref" in node:
        return False
    return node.get("type") == "object" or ("type" not in node and bool(set(node) & _OBJECT))


def amount_ok(value: Any) -> bool:
    """Whether a number is an amount in kroner as the contract check reads one (`schemas._amount_findings`):
    not a float written with more than two decimals or an exponent."""
    if not isinstance(value, float):
        return True
    text = repr(value)
    return "e" not in text and "E" not in text and ("." not in text or len(text.split(".")[1]) <= 2)


def _amount_check(attr: str) -> Check:
    def check(struct: Any) -> None:
        if not amount_ok(getattr(struct, attr)):
            raise ValueError("more than two decimals")

    return check


def _amounts_check(attr: str) -> Check:
    def check(struct: Any) -> None:
        values = getattr(struct, attr)
        if values is not msgspec.UNSET and values is not None and not all(amount_ok(v) for v in values):
            raise ValueError("more than two decimals")

    return check


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for part in (p for p in pointer.split("/") if p):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _annotated(kind: Any, node: dict[str, Any], names: tuple[str, ...]) -> Any:
    meta = {_META_NAMES[n]: node[n] for n in names if n in node}
    return Annotated[kind, msgspec.Meta(**meta)] if meta else kind


def _basic(node: dict[str, Any], keys: set[str], kind: str, where: str) -> tuple[Any, str | None]:
    allowed = _STRING if kind == "string" else _NUMBER if kind in ("integer", "number") else frozenset()
    if keys - allowed - {"type"}:
        raise UnsupportedSchemaError(f"{kind} keywords {sorted(keys - allowed - {'type'})} at {where}")
    format_ = node.get("format")
    if format_ is not None and format_ not in ("date", "date-time", "uuid"):
        raise UnsupportedSchemaError(f"format {format_!r} at {where}")
    names = ("minLength", "maxLength", "pattern") if kind == "string" else tuple(_NUMBER)
    for bound in _NUMBER & keys:
        if isinstance(node[bound], bool) or not isinstance(node[bound], int | float):
            raise UnsupportedSchemaError(f"{bound} {node[bound]!r} at {where}")
    if format_ == "date" and keys == {"type", "format"}:
        return datetime.date, None  # msgspec's date takes exactly what `schemas.is_date` takes
    return _annotated(_BASIC[kind], node, names), AMOUNT if kind == "number" else format_


def _choice(node: dict[str, Any], keys: set[str], where: str) -> Any:
    values = node["enum"] if "enum" in node else [node["const"]]
    if keys - {"enum", "const", "type"} or not values:
        others = sorted(keys - {"enum", "const", "type"})
        raise UnsupportedSchemaError(f"enum or const beside {others} at {where}")
    kinds = {type(v) for v in values}
    if not kinds <= {str, int}:  # bool, float, None, objects: JSON Schema's equality is not msgspec's
        raise UnsupportedSchemaError(f"enum of {sorted(k.__name__ for k in kinds)} at {where}")
    declared = node.get("type")
    expected = _ENUM_KINDS.get(declared)
    if expected is None or not kinds <= expected:
        raise UnsupportedSchemaError(f"enum {values!r} of type {declared!r} at {where}")
    return Literal[tuple(values)]


def _union(kinds: list[Any]) -> Any:
    if Any in kinds:
        return Any
    union = kinds[0]
    for kind in kinds[1:]:
        union = union | kind if union is not None else kind | None
    return union


def _format_check(attr: str, is_valid: Callable[[object], bool]) -> Check:
    def check(struct: Any) -> None:
        value = getattr(struct, attr)
        if value is not msgspec.UNSET and not is_valid(value):
            raise ValueError(f"{value!r} is not in its format")

    return check


def _presence(node: dict[str, Any], keys: set[str], attrs: dict[str, str], where: str) -> Check | None:
    """The object-level rules over which names are present, or None when there are none."""
    minimum, maximum = node.get("minProperties"), node.get("maxProperties")
    one_of = [_predicate(s, attrs, where) for s in node.get("oneOf", [])]
    any_of = [_predicate(s, attrs, where) for s in node.get("anyOf", [])]
    negated = _predicate(node["not"], attrs, where) if "not" in keys else None
    if minimum is None and maximum is None and not one_of and not any_of and negated is None:
        return None
    if ("oneOf" in keys and not one_of) or ("anyOf" in keys and not any_of):
        raise UnsupportedSchemaError(f"an empty choice at {where}")
    pairs = tuple(attrs.items())

    def check(struct: Any) -> None:
        held = frozenset(name for name, attr in pairs if getattr(struct, attr) is not msgspec.UNSET)
        if (minimum is not None and len(held) < minimum) or (maximum is not None and len(held) > maximum):
            raise ValueError("the object holds too few or too many names")
        if one_of and sum(1 for p in one_of if p(held)) != 1:
            raise ValueError("not exactly one choice holds")
        if any_of and not any(p(held) for p in any_of):
            raise ValueError("no choice holds")
        if negated is not None and negated(held):
            raise ValueError("a forbidden combination of names")

    return check


def _predicate(node: Any, attrs: dict[str, str], where: str) -> Presence:
    """A subschema that only says which of the object's own names are present (`required`, `not`), as a
    predicate on them (a name the struct does not keep could not be seen)."""
    if not isinstance(node, dict) or set(node) - {"required", "not"} or not node:
        raise UnsupportedSchemaError(f"a choice beyond which names are present at {where}")
    names = frozenset(node.get("required", ()))
    if names - set(attrs):
        raise UnsupportedSchemaError(f"a choice over names the object does not list at {where}")
    inner = _predicate(node["not"], attrs, where) if "not" in node else None
    return lambda held: names <= held and (inner is None or not inner(held))


def _post_init(checks: tuple[Check, ...]) -> Callable[[Any], None]:
    def post_init(self: Any) -> None:
        for check in checks:
            check(self)

    return post_init
