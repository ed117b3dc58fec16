"""Phone numbers and emails as the vendor accepts them.

A phone number is accepted when libphonenumber can parse it in international
form (a leading ``+`` and country code; punctuation such as ``+1 111-111-1111``
or ``+1-(201)-471-6992`` allowed) and finds it *possible*. Not *valid*: the
vendor's own example ``+1 111-111-1111`` is only possible, and it is listed
under ``valid_contacts``. Numbers are compared as E.164.

Parsing costs ~30-50 µs per number, which dominates a 100,000-contact import,
so the three North American forms the vendor writes take an exact fast path;
``tests/simulator/test_phones.py`` checks it agrees with libphonenumber.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

# +1 NPA-NXX-XXXX with an NPA that cannot be read as a national prefix: for these
# libphonenumber's answer is always "possible, E.164 = +1 and the ten digits".
_NANP_FAST = re.compile(
    r"\+1(?:([2-9]\d{9})|[ ]([2-9]\d\d)-(\d{3})-(\d{4})|-\(([2-9]\d\d)\)-(\d{3})-(\d{4}))"
)
# libphonenumber refuses longer input outright (its _MAX_INPUT_STRING_LENGTH).
_MAX_TEXT = 250
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
# What a form validator without a numbering plan takes (x-assumption phone-validation
# format-only): an optional +, digits, spaces, dots, dashes and parentheses; 8 to 15 digits.
_LOOSE_PHONE = re.compile(r"\+?[0-9 ().-]+")
_DIGITS = re.compile(r"[0-9]")


def normalize_phone(text: str) -> str | None:
    """The E.164 form of ``text``, or None when it is not a possible number."""
    match = _NANP_FAST.fullmatch(text)
    if match is not None:
        return "+1" + "".join(group for group in match.groups() if group)
    if len(text) > _MAX_TEXT:  # also keeps huge strings out of the cache below
        return None
    return _normalize_slowly(text)


@functools.lru_cache(maxsize=65536)
def _normalize_slowly(text: str) -> str | None:
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_email(text: str) -> bool:
    """A deliberately loose check (one ``@``, a dotted domain, no spaces): what forms check, not RFC 5322."""
    return _EMAIL.fullmatch(text) is not None


def loosely_formatted(text: str) -> bool:
    """Whether ``text`` looks like a phone number by its characters alone (no numbering plan)."""
    return _LOOSE_PHONE.fullmatch(text) is not None and 8 <= len(_DIGITS.findall(text)) <= 15


def digits_key(text: str) -> str:
    """``+`` and the digits of ``text``: how a number libphonenumber cannot read is compared."""
    return "+" + "".join(_DIGITS.findall(text))
