"""Masking of personal data in free text, written once for every handler that needs it."""

from __future__ import annotations

import re

# An e-mail address: a local part and a dotted domain. Deliberately broad: masking a
# lookalike is better than leaking an address.
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")

# A phone number: an optional + or (, then 7-15 digits, possibly split by spaces, dots, dashes or
# brackets (E.164 allows at most 15 digits). Dates such as 2026-11-22 have 8 digits, so
# separated digit groups are only taken as a phone number when they do not look like an ISO
# date.
_PHONE = re.compile(r"(?<![\w+(])[+(]?\d(?:[\s().-]{0,2}\d){6,14}(?!\w)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _mask_email(match: re.Match[str]) -> str:
    return f"{match.group(1)}***@{match.group(2)}"


def _mask_phone(match: re.Match[str]) -> str:
    number = match.group(0)
    if _ISO_DATE.fullmatch(number):
        return number
    digits = [c for c in number if c.isdigit()]
    return "***" + "".join(digits[-2:])


def mask_pii(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers masked.

    ``jane.doe@example.com`` becomes ``j***@example.com`` (the domain stays readable) and
    ``+44 20 7946 0018`` becomes ``***18`` (the last two digits stay, so people can still
    tell two numbers apart).
    """
    if "@" in text:
        text = _EMAIL.sub(_mask_email, text)
    return _PHONE.sub(_mask_phone, text)
