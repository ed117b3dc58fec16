"""The tenant: its campaigns and their contacts, stored in SQLite. No HTTP here.

A ``Tenant`` works on one SQLite connection; the request handlers and the job
worker each hold their own. The rules (``rules.py``) say what a contact may
be; this module applies them where they meet stored data: one phone number
per campaign, ids scoped to their campaign, no write to a contact in a call.
The import jobs (``import_jobs.py``) insert contacts through
``insert_contacts`` and ``taken_phones``, so a file obeys the same checks.
What the tenant does is played by the app's ``Switches``, given to it when it
is made.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dialer_suite.simulator import faults, storage
from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.exceptions import (
    CampaignNotFound,
    ContactNotFound,
    DuplicatePhone,
    Unprocessable,
)
from dialer_suite.simulator.rules import (
    NEW_CONTACT_STATUS,
    UPDATE_FIELDS,
    contact_errors,
    duplicate_message,
    phone_key,
    refuse_while_in_call,
)
from dialer_suite.simulator.storage import MAX_ID, now_ms
from dialer_suite.simulator.switches import Switches

_INT32_MAX = 2**31 - 1
_LOOKUP_CHUNK = 500  # host parameters per duplicate lookup

_INSERT_CONTACT = (
    "INSERT INTO contacts (campaign_id, name, email, phone_number, phone_e164,"
    " outbound_number, external_unique_id, status, created_ms, updated_ms)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

_INSERT_NEW_PHONE = (
    "INSERT INTO contacts (campaign_id, name, email, phone_number, phone_e164,"
    " outbound_number, external_unique_id, status, created_ms, updated_ms)"
    " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
    " WHERE NOT EXISTS (SELECT 1 FROM contacts WHERE campaign_id = ? AND phone_e164 = ?)"
)

# -- faults that live in the domain model ------------------------------------
_fault = faults.register_fault
LIST_TRUNCATED = _fault(
    "list-truncated-at-50", "behaviour", ["listContacts"],
    "the list silently stops at 50 contacts when no page size is asked for (a hidden default page size)",
)
UPDATE_OFF_BY_ONE = _fault(
    "update-writes-previous-contact", "behaviour", ["updateContact"],
    "PATCH writes the changes to contact_id - 1 and answers with that record (an off-by-one in the lookup)",
)
UPDATE_NOT_PERSISTED = _fault(
    "update-not-persisted", "behaviour", ["updateContact"],
    "PATCH answers the changed record but the write is never committed (a lost transaction)",
)
DELETE_NOTHING = _fault(
    "delete-answers-but-keeps", "behaviour", ["deleteContact"],
    "DELETE answers 200 with the record but the contact stays (a soft-delete flag nobody reads)",
)
ADD_NOT_STORED = _fault(
    "add-echoes-but-does-not-store", "behaviour", ["addContact"],
    "add answers the contact in valid_contacts with a fresh id, but nothing is stored (write to a replica)",
)
DUPLICATES_SKIPPED = _fault(
    "duplicate-phone-accepted", "behaviour", ["addContact", "importContacts"],
    "a phone number already on the campaign is accepted again (the uniqueness check was dropped)",
)
CROSS_CAMPAIGN_CONTACTS = _fault(
    "contacts-reachable-across-campaigns", "security", ["updateContact", "deleteContact"],
    "update/delete by contact_id reach a contact of another campaign (the campaign scope is missing)",
)
NON_ASCII_500 = _fault(
    "non-ascii-name-crashes", "robustness", ["addContact", "updateContact"],
    "a name outside ASCII (e.g. 'José') makes the server fail with 500 (a legacy encoding)",
)
INT32_IDS_500 = _fault(
    "contact-id-int32-overflow", "robustness", ["updateContact", "deleteContact"],
    "a contact_id past 2^31-1 makes the server fail with 500 instead of 404 (an int32 column)",
)

# -- assumptions decided by the model ------------------------------------------
DUPLICATE_PHONES = register_assumption(
    "duplicate-phones", "refused",
    {
        "refused": "an add or update that repeats a number already on the campaign is refused",
        "allowed": "add and update take a number already on the campaign (only the import "
                   "checks, as documented)",
        "update-allowed": "add refuses a repeated number, update takes it (the check lives in the "
                          "create path only)",
    },
    lean="allowed",
)


@dataclass(frozen=True)
class Contact:
    """A stored contact; the column names of the ``contacts`` table."""

    id: int
    campaign_id: int
    name: str | None
    email: str | None
    phone_number: str | None  # None only where phone-required is played optional
    phone_e164: str | None
    outbound_number: str | None
    external_unique_id: str | None
    status: str
    assigned_call_id: int | None
    assigned_participant_id: int | None
    priority: int | None
    created_ms: int
    updated_ms: int


class Tenant:
    """The tenant's campaigns and their contacts, on one connection, as ``switches`` play them."""

    def __init__(
        self, connection: sqlite3.Connection, campaigns: Iterable[int], switches: Switches
    ) -> None:
        self._db = connection
        self._campaigns = frozenset(campaigns)
        self._switches = switches

    def wipe(self) -> None:
        """Delete every contact and import job (the simulator's reset)."""
        storage.wipe(self._db)

    # -- campaigns ---------------------------------------------------------
    def require_campaign(self, campaign_id: int) -> None:
        """CampaignNotFound (404) unless the tenant has the campaign: every operation checks first."""
        if campaign_id not in self._campaigns:
            raise CampaignNotFound(
                f"campaign {campaign_id} does not exist in this tenant; "
                f"the simulator's campaigns are {sorted(self._campaigns)}"
            )

    # -- contacts ----------------------------------------------------------
    def add_contact(self, campaign_id: int, contact: Mapping[str, str]) -> Contact:
        """Store a contact whose fields passed ``type_errors`` and ``contact_errors``.

        A contact without a phone (``phone-required`` optional) duplicates nobody:
        SQL's ``phone_e164 = NULL`` is never true.
        """
        phone = contact.get("phone_number")
        key = None if phone is None else phone_key(self._switches, phone)
        assert phone is None or key is not None, "add_contact needs a contact that passed contact_errors"
        if self._switches.fault(NON_ASCII_500):
            contact.get("name", "").encode("ascii")
        stamp = now_ms()
        values = (
            campaign_id, contact.get("name"), contact.get("email"), phone, key,
            contact.get("outbound_number"), contact.get("external_unique_id"),
            NEW_CONTACT_STATUS, stamp, stamp,
        )
        if self._switches.fault(ADD_NOT_STORED):
            if phone is not None and key is not None and self._phone_taken(campaign_id, key):
                raise DuplicatePhone(duplicate_message(phone, key, campaign_id))
            contact_id = self._next_contact_id()
        elif (self._switches.fault(DUPLICATES_SKIPPED)
              or self._switches.choice(DUPLICATE_PHONES) == "allowed"):
            contact_id = self._db.execute(_INSERT_CONTACT, values).lastrowid or 0
        else:
            # Check and insert in one autocommit statement: atomic without BEGIN/COMMIT round trips,
            # which cost more than the insert itself on this hot path.
            cursor = self._db.execute(_INSERT_NEW_PHONE, (*values, campaign_id, key))
            if cursor.rowcount == 0 and phone is not None and key is not None:
                raise DuplicatePhone(duplicate_message(phone, key, campaign_id))
            contact_id = cursor.lastrowid or 0
        return Contact(
            contact_id, campaign_id, values[1], values[2], phone, key, values[5], values[6],
            NEW_CONTACT_STATUS, None, None, None, stamp, stamp,
        )

    def list_contacts(
        self, campaign_id: int, *, offset: int = 0, limit: int | None = None
    ) -> tuple[list[Contact], int]:
        """One page of the campaign's contacts in id order, and how many it has in all."""
        total = self._db.execute(
            "SELECT count(*) FROM contacts WHERE campaign_id = ?", (campaign_id,)
        ).fetchone()[0]
        if limit is None and self._switches.fault(LIST_TRUNCATED):
            limit = 50
        rows = self._db.execute(
            "SELECT * FROM contacts WHERE campaign_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (campaign_id, -1 if limit is None else limit, min(offset, MAX_ID)),
        ).fetchall()
        return [Contact(**row) for row in rows], total

    def get_contact(self, campaign_id: int, contact_id: int) -> Contact:
        """The campaign's contact ``contact_id``; an id of another campaign is not found (404)."""
        if contact_id > _INT32_MAX and self._switches.fault(INT32_IDS_500):
            raise OverflowError(f"contact id {contact_id} does not fit the int32 column")
        row = None
        if 0 <= contact_id <= MAX_ID:
            scope = self._switches.fault(CROSS_CAMPAIGN_CONTACTS)
            row = self._db.execute(
                "SELECT * FROM contacts WHERE id = ? AND (campaign_id = ? OR ?)",
                (contact_id, campaign_id, scope),
            ).fetchone()
        if row is None:
            raise ContactNotFound(
                f"no contact with id {contact_id} in campaign {campaign_id}; "
                "list the campaign's contacts to find their ids"
            )
        return Contact(**row)

    def update_contact(self, campaign_id: int, contact_id: int, changes: Mapping[str, str]) -> Contact:
        """Replace the given fields of a contact; the phone must stay possible and unique."""
        if self._switches.fault(UPDATE_OFF_BY_ONE):
            contact_id -= 1
        current = self.get_contact(campaign_id, contact_id)
        # x-assumption dialing-writes
        refuse_while_in_call(self._switches, current.id, current.status, "update")
        stored = {} if current.phone_number is None else {"phone_number": current.phone_number}
        problems = contact_errors(self._switches, {**stored, **changes})
        if problems:
            raise Unprocessable("; ".join(problems))
        if self._switches.fault(NON_ASCII_500) and "name" in changes:
            changes["name"].encode("ascii")
        assignments: dict[str, str | int] = {
            name: changes[name] for name in UPDATE_FIELDS if name in changes
        }
        assignments["updated_ms"] = max(now_ms(), current.updated_ms + 1)
        with storage.Transaction(self._db):
            if "phone_number" in changes:
                key = phone_key(self._switches, changes["phone_number"]) or ""
                if (self._switches.choice(DUPLICATE_PHONES) == "refused"
                        and self._phone_taken(current.campaign_id, key, except_id=contact_id)):
                    raise DuplicatePhone(duplicate_message(changes["phone_number"], key, campaign_id))
                assignments["phone_e164"] = key
            if self._switches.fault(UPDATE_NOT_PERSISTED):
                return dataclasses.replace(current, **assignments)  # type: ignore[arg-type]
            columns = ", ".join(f"{name} = ?" for name in assignments)
            self._db.execute(
                f"UPDATE contacts SET {columns} WHERE id = ?", (*assignments.values(), contact_id)
            )
            return self.get_contact(campaign_id, contact_id)

    def oldest_with(
        self, campaign_id: int, column: str, value: Any, *, any_contact: bool = False
    ) -> Contact | None:
        """The campaign's oldest contact whose ``column`` is ``value`` (``any_contact``: the oldest
        of all, as a delete fault's dropped WHERE), or None."""
        row = self._db.execute(
            f"SELECT * FROM contacts WHERE campaign_id = ? AND ({column} = ? OR ?) ORDER BY id LIMIT 1",
            (campaign_id, value, any_contact),
        ).fetchone()
        return None if row is None else Contact(**row)

    def delete_contact(self, contact: Contact) -> Contact:
        """Remove a contact found by ``find_contact``; the record is the answer of the delete."""
        # x-assumption dialing-writes
        refuse_while_in_call(self._switches, contact.id, contact.status, "delete")
        if not self._switches.fault(DELETE_NOTHING):
            self._db.execute("DELETE FROM contacts WHERE id = ?", (contact.id,))
        return contact

    def _phone_taken(self, campaign_id: int, key: str, except_id: int | None = None) -> bool:
        """Whether ``key`` is already a phone of the campaign (other than ``except_id``); never,
        when the uniqueness check was dropped (the fault)."""
        if self._switches.fault(DUPLICATES_SKIPPED):
            return False
        return bool(taken_phones(self._db, campaign_id, [key], except_id))

    def _next_contact_id(self) -> int:
        row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'contacts'").fetchone()
        return (row[0] if row else 0) + 1


