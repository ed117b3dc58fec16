"""Import jobs: a file of contacts, accepted now and imported later, in one transaction. No HTTP here.

The upload is stored with its job, so the job survives a restart; the job
worker (``job_worker.py``) runs it with ``run_import`` in one transaction that
also writes the outcome. The contacts of a file obey the same rules as single
adds (``rules.py``) and go into the tenant's table through
``models.insert_contacts``.

Four undocumented things are decided here, each an ``x-assumption`` with its
choices: a file that is JSON but not an array of contacts
(``import-file-shape``), its invalid contacts (``import-invalid-contacts``),
a phone number twice in it (``import-duplicate-in-file``) and what a failed
job leaves behind (``import-atomic``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from dialer_suite.simulator import faults, storage
from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.exceptions import BadImportFile, JobNotFound, MalformedBody, SimulatorError
from dialer_suite.simulator.models import DUPLICATES_SKIPPED, insert_contacts, taken_phones
from dialer_suite.simulator.rules import contact_errors, phone_key, type_errors
from dialer_suite.simulator.storage import MAX_ID, now_ms
from dialer_suite.simulator.switches import Switches

JOB_IN_PROGRESS, JOB_COMPLETED, JOB_FAILED = "in_progress", "completed", "failed"
JOB_TYPE = "Jobs::Bulk::Campaign::ParentJob"
FAILED_JOB_TYPE = "Jobs::Bulk::Campaign::StartImport"
DUPLICATE_ERROR_DETAILS = "NativePowerDial::ContactService::DuplicateContactPhoneOnCampaign"
DUPLICATE_ERROR_MESSAGE = "Internal Error"
# Named like the documented DuplicateContactPhoneOnCampaign, for the failures the alternatives add.
BAD_FILE_ERROR_DETAILS = "NativePowerDial::ContactService::InvalidImportFile"
INVALID_CONTACT_ERROR_DETAILS = "NativePowerDial::ContactService::InvalidContact"

# -- assumptions decided by the import ---------------------------------------
FILE_SHAPE = register_assumption(
    "import-file-shape", "422",
    {
        "422": "a file that is not an array, an empty array or one with non-object entries "
               "answers 422 and starts no job",
        "job-fails": "any JSON file is accepted (202); its job fails with error_details and an "
                     "error_message saying why",
        "400": "such a file answers 400 and starts no job",
        "422-not-json": "as 422, and a file that is not JSON at all answers 422 too (its content is "
                        "validated, not parsed as the request)",
    },
    lean="job-fails",
)
INVALID_CONTACTS = register_assumption(
    "import-invalid-contacts", "reported",
    {
        "reported": "invalid contacts are not imported and are listed in the job's "
                    "invalid_contacts; the valid ones are imported",
        "silent": "invalid contacts are skipped without a trace: the job completes and has no "
                  "invalid_contacts",
        "fail-job": "one invalid contact fails the whole job (InvalidContact); nothing is imported",
        "fail-job-internal-error": "as fail-job, with the documented failed job's error_message "
                                   "'Internal Error' instead of one saying which contact",
    },
    lean="silent",
)
DUPLICATE_IN_FILE = register_assumption(
    "import-duplicate-in-file", "fail-job",
    {
        "fail-job": "a phone twice in one file fails the job with DuplicateContactPhoneOnCampaign; "
                    "nothing of the file is imported",
        "first-wins": "the first contact with a repeated phone is imported, the later ones are "
                      "skipped; the job completes",
        "last-wins": "the last contact with a repeated phone is imported (an upsert by phone), the "
                     "earlier ones are skipped; the job completes",
    },
    lean="first-wins",
)
IMPORT_ATOMIC = register_assumption(
    "import-atomic", "atomic",
    {
        "atomic": "a job that fails imports nothing of its file",
        "up-to-failure": "a job that fails keeps the contacts before the one that failed it "
                         "(one insert per contact, no transaction)",
        "all-but-failing": "a job that fails still imports every contact that did not fail it",
    },
    lean="up-to-failure",
)

# -- faults that live in the import ------------------------------------------
_fault = faults.register_fault
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


class Candidate(NamedTuple):
    """A contact of a file that passed the rules: its place in the file and its ``phone_key``."""

    place: int  # index in the file
    entry: Mapping[str, str]
    key: str | None  # None: no phone (phone-required optional)


def file_shape_problem(entries: Any) -> str | None:
    """Why a parsed file is not a non-empty array of contact objects; None when it is one."""
    if not isinstance(entries, list) or not entries:
        return "the file must hold a non-empty JSON array of contact objects"
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            return f"entry {index} of the file is not a JSON object; each entry is one contact"
    return None


def unreadable_file(switches: Switches, refusal: MalformedBody) -> SimulatorError:
    """The refusal of a file that is not JSON: ``refusal`` (400, by ``error-codes``), or a 422
    of ``import-file-shape`` where the played choice validates the file's content."""
    if switches.choice(FILE_SHAPE) == "422-not-json":
        return BadImportFile(refusal.message)
    return refusal


