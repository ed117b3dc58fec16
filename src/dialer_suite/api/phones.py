"""When two phone numbers are the same number: the vendor writes one number several ways.

The vendor's page spells numbers ``+1 111-111-1111``, ``+1-(201)-471-6992`` and
E.164; a contact added in one spelling is the same contact when read back, or
deleted, in another. The suite compares numbers as E.164, never as text.
"""

from __future__ import annotations

import phonenumbers


def same_phone(left: str | None, right: str | None) -> bool:
    """True when two spellings name the same number (``+1 201-555-0123`` == ``+12015550123``)."""
    if left is None or right is None:
        return False
    return _normalised(left) == _normalised(right)


def _normalised(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in number if ch.isdigit())
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
