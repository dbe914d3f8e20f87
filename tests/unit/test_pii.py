"""mask_pii: e-mail addresses and phone numbers masked, other text left alone."""

from __future__ import annotations

import pytest

from handlers.common.pii import mask_pii


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe@example.com", "write to j***@example.com"),
        ("a.b+tag@mail.example.co.uk!", "a***@mail.example.co.uk!"),
        ("call +44 20 7946 0018 now", "call ***18 now"),
        ("or 555-123-4567.", "or ***67."),
        ("office (030) 1234567", "office ***67"),
        ("two: +1 202 555 0143, bob@example.org", "two: ***43, b***@example.org"),
    ],
)
def test_masks_personal_data(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "see you on 2026-11-22 at 10:30",
        "order 12345 has 3 items",
        "release v1.2.3",
        "an @mention and a lone @ sign",
    ],
)
def test_leaves_other_text_alone(text: str) -> None:
    assert mask_pii(text) == text
