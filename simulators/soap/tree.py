"""Small edits of a parsed request tree by local name: find a child, prune foreign elements."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from xml.etree.ElementTree import Element

from testkommune.simulators.soap.safexml import local, namespace


def child(parent: Element, name: str) -> Element | None:
    """The first child element with this local name."""
    return next((c for c in parent if isinstance(c.tag, str) and local(c.tag) == name), None)


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
