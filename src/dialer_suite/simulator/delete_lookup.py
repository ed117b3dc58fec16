"""Which contact a delete addresses: its three documented keys, how they combine, and what breaks them.

The page documents a delete by ``contact_id``, ``phone_number`` (any format
of the number) or ``external_unique_id``, and says nothing of a body with
several (x-assumption ``delete-key-precedence``). A module of its own because
the choices and the faults of this lookup are one concern, apart from the
tenant's storage (``models.py``), which it reads through ``Tenant``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialer_suite.simulator import faults
from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.exceptions import ContactNotFound, Unprocessable
from dialer_suite.simulator.models import Contact, Tenant
from dialer_suite.simulator.rules import phone_key
from dialer_suite.simulator.switches import Switches

DELETE_KEYS = ("contact_id", "phone_number", "external_unique_id")

# -- faults of the lookup --------------------------------------------------------
_fault = faults.register_fault
DELETE_WRONG_KEY = _fault(
    "delete-by-external-id-removes-oldest", "behaviour", ["deleteContact"],
    "DELETE by external_unique_id removes the campaign's oldest contact (the WHERE on the key was dropped)",
)
DELETE_PHONE_RAW = _fault(
    "delete-by-phone-exact-text-only", "behaviour", ["deleteContact"],
    "DELETE by phone_number matches the text as stored, so another format of the same number is not found",
)

# -- how several keys combine -----------------------------------------------------
KEY_PRECEDENCE = register_assumption(
    "delete-key-precedence", "contact-id-first",
    {
        "contact-id-first": "with several keys, contact_id wins over phone_number, which wins over "
                            "external_unique_id; a shared external_unique_id removes the oldest",
        "phone-first": "phone_number wins over contact_id, which wins over external_unique_id",
        "external-id-first": "external_unique_id wins over contact_id, which wins over phone_number",
        "all-must-match": "every key given must name the same contact (one find_by on all of them), "
                          "else 404",
    },
    lean="all-must-match",
)
# The keys in the order each choice tries them: the first one given decides.
_ORDER = {
    "contact-id-first": DELETE_KEYS,
    "phone-first": ("phone_number", "contact_id", "external_unique_id"),
    "external-id-first": ("external_unique_id", "contact_id", "phone_number"),
    "all-must-match": DELETE_KEYS,
}


def find_contact(
    switches: Switches, tenant: Tenant, campaign_id: int, keys: Mapping[str, Any]
) -> Contact:
    """The contact a delete body's ``keys`` address, as the played choice combines them: the
    first given in its order decides, or (``all-must-match``) every one given must agree."""
    played = switches.choice(KEY_PRECEDENCE)
    given = [name for name in _ORDER[played] if keys.get(name) is not None]
    if not given:
        raise Unprocessable(
            "say which contact to remove: send `contact_id`, `phone_number` or `external_unique_id`"
        )
    found = _find_by(switches, tenant, campaign_id, given[0], keys[given[0]])
    if played == "all-must-match" and not all(
        _matches(switches, found, name, keys[name]) for name in given[1:]
    ):
        raise ContactNotFound(f"no contact in campaign {campaign_id} matches all of {', '.join(given)}")
    return found


def _find_by(switches: Switches, tenant: Tenant, campaign_id: int, name: str, value: Any) -> Contact:
    """By id; by phone (any format of the number); or the oldest with that external id."""
    if name == "contact_id":
        return tenant.get_contact(campaign_id, value)
    if name != "phone_number":
        found = tenant.oldest_with(campaign_id, name, value,
                                   any_contact=switches.fault(DELETE_WRONG_KEY))
    elif switches.fault(DELETE_PHONE_RAW):
        found = tenant.oldest_with(campaign_id, name, value)
    else:
        found = tenant.oldest_with(campaign_id, "phone_e164", phone_key(switches, value))
    if found is None:
        raise ContactNotFound(f"no contact with {name} {value!r} in campaign {campaign_id}")
    return found


def _matches(switches: Switches, contact: Contact, name: str, value: Any) -> bool:
    """Whether ``contact`` has ``value`` for key ``name`` (a phone compared as the lookup does)."""
    if name == "contact_id":
        return bool(contact.id == value)
    if name == "phone_number":
        return contact.phone_e164 is not None and phone_key(switches, value) == contact.phone_e164
    return bool(contact.external_unique_id == value)
