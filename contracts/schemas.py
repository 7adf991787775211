"""Message contracts: JSON Schema 2020-12 files in `contracts/`, compiled once.

A message is checked on the hot path by its msgspec shape (`contracts/shapes.py`, generated from the
schema, never looser than it) in C; a message the shape refuses, or one whose schema has no shape, is
checked by a compiled validator (fastjsonschema), and only when that finds it invalid is it explained in
full by `jsonschema`, which lists every problem with its path. All read the same file and share the same
format checks, so they agree on what is valid.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import msgspec
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from testkommune import contracts
from testkommune.contracts.findings import Finding
from testkommune.contracts.shapes import ShapeBuilder, UnsupportedSchemaError

BASE_URI = "https://testkommune.dk/contracts/"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_date(value: object) -> bool:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return not isinstance(value, str)
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_datetime(value: object) -> bool:
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        return not isinstance(value, str)
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID.fullmatch(value))


FORMATS: dict[str, Callable[[object], bool]] = {"date": is_date, "date-time": is_datetime, "uuid": is_uuid}


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    for name, func in FORMATS.items():
        checker.checks(name)(func)
    return checker


def ecma_anchors(pattern: str) -> str:
    """`pattern` with ECMA-262's `$` (end of input) written as Python's `\\Z`: Python's `$` also matches
    before a final newline, so `^K[0-9]+$` would accept "K1\\n". Escapes and character classes are kept."""
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            out.append("\\Z")
            continue
        out.append(char)
    return "".join(out)


def for_validators(node: Any) -> Any:
    """A copy of a schema whose `pattern`s and `patternProperties` keys match as ECMA-262 says (the files
    keep their JSON Schema text; only what the Python validators compile is rewritten)."""
    if isinstance(node, list):
        return [for_validators(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "pattern" and isinstance(value, str):
            out[key] = ecma_anchors(value)
        elif key == "patternProperties" and isinstance(value, dict):
            out[key] = {ecma_anchors(k): for_validators(v) for k, v in value.items()}
        else:
            out[key] = for_validators(value)
    return out


class Contract:
    """One message contract: its msgspec shape, a compiled fast validator and a full explainer, all over
    the same schema."""

    def __init__(
        self,
        name: str,
        schema: dict[str, Any],
        registry: Registry,
        store: dict[str, Any],
        shapes: ShapeBuilder,
    ) -> None:
        self.name = name
        self.schema = schema
        self.shape: Any = None
        """The msgspec type checking a message in C, or None when the schema has no exact translation."""
        self._shape_covers_amounts = False
        """Whether a message the shape accepts holds no amount with more than two decimals (every number is
        in a closed struct that checks it), so the walk for them is not needed."""
        try:
            self.shape, self._shape_covers_amounts = shapes.shaped(schema["$id"])
        except UnsupportedSchemaError as reason:
            self.unshaped = str(reason)
        self.carries_amounts = name.startswith(("oir/", "psrm/", "admin/", "erp/", "nemkonto/"))
        # fastjsonschema rewrites $refs in the dicts it is given: give it copies, keep the contracts pristine
        pristine = copy.deepcopy(store)
        compiled = for_validators(schema)
        self._fast = fastjsonschema.compile(
            copy.deepcopy(compiled),
            handlers={"https": lambda uri: copy.deepcopy(pristine[uri])},
            formats=FORMATS,
            use_default=False,
        )
        self._full = Draft202012Validator(compiled, registry=registry, format_checker=_format_checker())

    unshaped = ""
    """Why the schema has no shape (the first keyword the generator could not translate), if it has none."""

    def check(self, message: Any) -> list[Finding]:
        """Every contract violation in `message`, each with its JSON path; empty when valid."""
        if self._shape_accepts(message):
            if not self.carries_amounts or self._shape_covers_amounts:
                return []
        else:
            try:
                self._fast(message)
            except fastjsonschema.JsonSchemaException:
                return _explain_bounded(self._full, message)
        return list(_amount_findings(message, "$")) if self.carries_amounts else []

    def _shape_accepts(self, message: Any) -> bool:
        if self.shape is None:
            return False
        try:
            msgspec.convert(message, self.shape)
        except msgspec.ValidationError:
            return False
        return True


class Findings(list[Finding]):
    """The first EXPLAINED findings of a message, and in `total` how many there were in all."""

    total: int = 0


EXPLAINED = 100
"""At most this many violations are explained (each with path and texts); the rest are only counted, so a
message with 400,000 unknown fields costs a count, not 400,000 findings."""


def _explain_bounded(validator: Draft202012Validator, message: Any) -> Findings:
    kept = Findings()
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors(message):
        kept.total += _count(error)
        for finding in islice(_to_findings(error), max(0, EXPLAINED - len(kept))):
            if (finding.code, finding.path) in seen:  # `required` reports each missing name once per error
                kept.total -= 1
                continue
            seen.add((finding.code, finding.path))
            kept.append(finding)
    kept.sort(key=lambda f: (f.path, f.code))
    return kept


def _count(error: jsonschema.ValidationError) -> int:
    """How many findings `_to_findings(error)` gives, without making them."""
    if error.validator == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        return sum(1 for name in error.validator_value if name not in present)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        allowed = set(error.schema.get("properties", {}))
        return sum(1 for name in error.instance if name not in allowed)
    return 2 if isinstance(error.schema, dict) and error.schema.get("x-kode") else 1


def _amount_findings(value: Any, path: str) -> Iterator[Finding]:
    """Every number in a message contract is an amount in kroner: at most two decimals (read via repr)."""
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text or ("." in text and len(text.split(".")[1]) > 2):
            yield Finding("SCHEMA-BELOEB", path, {"field": path.rsplit(".", 1)[-1], "value": value})
    elif isinstance(value, dict):  # strings, integers and the like hold no amount: not descended into
        for key, item in value.items():
            if isinstance(item, (float, dict, list)):
                yield from _amount_findings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (float, dict, list)):
                yield from _amount_findings(item, f"{path}[{i}]")


_KEYWORD_CODES = {
    "type": "SCHEMA-TYPE",
    "format": "SCHEMA-FORMAT",
    "enum": "SCHEMA-ENUM",
    "const": "SCHEMA-ENUM",
    "pattern": "SCHEMA-PATTERN",
    "minLength": "SCHEMA-LENGTH",
    "maxLength": "SCHEMA-LENGTH",
    "minimum": "SCHEMA-RANGE",
    "maximum": "SCHEMA-RANGE",
    "exclusiveMinimum": "SCHEMA-RANGE",
    "exclusiveMaximum": "SCHEMA-RANGE",
    "minItems": "SCHEMA-ITEMS",
    "maxItems": "SCHEMA-ITEMS",
    "uniqueItems": "SCHEMA-ITEMS",
    "minProperties": "SCHEMA-ITEMS",
    "oneOf": "SCHEMA-VALG",
    "anyOf": "SCHEMA-VALG",
}


def _path(parts: Any) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _shown(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:77] + "..."
    return value


def _to_findings(error: jsonschema.ValidationError) -> Iterator[Finding]:
    path = _path(error.absolute_path)
    keyword = error.validator
    if keyword == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        for name in error.validator_value:
            if name not in present:
                yield Finding("SCHEMA-REQUIRED", f"{path}.{name}", {"field": name})
        return
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        allowed = set(error.schema.get("properties", {}))
        for name in error.instance:
            if name not in allowed:
                yield Finding(
                    "SCHEMA-UKENDT-FELT",
                    f"{path}.{name}",
                    {"field": name, "allowed": ", ".join(sorted(allowed))},
                )
        return
    if keyword in ("oneOf", "anyOf") and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None:
            yield from _to_findings(best)
            return
    params = {
        "field": path.rsplit(".", 1)[-1],
        "value": _shown(error.instance),
        "expected": _shown(error.validator_value),
    }
    detail = error.message if len(error.message) <= 300 else error.message[:297] + "..."
    yield Finding(_KEYWORD_CODES.get(keyword, "SCHEMA-ANDET"), path, params | {"detail": detail})
    native = error.schema.get("x-kode") if isinstance(error.schema, dict) else None
    if native:  # the counterpart's own code for this field's structural rule (e.g. PSRM 411), alongside
        yield Finding(native, path, params)


class ContractSet:
    """All contracts under a folder, keyed by path without `.schema.json`, e.g. `psrm/MFKvitteringHent_I`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.raw: dict[str, dict[str, Any]] = {}
        for file in sorted(root.rglob("*.schema.json")):
            name = file.relative_to(root).as_posix().removesuffix(".schema.json")
            self.raw[name] = json.loads(file.read_text(encoding="utf-8"))
        store = {schema["$id"]: for_validators(schema) for schema in self.raw.values()}
        registry: Registry = Registry().with_resources(
            (uri, Resource.from_contents(schema)) for uri, schema in store.items()
        )
        self._registry = registry
        self._store = store
        self._shapes = ShapeBuilder(store, FORMATS)
        self._compiled: dict[str, Contract] = {}

    def names(self) -> list[str]:
        return sorted(self.raw)

    def get(self, name: str) -> Contract:
        contract = self._compiled.get(name)
        if contract is None:
            contract = Contract(name, self.raw[name], self._registry, self._store, self._shapes)
            self._compiled[name] = contract
        return contract

    def compile_all(self) -> None:
        """Compile every contract now (a server does this at start so no request pays for it)."""
        for name in self.raw:
            self.get(name)

    def version(self) -> str:
        """The contract set's version: `contracts/VERSION`."""
        return (self.root / "VERSION").read_text(encoding="utf-8").strip()


@cache
def contract_set() -> ContractSet:
    """The project's contracts (loaded once per process)."""
    return ContractSet(contracts.ROOT)


def load_reference(name: str) -> Any:
    """A reference data file from `contracts/reference/`, parsed."""
    return json.loads((contracts.ROOT / "reference" / name).read_text(encoding="utf-8"))
