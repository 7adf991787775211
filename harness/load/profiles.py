"""Load profiles as data (`scenarios/load/profiles.yaml`): which messages, how often, how many users."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from testkommune import scenarios
from testkommune.contracts.errors import UsageError

DATA = Path(scenarios.__file__).with_name("load")
PROFILES_FILE = DATA / "profiles.yaml"
MESSAGES = ("finansbilag", "opretdebitorkonto", "betalingsanmodning")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h)?$")


class ProfileError(UsageError):
    """A profile or an option given to it cannot be used (a usage error)."""


@dataclass(frozen=True)
class Profile:
    name: str
    title_da: str
    title_en: str
    weights: dict[str, int]
    users: int
    spawn_rate: float
    run_time_s: float
    wait_s: tuple[float, float]
    messages_per_user: int | None
    clock: str
    min_run_time_s: float = 0.0
    min_users: int = 1
    min_requests: int = 1

    def active(self) -> dict[str, int]:
        """The messages with a weight above zero."""
        return {k: v for k, v in self.weights.items() if v > 0}


def parse_duration(text: str | float) -> float:
    """`20s`, `2m`, `1h` or a number of seconds."""
    match = _DURATION.fullmatch(str(text).strip())
    if not match:
        raise ProfileError(f"cannot read duration {text!r}: use e.g. 20s, 2m or 1h")
    factor = {"s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]
    return float(match.group(1)) * factor


def load_profiles(path: Path = PROFILES_FILE) -> dict[str, Profile]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: _profile(name, body) for name, body in raw["profiles"].items()}


def _profile(name: str, body: dict[str, Any]) -> Profile:
    weights = {m: int(body["weights"].get(m, 0)) for m in MESSAGES}
    unknown = set(body["weights"]) - set(MESSAGES)
    if unknown or not any(weights.values()):
        raise ProfileError(f"profile {name}: weights must name some of {', '.join(MESSAGES)} above 0")
    low, high = (float(x) for x in body["wait_s"])
    return Profile(
        name=name,
        title_da=body["title"]["da"],
        title_en=body["title"]["en"],
        weights=weights,
        users=int(body["users"]),
        spawn_rate=float(body["spawn_rate"]),
        run_time_s=parse_duration(body["run_time"]),
        wait_s=(low, high),
        messages_per_user=body.get("messages_per_user"),
        clock=str(body["clock"]),
        **_minimums(name, body.get("judge")),
    )


def _minimums(name: str, judge: dict[str, Any] | None) -> dict[str, Any]:
    """The smallest run the profile's GO can rest on (`judge:` in profiles.yaml); every profile has one."""
    if not isinstance(judge, dict) or set(judge) != {"min_run_time", "min_users", "min_requests"}:
        raise ProfileError(f"profile {name}: judge needs min_run_time, min_users and min_requests")
    return {
        "min_run_time_s": parse_duration(judge["min_run_time"]),
        "min_users": int(judge["min_users"]),
        "min_requests": int(judge["min_requests"]),
    }


def profile(name: str) -> Profile:
    known = load_profiles()
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ProfileError(f"unknown profile {name!r}; profiles: {', '.join(known)}.{hint}")
    return known[name]