def refuse_file_of_wrong_shape(switches: Switches, entries: Any) -> None:
    """At the upload: refuse a file of the wrong shape now (422 or 400), unless the played
    ``import-file-shape`` leaves that to the job, which then fails (``run_import``)."""
    problem = file_shape_problem(entries)
    played = switches.choice(FILE_SHAPE)
    if problem is not None and played != "job-fails":
        raise BadImportFile(problem, status=400 if played == "400" else None)


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


class ImportJobs:
    """The tenant's import jobs, on one connection (the handlers' or the job worker's), as
    ``switches`` play them."""

    def __init__(self, connection: sqlite3.Connection, switches: Switches) -> None:
        self._db = connection
        self._switches = switches

    def create_job(self, campaign_id: int, payload: bytes) -> Job:
        """Accept a file for later: a new ``in_progress`` job that holds it."""
        stamp = now_ms()
        cursor = self._db.execute(
            "INSERT INTO jobs (campaign_id, status, type, created_ms, payload) VALUES (?, ?, ?, ?, ?)",
            (campaign_id, JOB_IN_PROGRESS, JOB_TYPE, stamp, payload),
        )
        assert cursor.lastrowid is not None
        return Job(cursor.lastrowid, campaign_id, JOB_IN_PROGRESS, JOB_TYPE, stamp, None)

    def get_job(self, campaign_id: int, job_id: int) -> Job:
        """The campaign's job ``job_id``; a job of another campaign is not found (404)."""
        row = None
        if 0 <= job_id <= MAX_ID:
            row = self._db.execute(
                "SELECT id, campaign_id, status, type, created_ms, finished_ms, result FROM jobs"
                " WHERE id = ? AND (campaign_id = ? OR ?)",
                (job_id, campaign_id, self._switches.fault(CROSS_CAMPAIGN_JOBS)),
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

    def file_size(self, job_id: int) -> int:
        """Entries in the file of a job still to run (0 when there is none, or it is no array)."""
        row = self._db.execute(
            "SELECT payload FROM jobs WHERE id = ? AND status = ?", (job_id, JOB_IN_PROGRESS)
        ).fetchone()
        if row is None or row["payload"] is None:
            return 0
        entries = json.loads(row["payload"])
        return len(entries) if isinstance(entries, list) else 0

    def run_import(self, job_id: int) -> None:
        """Run one import job in a single transaction (what a failed job keeps: import-atomic).

        The job's outcome is written in the same transaction as its contacts, so
        a kill at any point leaves either the finished job or the untouched
        ``in_progress`` job, which runs again after a restart.
        """
        with storage.Transaction(self._db):
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

    def _import_into(self, job_id: int, campaign_id: int, entries: Any) -> None:
        problem = file_shape_problem(entries)  # only a file that import-file-shape let through
        if problem is not None:
            self.fail_job(job_id, BAD_FILE_ERROR_DETAILS, problem)
            return
        invalid: list[InvalidContact] = []
        candidates: list[Candidate] = []
        for index, entry in enumerate(entries):
            problems = type_errors(entry) or contact_errors(self._switches, entry)
            if problems:
                invalid.append(InvalidContact(entry, problems, index))
            else:
                phone = entry.get("phone_number")  # absent only where phone-required allows it
                key = None if phone is None else phone_key(self._switches, phone)
                candidates.append(Candidate(index, entry, key))
        result: dict[str, Any] = {"total_contacts": len(entries), "imported_contacts": 0}
        if self._switches.choice(INVALID_CONTACTS) != "silent":
            result["invalid_contacts"] = [
                {**item.sent, "index": item.index, "errors": item.errors} for item in invalid
            ]
        kept = _without_repeats(self._switches, candidates)
        failures = self._failures(campaign_id, kept, invalid)
        if failures:
            first = min(failures)
            imported = _left_by_failed_job(self._switches, kept, failures)
            insert_contacts(self._db, campaign_id, [(c.entry, c.key) for c in imported])
            details, message = failures[first]
            result.update(imported_contacts=len(imported), error_details=details, error_message=message)
            self._finish_job(job_id, JOB_FAILED, FAILED_JOB_TYPE, result)
            return
        result["imported_contacts"] = len(kept)
        if self._switches.fault(IMPORT_DROPS_LAST):
            kept = kept[:-1]
        insert_contacts(self._db, campaign_id, [(c.entry, c.key) for c in kept])
        self._finish_job(job_id, JOB_COMPLETED, JOB_TYPE, result)

    def _failures(
        self, campaign_id: int, kept: list[Candidate], invalid: list[InvalidContact]
    ) -> dict[int, tuple[str, str]]:
        """The contacts that fail the job, by place in the file: error_details and error_message.

        A phone already on the campaign always does (documented), so does a repeat
        in the file that ``import-duplicate-in-file`` kept, and an invalid contact
        where ``import-invalid-contacts`` plays ``fail-job`` (or its ``Internal Error`` twin).
        """
        failures: dict[int, tuple[str, str]] = {}
        played = self._switches.choice(INVALID_CONTACTS)
        if played.startswith("fail-job"):
            for item in invalid:
                failures[item.index] = (INVALID_CONTACT_ERROR_DETAILS, (
                    DUPLICATE_ERROR_MESSAGE if played == "fail-job-internal-error"
                    else f"contact {item.index} of the file is invalid: {'; '.join(item.errors)}"))
        if self._switches.fault(DUPLICATES_SKIPPED):
            return failures
        keys = [c.key for c in kept if c.key is not None]
        taken = taken_phones(self._db, campaign_id, keys)
        seen: set[str] = set()
        for candidate in kept:
            if candidate.key is not None and (candidate.key in seen or candidate.key in taken):
                failures[candidate.place] = (DUPLICATE_ERROR_DETAILS, DUPLICATE_ERROR_MESSAGE)
            if candidate.key is not None:
                seen.add(candidate.key)
        return failures

    def _finish_job(self, job_id: int, status: str, job_type: str, result: dict[str, Any]) -> None:
        """Write the outcome and drop the stored file (in the caller's transaction, if any)."""
        self._db.execute(
            "UPDATE jobs SET status = ?, type = ?, finished_ms = ?, payload = NULL, result = ?"
            " WHERE id = ?",
            (status, job_type, now_ms(), json.dumps(result), job_id),
        )


def _without_repeats(switches: Switches, candidates: list[Candidate]) -> list[Candidate]:
    """The contacts the played ``import-duplicate-in-file`` imports, in file order.

    ``fail-job`` keeps every contact (a repeat then fails the job);
    ``first-wins``/``last-wins`` keep one contact per phone. A contact without a
    phone (``phone-required`` optional) repeats nobody.
    """
    played = switches.choice(DUPLICATE_IN_FILE)
    if played == "fail-job":
        return candidates
    ordered = candidates if played == "first-wins" else reversed(candidates)
    kept: dict[str, int] = {}
    for candidate in ordered:
        if candidate.key is not None:
            kept.setdefault(candidate.key, candidate.place)
    chosen = set(kept.values())
    return [c for c in candidates if c.key is None or c.place in chosen]


def _left_by_failed_job(
    switches: Switches, kept: list[Candidate], failures: dict[int, tuple[str, str]]
) -> list[Candidate]:
    """What a failed job imports, by the played ``import-atomic`` (the fault: ``up-to-failure``)."""
    played = "up-to-failure" if switches.fault(IMPORT_NOT_ATOMIC) else switches.choice(IMPORT_ATOMIC)
    if played == "atomic":
        return []
    if played == "up-to-failure":
        first = min(failures)
        return [c for c in kept if c.place < first]
    return [c for c in kept if c.place not in failures]
