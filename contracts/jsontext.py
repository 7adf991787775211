"""JSON text as the standard library writes and reads it, made by orjson where that gives the same result.

The simulators render every answer as `json.dumps(…, ensure_ascii=False, allow_nan=False,
separators=(",", ":"))` (Starlette's JSONResponse) and read every body with `json.loads`. orjson does the
same work several times faster, and for nearly every value its text is the same byte for byte. Where it
is not, these functions use the standard library instead, so what a caller gets does not change:

- writing: a float below 1e-4 in magnitude (orjson `0.00001`, `1e-7`; Python `1e-05`, `1e-07`) — any
  output with such a number token is written again by `json`; integers beyond 64 bits, keys that are not
  strings, lone surrogates and objects `json` cannot write (dataclasses, datetimes, subclasses) make orjson
  refuse, and `json` then writes or refuses them as before;
- reading: a run of 19 or more digits (orjson reads an integer beyond 64 bits as a float) and anything
  orjson refuses (its error messages differ) are read by `json`.

One difference is left, in a case that was a defect before: a non-finite float (inf, NaN) is written as
`null`, where `json` with `allow_nan=False` raises (a 500 answer). No parsed body holds one
(`simulators/http.py` refuses them) and no answer computes one; looking for one in every answer would cost
more than orjson saves.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

_PASSTHROUGH = (
    orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS
)
_NUMBER_BYTES = frozenset(b"0123456789.-")
_DIGITS = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
"""Every ASCII digit as `0`, every other byte as a space: after `bytes.translate`, a run of digits is a run
of zeros."""
_NINETEEN_DIGITS = b"0" * 19


class Written:
    """JSON text this module wrote earlier (a stored answer), put into a value to be written as it is:
    `dumps` copies it into its output without reading it again."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _refuse(value: Any) -> Any:
    if isinstance(value, Written):
        return orjson.Fragment(value.text)
    raise TypeError(f"left to json: {type(value).__name__}")


def _read_written(value: Any) -> Any:
    if isinstance(value, Written):
        return loads(value.text)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps_bytes(value: Any) -> bytes:
    """`json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))` as UTF-8."""
    try:
        text = orjson.dumps(value, default=_refuse, option=_PASSTHROUGH)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _std_dumps(value).encode("utf-8")
    if _float_differs(text):
        return _std_dumps(value).encode("utf-8")
    return text


def dumps(value: Any) -> str:
    """`dumps_bytes` as text."""
    return dumps_bytes(value).decode("utf-8")


def _std_dumps(value: Any) -> str:
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"), default=_read_written
    )


def _float_differs(text: bytes) -> bool:
    """Whether orjson's `text` may hold a number token Python writes otherwise (`1e-7`, `1.5e-5`,
    `0.00001`): such text starting a value (after `:`, `,`, `[` or at the start). Text inside a string
    that looks the same only costs a rewrite by json."""
    for marker in (b"e-", b"0.0000"):
        at = text.find(marker)
        while at != -1:
            start = at
            while start > 0 and text[start - 1] in _NUMBER_BYTES:
                start -= 1
            if (start < at or marker != b"e-") and (start == 0 or text[start - 1] in b":,["):
                return True
            at = text.find(marker, at + 2)
    return False


def loads_fast(raw: bytes | str) -> tuple[bool, Any]:
    """(True, the value) when orjson reads `raw` exactly as `json.loads` would; (False, None) when the
    caller must read it with `json` (which also gives the reason for a refusal)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if _NINETEEN_DIGITS in data.translate(_DIGITS):
        return False, None
    try:
        return True, orjson.loads(data)
    except orjson.JSONDecodeError:
        return False, None


def loads(raw: bytes | str) -> Any:
    """`json.loads(raw)`."""
    done, value = loads_fast(raw)
    return value if done else json.loads(raw)


def content_digest(value: Any) -> str:
    """A SHA-256 of `value`'s content, the same whatever the order of its members: what tells a resent
    message from a different one under the same id. orjson with sorted keys; `json` for what orjson
    refuses (integers beyond 64 bits, say), so the same value always gets the same digest."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(text).hexdigest()
