"""What AWS's services refuse as JSON, refused the same way before it is parsed."""

from __future__ import annotations

import pytest

from local_runtime.strict_json import JsonRefusedError, decode, loads, nesting


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": Infinity}', "Infinity is not a JSON number"),
        ('{"a": -Infinity}', "-Infinity is not a JSON number"),
        ('{"a": "\\ud800"}', "lone surrogate"),
        ('{"\\udc00": 1}', "lone surrogate"),
        ("[" * 1001 + "]" * 1001, "nested 1001 levels deep; at most 1000"),
        ('{"a": 1,}', "not JSON"),
        (b'{"a": "\xff"}', "not UTF-8 (byte 0xff at position 7)"),
    ],
)
def test_refused(text: str | bytes, why: str) -> None:
    with pytest.raises(JsonRefusedError) as refused:
        loads(text, max_depth=1000)
    assert why in str(refused.value)


def test_accepted_at_the_limit_and_with_escaped_pairs() -> None:
    assert loads("[" * 1000 + "]" * 1000, max_depth=1000) is not None
    assert loads('{"emoji": "\\ud83d\\ude00"}', max_depth=1) == {"emoji": "\U0001f600"}
    assert loads(b'{"a": "caf\xc3\xa9"}', max_depth=1) == {"a": "café"}


def test_nesting_skips_brackets_inside_strings() -> None:
    assert nesting('{"a": "[[[[", "b": [{"c": "\\"]]"}]}') == 3
    assert nesting('"just a string"') == 0


def test_decode_names_the_byte() -> None:
    with pytest.raises(JsonRefusedError, match="byte 0xc3 at position 1"):
        decode(b"a\xc3")
