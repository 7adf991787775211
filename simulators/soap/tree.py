"""Small edits of a parsed request tree by local name: find, lift a leaf to another place, prune."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from xml.etree.ElementTree import Element, SubElement

from testkommune.simulators.soap.safexml import local, namespace


def child(parent: Element, name: str) -> Element | None:
    """The first child element with this local name."""
    return next((c for c in parent if isinstance(c.tag, str) and local(c.tag) == name), None)


def find(parent: Element, path: str) -> tuple[Element, Element] | None:
    """(parent, element) at a `/`-separated path of local names below `parent`, or None."""
    holder, found = parent, None
    for part in path.split("/"):
        if found is not None:
            holder = found
        found = child(holder, part)
        if found is None:
            return None
    return (holder, found) if found is not None else None


def ensure(parent: Element, path: str) -> Element:
    """The element at `path` below `parent`, created (in the parent's namespace) where missing."""
    ns = namespace(parent.tag)
    for part in path.split("/"):
        existing = child(parent, part)
        parent = existing if existing is not None else SubElement(parent, f"{{{ns}}}{part}" if ns else part)
    return parent


def lift(scope: Element, mapping: dict[str, list[str]]) -> None:
    """Move the text at each source path to every target path (both relative to `scope`)."""
    for source, targets in mapping.items():
        found = find(scope, source)
        if found is None:
            continue
        holder, element = found
        holder.remove(element)
        for target in targets:
            ensure(scope, target).text = element.text


def prune(
    root: Element, allowed: Iterable[str], report: Callable[[str, Element], None], path: str = ""
) -> None:
    """Remove every element outside the allowed namespaces, reporting each with its path."""
    allowed = frozenset(allowed)
    here = f"{path}/{local(root.tag)}" if path else local(root.tag)
    for element in list(root):
        if not isinstance(element.tag, str):
            continue
        if namespace(element.tag) not in allowed:
            report(f"{here}/{{{namespace(element.tag)}}}{local(element.tag)}", element)
            root.remove(element)
        else:
            prune(element, allowed, report, here)
