"""The vendor's domain: campaigns, contacts, import jobs and their rules. No HTTP here.

A ``Tenant`` works on one SQLite connection; the request handlers and the job
worker each hold their own. Rules live here so that the HTTP layer only
translates: which fields a contact has, what makes it invalid, when two
contacts are the same, what an import does atomically.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.simulator import faults, phones, storage
from dialer_suite.simulator.dialer import refuse_while_in_call
from dialer_suite.simulator.exceptions import (
    CampaignNotFound,
    ContactNotFound,
    DuplicatePhone,
    JobNotFound,
    Unprocessable,
)
from dialer_suite.vendor.spec import contact_statuses

INPUT_FIELDS = ("name", "email", "phone_number", "outbound_number", "external_unique_id")
# The documented update body has no outbound_number; accepting it costs nothing and loses nothing.
UPDATE_FIELDS = INPUT_FIELDS
NEW_CONTACT_STATUS = contact_statuses()[0]  # "Upcoming"

JOB_IN_PROGRESS, JOB_COMPLETED, JOB_FAILED = "in_progress", "completed", "failed"
JOB_TYPE = "Jobs::Bulk::Campaign::ParentJob"
FAILED_JOB_TYPE = "Jobs::Bulk::Campaign::StartImport"
DUPLICATE_ERROR_DETAILS = "NativePowerDial::ContactService::DuplicateContactPhoneOnCampaign"
DUPLICATE_ERROR_MESSAGE = "Internal Error"

# SQLite integers are signed 64-bit; larger ids cannot exist.
_MAX_ID = 2**63 - 1
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
DELETE_WRONG_KEY = _fault(
    "delete-by-external-id-removes-oldest", "behaviour", ["deleteContact"],
    "DELETE by external_unique_id removes the campaign's oldest contact (the WHERE on the key was dropped)",
)
DELETE_PHONE_RAW = _fault(
    "delete-by-phone-exact-text-only", "behaviour", ["deleteContact"],
    "DELETE by phone_number matches the text as stored, so another format of the same number is not found",
)
ADD_NOT_STORED = _fault(
    "add-echoes-but-does-not-store", "behaviour", ["addContact"],
    "add answers the contact in valid_contacts with a fresh id, but nothing is stored (write to a replica)",
)
DUPLICATES_SKIPPED = _fault(
    "duplicate-phone-accepted", "behaviour", ["addContact", "importContacts"],
    "a phone number already on the campaign is accepted again (the uniqueness check was dropped)",
)
DUPLICATES_AS_SENT = _fault(
    "duplicates-compared-as-sent", "behaviour", ["addContact", "updateContact", "importContacts"],
    "duplicates are compared as typed, so +12015550123 and +1 201-555-0123 both get in (no normalization)",
)
INVALID_PHONES_ACCEPTED = _fault(
    "invalid-phone-accepted", "behaviour", ["addContact", "importContacts", "updateContact"],
    "any phone_number text is accepted as valid (phone validation switched off)",
)
CROSS_CAMPAIGN_CONTACTS = _fault(
    "contacts-reachable-across-campaigns", "security", ["updateContact", "deleteContact"],
    "update/delete by contact_id reach a contact of another campaign (the campaign scope is missing)",
)
CROSS_CAMPAIGN_JOBS = _fault(
    "jobs-visible-across-campaigns", "security", ["getImportJob"],
    "an import job can be read under any campaign id (the campaign scope is missing)",
)
IMPORT_DROPS_LAST = _fault(
    "import-drops-last-contact", "jobs", ["importContacts", "getImportJob"],
    "the job completes but the last contact of the file is never imported (an off-by-one in the batching)",
)
IMPORT_NOT_ATOMIC = _fault(
    "import-duplicate-not-atomic", "jobs", ["importContacts", "getImportJob"],
    "a duplicate fails the job, but the contacts before it were already imported (no transaction)",
)
NON_ASCII_500 = _fault(
    "non-ascii-name-crashes", "robustness", ["addContact", "updateContact"],
    "a name outside ASCII (e.g. 'José') makes the server fail with 500 (a legacy encoding)",
)
INT32_IDS_500 = _fault(
    "contact-id-int32-overflow", "robustness", ["updateContact", "deleteContact"],
    "a contact_id past 2^31-1 makes the server fail with 500 instead of 404 (an int32 column)",
)


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Contact:
    """A stored contact; the column names of the ``contacts`` table."""

    id: int
    campaign_id: int
    name: str | None
    email: str | None
    phone_number: str
    phone_e164: str
    outbound_number: str | None
    external_unique_id: str | None
    status: str
    assigned_call_id: int | None
    assigned_participant_id: int | None
    priority: int | None
    created_ms: int
    updated_ms: int


@dataclass(frozen=True)
class Job:
    """An import job. ``result`` holds counts, refused contacts and the error of a failed job."""

    id: int
    campaign_id: int
    status: str
    type: str
    created_ms: int
    finished_ms: int | None
    result: dict[str, Any] = field(default_factory=dict)

    def observed_status(self, at_ms: int, min_job_ms: int) -> str:
        """The status a client sees: ``in_progress`` until the minimum job time has passed."""
        if self.status != JOB_IN_PROGRESS and at_ms < self.created_ms + min_job_ms:
            return JOB_IN_PROGRESS
        return self.status


@dataclass(frozen=True)
class InvalidContact:
    """A contact that was refused, as sent, with the reasons; ``index`` is its place in a file."""

    sent: Mapping[str, Any]
    errors: list[str]
    index: int


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


def contact_errors(contact: Mapping[str, str]) -> list[str]:
    """Why a contact with well-typed fields cannot be stored (an empty list when it can)."""
    errors = []
    phone = contact.get("phone_number")
    if phone is None:
        errors.append("`phone_number` is required")
    elif phone_key(phone) is None:
        errors.append(
            f"`phone_number` {phone!r} is not a possible phone number; "
            "send it in international form, e.g. +1 201-555-0123"
        )
    email = contact.get("email")
    if email is not None and not phones.is_email(email):
        errors.append(f"`email` {email!r} is not an email address")
    return errors


def phone_key(phone: str) -> str | None:
    """What two phone numbers are compared on (E.164), None for a number that cannot be stored."""
    if faults.active(DUPLICATES_AS_SENT):
        return phone if phones.normalize_phone(phone) else None
    e164 = phones.normalize_phone(phone)
    if e164 is None and faults.active(INVALID_PHONES_ACCEPTED):
        return phone
    return e164


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


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Tenant:
    """The tenant's campaigns and everything in them, on one connection."""

    def __init__(self, connection: sqlite3.Connection, campaigns: Iterable[int]) -> None:
        self._db = connection
        self._campaigns = frozenset(campaigns)

    def wipe(self) -> None:
        storage.wipe(self._db)

    # -- campaigns ---------------------------------------------------------
    def require_campaign(self, campaign_id: int) -> None:
        if campaign_id not in self._campaigns:
            raise CampaignNotFound(
                f"campaign {campaign_id} does not exist in this tenant; "
                f"the simulator's campaigns are {sorted(self._campaigns)}"
            )

    # -- contacts ----------------------------------------------------------
    def add_contact(self, campaign_id: int, contact: Mapping[str, str]) -> Contact:
        """Store a contact whose fields passed ``type_errors`` and ``contact_errors``."""
        phone = contact["phone_number"]
        key = phone_key(phone)
        assert key is not None, "add_contact needs a contact that passed contact_errors"
        if faults.active(NON_ASCII_500):
            contact.get("name", "").encode("ascii")
        stamp = now_ms()
        values = (
            campaign_id, contact.get("name"), contact.get("email"), phone, key,
            contact.get("outbound_number"), contact.get("external_unique_id"),
            NEW_CONTACT_STATUS, stamp, stamp,
        )
        if faults.active(ADD_NOT_STORED):
            if self._taken(campaign_id, [key]):
                raise DuplicatePhone(_duplicate_message(phone, key, campaign_id))
            contact_id = self._next_contact_id()
        elif faults.active(DUPLICATES_SKIPPED):
            contact_id = self._db.execute(_INSERT_CONTACT, values).lastrowid or 0
        else:
            # Check and insert in one autocommit statement: atomic without BEGIN/COMMIT round trips,
            # which cost more than the insert itself on this hot path.
            cursor = self._db.execute(_INSERT_NEW_PHONE, (*values, campaign_id, key))
            if cursor.rowcount == 0:
                raise DuplicatePhone(_duplicate_message(phone, key, campaign_id))
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
        if limit is None and faults.active(LIST_TRUNCATED):
            limit = 50
        rows = self._db.execute(
            "SELECT * FROM contacts WHERE campaign_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (campaign_id, -1 if limit is None else limit, min(offset, _MAX_ID)),
        ).fetchall()
        return [Contact(**row) for row in rows], total

    def get_contact(self, campaign_id: int, contact_id: int) -> Contact:
        if contact_id > _INT32_MAX and faults.active(INT32_IDS_500):
            raise OverflowError(f"contact id {contact_id} does not fit the int32 column")
        row = None
        if 0 <= contact_id <= _MAX_ID:
            scope = faults.active(CROSS_CAMPAIGN_CONTACTS)
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
        if faults.active(UPDATE_OFF_BY_ONE):
            contact_id -= 1
        current = self.get_contact(campaign_id, contact_id)
        refuse_while_in_call(current.id, current.status, "update")  # x-assumption dialing-writes
        problems = contact_errors({"phone_number": current.phone_number, **changes})
        if problems:
            raise Unprocessable("; ".join(problems))
        if faults.active(NON_ASCII_500) and "name" in changes:
            changes["name"].encode("ascii")
        assignments: dict[str, str | int] = {
            name: changes[name] for name in UPDATE_FIELDS if name in changes
        }
        assignments["updated_ms"] = max(now_ms(), current.updated_ms + 1)
        with self._transaction():
            if "phone_number" in changes:
                key = phone_key(changes["phone_number"]) or ""
                if self._taken(current.campaign_id, [key], except_id=contact_id):
                    raise DuplicatePhone(_duplicate_message(changes["phone_number"], key, campaign_id))
                assignments["phone_e164"] = key
            if faults.active(UPDATE_NOT_PERSISTED):
                return dataclasses.replace(current, **assignments)  # type: ignore[arg-type]
            columns = ", ".join(f"{name} = ?" for name in assignments)
            self._db.execute(
                f"UPDATE contacts SET {columns} WHERE id = ?", (*assignments.values(), contact_id)
            )
            return self.get_contact(campaign_id, contact_id)

    def find_contact(
        self,
        campaign_id: int,
        *,
        contact_id: int | None = None,
        phone_number: str | None = None,
        external_unique_id: str | None = None,
    ) -> Contact:
        """The contact a delete addresses: by id, else phone (any format), else oldest by external id."""
        if contact_id is not None:
            return self.get_contact(campaign_id, contact_id)
        if phone_number is not None:
            key = phone_number if faults.active(DELETE_PHONE_RAW) else phone_key(phone_number)
            column = "phone_number" if faults.active(DELETE_PHONE_RAW) else "phone_e164"
            row = self._db.execute(
                f"SELECT * FROM contacts WHERE campaign_id = ? AND {column} = ? ORDER BY id LIMIT 1",
                (campaign_id, key),
            ).fetchone()
            described = f"phone number {phone_number!r}"
        elif external_unique_id is not None:
            row = self._db.execute(
                "SELECT * FROM contacts WHERE campaign_id = ? AND (external_unique_id = ? OR ?)"
                " ORDER BY id LIMIT 1",
                (campaign_id, external_unique_id, faults.active(DELETE_WRONG_KEY)),
            ).fetchone()
            described = f"external_unique_id {external_unique_id!r}"
        else:
            raise Unprocessable(
                "say which contact to remove: send `contact_id`, `phone_number` or `external_unique_id`"
            )
        if row is None:
            raise ContactNotFound(f"no contact with {described} in campaign {campaign_id}")
        return Contact(**row)

    def delete_contact(self, contact: Contact) -> Contact:
        refuse_while_in_call(contact.id, contact.status, "delete")  # x-assumption dialing-writes
        if not faults.active(DELETE_NOTHING):
            self._db.execute("DELETE FROM contacts WHERE id = ?", (contact.id,))
        return contact

    # -- import jobs -------------------------------------------------------
    def create_job(self, campaign_id: int, payload: bytes) -> Job:
        stamp = now_ms()
        cursor = self._db.execute(
            "INSERT INTO jobs (campaign_id, status, type, created_ms, payload) VALUES (?, ?, ?, ?, ?)",
            (campaign_id, JOB_IN_PROGRESS, JOB_TYPE, stamp, payload),
        )
        assert cursor.lastrowid is not None
        return Job(cursor.lastrowid, campaign_id, JOB_IN_PROGRESS, JOB_TYPE, stamp, None)

    def get_job(self, campaign_id: int, job_id: int) -> Job:
        row = None
        if 0 <= job_id <= _MAX_ID:
            row = self._db.execute(
                "SELECT id, campaign_id, status, type, created_ms, finished_ms, result FROM jobs"
                " WHERE id = ? AND (campaign_id = ? OR ?)",
                (job_id, campaign_id, faults.active(CROSS_CAMPAIGN_JOBS)),
            ).fetchone()
        if row is None:
            raise JobNotFound(
                f"no import job {job_id} in campaign {campaign_id}; use the id or Location "
                "that the import's 202 response returned"
            )
        result = json.loads(row["result"]) if row["result"] else {}
        return Job(
            row["id"], row["campaign_id"], row["status"], row["type"], row["created_ms"],
            row["finished_ms"], result,
        )

    def pending_job_ids(self) -> list[int]:
        """Jobs still to run, oldest first (after a restart: the ones a kill interrupted)."""
        rows = self._db.execute(
            "SELECT id FROM jobs WHERE status = ? ORDER BY id", (JOB_IN_PROGRESS,)
        ).fetchall()
        return [row[0] for row in rows]

    def run_import(self, job_id: int) -> None:
        """Run one import job in a single transaction: all of the file's valid contacts, or none.

        The job's outcome is written in the same transaction as its contacts, so
        a kill at any point leaves either the finished job or the untouched
        ``in_progress`` job, which runs again after a restart.
        """
        with self._transaction():
            row = self._db.execute(
                "SELECT campaign_id, payload FROM jobs WHERE id = ? AND status = ?",
                (job_id, JOB_IN_PROGRESS),
            ).fetchone()
            if row is not None:  # reset (or another run) may have removed it meanwhile
                self._import_into(job_id, row["campaign_id"], json.loads(row["payload"]))

    def fail_job(self, job_id: int, details: str, message: str) -> None:
        """End a job that could not run at all."""
        self._finish_job(
            job_id, JOB_FAILED, FAILED_JOB_TYPE, {"error_details": details, "error_message": message}
        )

    def _import_into(self, job_id: int, campaign_id: int, entries: list[dict[str, Any]]) -> None:
        invalid: list[InvalidContact] = []
        accepted: list[tuple[Mapping[str, str], str]] = []
        for index, entry in enumerate(entries):
            problems = type_errors(entry) or contact_errors(entry)
            if problems:
                invalid.append(InvalidContact(entry, problems, index))
            else:
                accepted.append((entry, phone_key(entry["phone_number"]) or ""))
        result: dict[str, Any] = {
            "total_contacts": len(entries),
            "imported_contacts": len(accepted),
            "invalid_contacts": [
                {**item.sent, "index": item.index, "errors": item.errors} for item in invalid
            ],
        }
        keys = [key for _, key in accepted]
        duplicate = not faults.active(DUPLICATES_SKIPPED) and (
            len(set(keys)) < len(keys) or self._taken(campaign_id, keys)
        )
        if duplicate:
            if faults.active(IMPORT_NOT_ATOMIC):
                self._insert_contacts(campaign_id, accepted[: self._first_repeat(campaign_id, keys)])
            result.update(
                imported_contacts=0,
                error_details=DUPLICATE_ERROR_DETAILS,
                error_message=DUPLICATE_ERROR_MESSAGE,
            )
            self._finish_job(job_id, JOB_FAILED, FAILED_JOB_TYPE, result)
            return
        if faults.active(IMPORT_DROPS_LAST):
            accepted = accepted[:-1]
        self._insert_contacts(campaign_id, accepted)
        self._finish_job(job_id, JOB_COMPLETED, JOB_TYPE, result)

    def _insert_contacts(self, campaign_id: int, accepted: list[tuple[Mapping[str, str], str]]) -> None:
        stamp = now_ms()
        self._db.executemany(
            _INSERT_CONTACT,
            (
                (
                    campaign_id, entry.get("name"), entry.get("email"), entry["phone_number"], key,
                    entry.get("outbound_number"), entry.get("external_unique_id"),
                    NEW_CONTACT_STATUS, stamp, stamp,
                )
                for entry, key in accepted
            ),
        )

    def _first_repeat(self, campaign_id: int, keys: list[str]) -> int:
        """Index of the first key that repeats an earlier one or one already on the campaign."""
        seen: set[str] = set()
        for index, key in enumerate(keys):
            if key in seen or self._taken(campaign_id, [key]):
                return index
            seen.add(key)
        return len(keys)

    def _taken(self, campaign_id: int, keys: Sequence[str], except_id: int | None = None) -> bool:
        """Whether any of ``keys`` is already a phone of the campaign (other than ``except_id``)."""
        if faults.active(DUPLICATES_SKIPPED):
            return False
        for chunk in _chunks(keys, _LOOKUP_CHUNK):
            marks = ",".join("?" * len(chunk))
            row = self._db.execute(
                f"SELECT 1 FROM contacts WHERE campaign_id = ? AND phone_e164 IN ({marks})"
                " AND id IS NOT ? LIMIT 1",
                (campaign_id, *chunk, except_id),
            ).fetchone()
            if row is not None:
                return True
        return False

    def _next_contact_id(self) -> int:
        row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'contacts'").fetchone()
        return (row[0] if row else 0) + 1

    def _finish_job(self, job_id: int, status: str, job_type: str, result: dict[str, Any]) -> None:
        self._db.execute(
            "UPDATE jobs SET status = ?, type = ?, finished_ms = ?, payload = NULL, result = ?"
            " WHERE id = ?",
            (status, job_type, now_ms(), json.dumps(result), job_id),
        )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any exception.

    IMMEDIATE takes the write lock up front, so a duplicate check and the insert
    after it cannot interleave with the job worker's import.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


def _duplicate_message(phone: str, key: str, campaign_id: int) -> str:
    return (
        f"phone number {phone!r} ({key}) is already on campaign {campaign_id}; "
        "update or remove that contact instead of adding it again"
    )
