"""orjson on the hot path (`contracts/jsontext.py`) writes and reads what the standard library does."""

from __future__ import annotations

import json
import random
import struct
from dataclasses import dataclass
from datetime import datetime

import orjson
import pytest
import sqlalchemy as sa
from testkommune.contracts import jsontext
from testkommune.simulators.http import parse_json

from tests.messages import fordring, opret


def _std(value):
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def _outcome(function, value):
    try:
        return "ok", function(value)
    except Exception as exc:  # the same refusal: the same exception type
        return "refused", type(exc).__name__


@dataclass
class _Point:
    x: int


def _floats(count: int) -> list[float]:
    rng = random.Random(18)
    values = []
    while len(values) < count:
        value = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        if value == value and abs(value) != float("inf"):
            values.append(value)
    return values + [m * 10.0**e for e in range(-320, 300, 7) for m in (1, 1.5, 9.99)]


VALUES = [
    {"Kvittering": {"Status": "MODTAGET", "Fejl": []}, "Beløb": 1234.5, "n": None, "ok": True},
    'æøå ÆØÅ \u2028 \x00\x1f\x7f "quote" \\ / 😀',
    [0.00001, 1e-7, -2.5e-5, 1e16, 1e22, -0.0, 0.1, 5e-324],
    {"big": 2**64, "negative": -(2**63) - 1},
    {1: "an integer key"},
    "\ud800 a lone surrogate",
    {"when": datetime(2026, 12, 5)},
    _Point(1),
    {"a": None, "b": [-1e-7, "0.00001 e-5", ":1e-5"]},
    [None, "1e-5", 1e-5],
    (1, 2),
    *_floats(3000),
]


@pytest.mark.parametrize("value", VALUES[:11], ids=range(11))
def test_writes_the_bytes_json_writes_or_refuses_as_json_does(value):
    assert _outcome(jsontext.dumps_bytes, value) == _outcome(_std, value)


def test_the_one_difference_is_a_non_finite_float_written_as_null_where_json_refuses():
    """Documented in `contracts/jsontext.py`: no body holds one (refused) and no answer computes one."""
    assert jsontext.dumps_bytes([float("nan"), float("inf")]) == b"[null,null]"
    with pytest.raises(ValueError):
        _std([float("nan")])


def test_every_float_is_written_as_python_writes_it():
    floats = VALUES[11:]
    assert [jsontext.dumps_bytes(f) for f in floats] == [_std(f) for f in floats]
    assert jsontext.dumps_bytes(floats) == _std(floats)


TEXTS = [
    '{"a":1,"a":2}',
    "123456789012345678901234567890",
    "[18446744073709551616, -9223372036854775809, 9223372036854775807]",
    "1e309",
    "NaN",
    "[1,]",
    '"\\ud800"',
    '"\\ud83d\\ude00"',
    '"a\x01b"',
    "\ufeff[1]",
    "1e-400",
    "[" * 3000 + "]" * 3000,
    '{"Beløb": 1234.50, "x": [0.1, 1E+5, -0, -0.0]}',
]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_reads_what_json_reads_or_refuses_as_json_does(text):
    mine, theirs = _outcome(jsontext.loads, text), _outcome(json.loads, text)
    assert repr(mine) == repr(theirs)
    raw = text.encode("utf-8", "surrogatepass")
    assert repr(_outcome(jsontext.loads, raw)) == repr(_outcome(json.loads, raw))


def test_a_body_with_an_integer_beyond_64_bits_keeps_it_an_integer():
    assert parse_json(b'{"n": 123456789012345678901234567890}') == {"n": 123456789012345678901234567890}


def test_answers_over_http_are_what_the_standard_library_renders(api):
    """An answer and a refusal, as sent: byte for byte Starlette's json.dumps rendering of their content."""
    answer = api.opret(opret(fordring(ref="F-bytes"), account="K-bytes"))
    refused = api.opret({"Hovedoplysninger": {"TransaktionsID": 1.5e-05}})
    assert answer.status_code == 200 and refused.status_code == 400, (answer.text, refused.text)
    for response in (answer, refused):
        assert response.content == _std(json.loads(response.content))


@pytest.mark.parametrize(
    "beside",
    [{"n": 1}, {"n": 1e-05}, {"n": 2**70}],
    ids=["orjson-writes-all", "a-small-float-beside-it", "a-big-integer-beside-it"],
)
def test_stored_text_is_written_as_if_it_had_been_read_again(beside):
    """An answer stored as text (`Written`) goes into a new answer unread, and the bytes are those of the
    value read and written again, also where the rest of the value makes `json` write it all."""
    stored = {"BilagID": "B-1", "Beløb": 12.5, "Fejl": [], "e-": "x"}
    text = jsontext.dumps(stored)
    assert jsontext.dumps_bytes({"Svar": [jsontext.Written(text)], **beside}) == _std(
        {"Svar": [stored], **beside}
    )


def test_the_content_digest_ignores_member_order_and_tells_content_apart():
    message = opret(fordring("F1"))
    reordered = json.loads(json.dumps(dict(reversed(list(message.items())))))
    assert jsontext.content_digest(reordered) == jsontext.content_digest(message)
    assert jsontext.content_digest({"a": 2**70}) == jsontext.content_digest({"a": 2**70})
    assert jsontext.content_digest({"a": 1}) != jsontext.content_digest({"a": 2})


def test_a_stored_row_has_plain_string_names_that_orjson_writes():
    """SQLAlchemy names a row's columns with a str subclass, which orjson refuses as a key; every answer
    built from stored rows then went the slow way through `json` (an 8 MB state held the GIL ~90 ms)."""
    from testkommune.simulators import store as stored
    from testkommune.simulators.store import Store

    state = Store(":memory:")
    with state.transaction() as conn:
        row = conn.execute(sa.select(stored.meta)).first()
    state.close()
    plain = stored.plain(row)
    assert plain and {type(name) for name in plain} == {str}
    orjson.dumps(plain, option=jsontext._PASSTHROUGH)  # raises "Dict key must be str" for the subclass