def insert_contacts(
    connection: sqlite3.Connection, campaign_id: int, accepted: Sequence[tuple[Mapping[str, str], str | None]]
) -> None:
    """Store checked contacts, each with its ``phone_key`` (None: no phone), as new ``Upcoming`` contacts.

    No duplicate check: the caller (an import, inside its transaction) has made it for the
    whole batch with ``taken_phones``.
    """
    stamp = now_ms()
    connection.executemany(
        _INSERT_CONTACT,
        (
            (
                campaign_id, entry.get("name"), entry.get("email"), entry.get("phone_number"), key,
                entry.get("outbound_number"), entry.get("external_unique_id"),
                NEW_CONTACT_STATUS, stamp, stamp,
            )
            for entry, key in accepted
        ),
    )


def taken_phones(
    connection: sqlite3.Connection, campaign_id: int, keys: Sequence[str], except_id: int | None = None
) -> set[str]:
    """Which of ``keys`` are already phones of the campaign (other than ``except_id``)."""
    taken: set[str] = set()
    for chunk in _chunks(keys, _LOOKUP_CHUNK):
        marks = ",".join("?" * len(chunk))
        taken.update(row[0] for row in connection.execute(
            f"SELECT DISTINCT phone_e164 FROM contacts WHERE campaign_id = ? AND phone_e164 IN ({marks})"
            " AND id IS NOT ?",
            (campaign_id, *chunk, except_id),
        ))
    return taken


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
