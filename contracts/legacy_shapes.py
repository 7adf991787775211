"""PSRM's JSON shapes from before the contracts followed SKAT's real structure, translated to the new one.

The only place that knows the old names: `contracts/psrm/legacy_shapes.json` says where each old field of
each action structure now lives. `translate` returns the message in the new shape and the JSON path of every
old field it moved, so the caller can say so (a Deprecation header, a journal warning). A message already in
the new shape comes back unchanged with no paths. Old shapes are accepted for one release.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from testkommune import contracts
from testkommune.contracts.findings import join_path


@cache
def mapping() -> dict[str, Any]:
    """`contracts/psrm/legacy_shapes.json`."""
    return json.loads((contracts.ROOT / "psrm" / "legacy_shapes.json").read_text(encoding="utf-8"))


def translate(message: Any, text: str | None = None) -> tuple[Any, list[str]]:
    """(the message in the new shape, the JSON path of every old field or structure found).

    `text`: the message as received, when the caller has it; the search for old liability dates, a walk of
    the whole message, is skipped when none of their names is in it (nor any \\u escape that could spell one).
    """
    if not isinstance(message, dict):
        return message, []
    haeftelser = (
        text is None or "\\u" in text or any(name in text for name in mapping()["haeftelse"]["moves"])
    )
    if not any(_is_old(a, haeftelser) for a in _actions(message)):
        return message, []  # the common case: no copy
    found: list[str] = []
    translated = copy.deepcopy(message)
    for index, action in enumerate(_actions(translated)):
        base = join_path("$", "FordringAktionSamling", "FordringAktion", index, "AktionValg")
        valg = action.get("AktionValg") if isinstance(action, dict) else None
        if isinstance(valg, dict):
            _into_structure(action, valg, base.removesuffix(".AktionValg"), found)
            _structures(valg, base, found)
            _haeftelser(valg, base, found)
    return (translated, found) if found else (message, [])


def _is_old(action: Any, haeftelser: bool = True) -> bool:
    """Does this action use a field or structure of the old shape anywhere (its liabilities too, when
    `haeftelser`)?"""
    if not isinstance(action, dict) or not isinstance(action.get("AktionValg"), dict):
        return False
    if any(field in action for field in mapping()["aktion"]["into_structure"]):
        return True
    structures = mapping()["structures"]
    for name, struct in action["AktionValg"].items():
        spec = structures.get(name)
        if spec is not None and (spec.get("renamed") or any(old in struct for old in spec["moves"])):
            return True
    return haeftelser and _old_haeftelse(action["AktionValg"])


# The liability structures sit a few levels below AktionValg; a message nested deeper is no old shape (and is
# the route's to refuse as too deep), so the search stops there instead of recursing without bound.
_HAEFTELSE_MAX_DEPTH = 8


def _old_haeftelse(value: Any, depth: int = 0) -> bool:
    """Does any MFHæftelseStruktur below carry an old liability date (read only, no copy)?"""
    if depth > _HAEFTELSE_MAX_DEPTH:
        return False
    if isinstance(value, list):
        return any(_old_haeftelse(item, depth + 1) for item in value)
    if not isinstance(value, dict):
        return False
    old = mapping()["haeftelse"]["moves"]
    for key, item in value.items():
        if key == "MFHæftelseStruktur" and isinstance(item, list):
            if any(isinstance(h, dict) and any(name in h for name in old) for h in item):
                return True
        elif isinstance(item, dict | list) and _old_haeftelse(item, depth + 1):
            return True
    return False


def _actions(message: dict[str, Any]) -> list[Any]:
    samling = message.get("FordringAktionSamling")
    actions = samling.get("FordringAktion") if isinstance(samling, dict) else None
    return actions if isinstance(actions, list) else []


def _into_structure(action: dict[str, Any], valg: dict[str, Any], base: str, found: list[str]) -> None:
    """MFAktionID (and the like) from the action into its structure, where the real samples have it."""
    spec = mapping()["aktion"]
    if len(valg) != 1:
        return
    name, struct = next(iter(valg.items()))
    inner = spec["nested"].get(name)
    holder = struct.get(inner) if inner and isinstance(struct, dict) else struct
    if not isinstance(holder, dict):
        return
    for field in spec["into_structure"]:
        if field in action:
            found.append(join_path(base, field))
            holder.setdefault(field, action.pop(field))


def _structures(valg: dict[str, Any], base: str, found: list[str]) -> None:
    for old_name, spec in mapping()["structures"].items():
        struct = valg.get(old_name)
        if not isinstance(struct, dict):
            continue
        path = join_path(base, old_name)
        new_name = spec.get("renamed", old_name)
        if new_name != old_name:
            found.append(path)
            valg[new_name] = valg.pop(old_name)
        if _move(struct, spec, path, found):
            for parent, values in spec.get("defaults", {}).items():
                if isinstance(struct.get(parent), dict):
                    for key, value in values.items():
                        struct[parent].setdefault(key, value)


def _move(struct: dict[str, Any], spec: dict[str, Any], path: str, found: list[str]) -> bool:
    """Move each old field to its new path; True if any was there."""
    moved = False
    for old, new_path in spec["moves"].items():
        if old not in struct:
            continue
        value = struct.pop(old)
        found.append(join_path(path, old))
        holder = struct
        for name in new_path[:-1]:
            holder = holder.setdefault(name, {}) if isinstance(holder.get(name, {}), dict) else {}
        holder[new_path[-1]] = value
        moved = True
    return moved


def _haeftelser(value: Any, path: str, found: list[str], depth: int = 0) -> None:
    """The liability dates in every MFHæftelseStruktur of the action, wherever its claims nest them."""
    if depth > _HAEFTELSE_MAX_DEPTH:
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _haeftelser(item, join_path(path, index), found, depth + 1)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        if key == "MFHæftelseStruktur" and isinstance(item, list):
            for index, haeftelse in enumerate(item):
                if isinstance(haeftelse, dict):
                    _move(haeftelse, mapping()["haeftelse"], join_path(path, key, index), found)
        else:
            _haeftelser(item, join_path(path, key), found, depth + 1)
