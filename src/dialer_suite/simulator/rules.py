"""The vendor's contact rules, with neither storage nor HTTP.

Which fields a contact has, which values are refused and why, when two phone
numbers are the same contact, and which contacts a write must leave alone. The
tenant (``models.py``), the import jobs (``import_jobs.py``) and the request
handlers (``responses.py``) all apply these, so a rule holds the same way
whether a contact arrives alone, in a file or as an update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dialer_suite.api import statuses as sm
from dialer_suite.api.spec import contact_statuses
from dialer_suite.simulator import faults, phones
from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.exceptions import ContactInCall
from dialer_suite.simulator.switches import Switches

INPUT_FIELDS = ("name", "email", "phone_number", "outbound_number", "external_unique_id")
# The documented update body has no outbound_number; accepting it costs nothing and loses nothing.
UPDATE_FIELDS = INPUT_FIELDS
NEW_CONTACT_STATUS = contact_statuses()[0]  # "Upcoming"

# -- faults that live in the rules -------------------------------------------
_fault = faults.register_fault
DUPLICATES_AS_SENT = _fault(
    "duplicates-compared-as-sent", "behaviour", ["addContact", "updateContact", "importContacts"],
    "duplicates are compared as typed, so +12015550123 and +1 201-555-0123 both get in (no normalization)",
)
INVALID_PHONES_ACCEPTED = _fault(
    "invalid-phone-accepted", "behaviour", ["addContact", "importContacts", "updateContact"],
    "any phone_number text is accepted as valid (phone validation switched off)",
)

# -- assumptions decided by the rules ----------------------------------------
PHONE_VALIDATION = register_assumption(
    "phone-validation", "possible",
    {
        "possible": "a phone that is not a possible number (libphonenumber) is refused; a possible "
                    "but not valid one such as +1 111-111-1111 is taken",
        "format-only": "a phone is checked by its characters alone (+, digits, spaces, dots, dashes, "
                       "parentheses; 8 to 15 digits), without a numbering plan",
        "none": "any phone_number text is taken; the dialer finds an impossible one an Invalid Number",
    },
    lean="none",
)
PHONE_NORMALIZATION = register_assumption(
    "phone-normalization", "numbers",
    {
        "numbers": "numbers are compared as numbers (E.164): +1 201-555-0123 and +12015550123 are one",
        "as-typed": "numbers are compared as the text sent: other spellings are other numbers, for "
                    "duplicates and for delete by phone_number",
    },
    lean="as-typed",
)
PHONE_REQUIRED = register_assumption(
    "phone-required", "required",
    {
        "required": "a contact without phone_number is refused (in invalid_contacts)",
        "optional": "a contact without phone_number is stored (the page marks no field required) "
                    "and listed with phone_number null; the dialer finds it an Invalid Number",
    },
    lean="optional",
)
DIALING_WRITES = register_assumption(
    "dialing-writes", "refuse-422",
    {
        "refuse-422": "update and delete of a contact in a live call answer 422; nothing changes",
        "allow": "update and delete go through during a live call; a deleted contact's call just ends",
        "409": "update and delete of a contact in a live call answer 409 Conflict; nothing changes",
    },
    lean="allow",
)


def type_errors(contact: Mapping[str, Any], fields: Sequence[str] = INPUT_FIELDS) -> list[str]:
    """Reasons why the fields of ``contact`` are not the JSON strings the API takes."""
    errors = []
    for name in fields:
        if name in contact:
            value = contact[name]
            if not isinstance(value, str):
                errors.append(f"`{name}` must be a string, got {_json_type(value)}")
            elif not _is_encodable(value):
                errors.append(f"`{name}` contains an unpaired UTF-16 surrogate; send valid Unicode")
    return errors


def contact_errors(switches: Switches, contact: Mapping[str, str]) -> list[str]:
    """Why a contact with well-typed fields cannot be stored (an empty list when it can)."""
    errors = []
    phone = contact.get("phone_number")
    if phone is None:
        if switches.choice(PHONE_REQUIRED) == "required":
            errors.append("`phone_number` is required")
    elif phone_key(switches, phone) is None:
        errors.append(
            f"`phone_number` {phone!r} is not a possible phone number; "
            "send it in international form, e.g. +1 201-555-0123"
        )
    email = contact.get("email")
    if email is not None and not phones.is_email(email):
        errors.append(f"`email` {email!r} is not an email address")
    return errors


def phone_key(switches: Switches, phone: str) -> str | None:
    """What two phone numbers are compared on, None for a number that is refused.

    The played ``phone-validation`` says which numbers are refused and
    ``phone-normalization`` what is compared: E.164, or the text as sent. A
    number libphonenumber cannot read but the validation took is compared as
    typed (by its digits, where only its format was checked).
    """
    e164 = phones.normalize_phone(phone)
    validation = switches.choice(PHONE_VALIDATION)
    if validation == "format-only":
        if not phones.loosely_formatted(phone):
            return None
    elif e164 is None and validation != "none" and not switches.fault(INVALID_PHONES_ACCEPTED):
        return None
    if switches.fault(DUPLICATES_AS_SENT) or switches.choice(PHONE_NORMALIZATION) == "as-typed":
        return phone
    if e164 is None:
        return phones.digits_key(phone) if validation == "format-only" else phone
    return e164


def refuse_while_in_call(switches: Switches, contact_id: int, status: str, action: str) -> None:
    """Raise ``ContactInCall`` when ``action`` ("update"/"delete") meets a contact in a live call.

    x-assumption ``dialing-writes``: a contact with a live call attached
    (``Dialing``, ``Queued``, ``Connected``, ``Transferred``) can be neither
    changed nor removed: 422, as the vendor's Rails API answers any other failed
    validation (or 409, or the write goes through: the played choice). In every
    other status both work, and an update never changes the status (a
    ``Skipped & Closed`` contact stays closed).
    """
    played = switches.choice(DIALING_WRITES)
    if status in sm.IN_CALL and played != "allow":
        raise ContactInCall(
            f"contact {contact_id} is in a live call (status {status!r}) and cannot be "
            f"{action}d now; retry when the call has ended",
            status=409 if played == "409" else None,
        )


def duplicate_message(phone: str, key: str, campaign_id: int) -> str:
    """What a refused duplicate says: the number as sent, as compared, and what to do instead."""
    return (
        f"phone number {phone!r} ({key}) is already on campaign {campaign_id}; "
        "update or remove that contact instead of adding it again"
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else "a string"


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
