"""Which choice of each ``x-assumption`` matches what a baseline observed: one table.

For every assumption the simulator can play, ``RULES`` lists rows, most
specific first; the first row whose signal finds its fact in the baseline
decides the choice the twin plays, and that fact is the evidence
``baseline explain`` shows. A row may name the choices the suite cannot tell
from its own (``alike``: the same answers to every request the suite sends),
and simulator settings it sets too (no rate limit at all). When no row
matches, the baseline's state decides: held or untested plays the default,
differs is a reading the simulator has no choice for ("cannot match").

A new choice of the simulator, or a new evidence line the suite records, is a
row here: the self-tests check that every choice of every assumption is
reachable from a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.contract.twin.observed import (
    Signal,
    answered,
    broke,
    codes,
    either,
    every,
    failed,
    key,
    line,
    passed,
)
from dialer_suite.contract.twin.paging import pages_as, why_not
from dialer_suite.simulator.paging import SCHEMES


@dataclass(frozen=True)
class Row:
    """Play ``choice`` when ``signal`` finds its fact."""

    choice: str
    signal: Signal
    alike: tuple[str, ...] = ()
    note: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)


_WITHIN_FILE = "test_import_repeating_a_phone_within_the_file"
_ON_CAMPAIGN = "test_import_failing_on_a_phone_already_on_the_campaign"
_INVALID_IN_FILE = "test_import_reports_invalid_contacts_and_imports_the_valid_ones"
_SEVERAL_KEYS = "test_delete_naming_several_keys"
_BAD_CREDENTIALS = "test_operation_refuses_bad_credentials["
_SIZE_LIMITS = "past_the_size_limit"
_NOT_AN_ARRAY = "test_file_that_is_not_an_array_of_contacts"
_NOT_JSON_FILE = "test_file_that_is_not_json_is_refused"
_IN_CALL = "test_a_contact_in_a_live_call"
_BURST = "test_burst_past_the_rate_limit"
_ADDED_AGAIN = "test_phone_already_on_the_campaign_is_rejected"
_UPDATED_AGAIN = "test_update_to_a_phone_already_on_the_campaign_is_refused"
_FORMATS = "test_delete_by_phone_in_another_documented_format"
_NO_PHONE = "test_contact_without_a_phone_number_is_refused"
_BAD_PHONE = "test_invalid_contact_is_reported_and_not_stored"
_TRANSITIONS = "test_every_transition_seen_follows_the_documented_state_machine"
_RAILS = {"refused_with_400": 400, "refused_with_415": 415, "import_not_sent_as_a_form": 415,
          "update_to_a_phone_already": 422, "page_number_that_cannot_be_one": 422}

# Why no row of an assumption matched evidence that differs, where more can be said than that.
WHY_NOT: dict[str, Signal] = {"list-pagination": why_not}

RULES: dict[str, tuple[Row, ...]] = {
    "add-returns-id": (
        Row("id", line("add-returns-id", "held: id in valid_contacts")),
        Row("no-id", line("add-returns-id", "differs: no id in valid_contacts")),
    ),
    "auth-401": (
        Row("403-wrong", every(failed(_BAD_CREDENTIALS, "credentials), got 403"),
                               line("auth-401", "held: 401 with WWW-Authenticate"))),
        Row("403", line("auth-401", "differs: 403")),
        Row("401-bare", line("auth-401", "differs: 401 without WWW-Authenticate")),
        Row("401-challenge", line("auth-401", "held: 401 with WWW-Authenticate")),
    ),
    "delete-key-precedence": (
        Row("all-must-match", failed(_SEVERAL_KEYS, "got 404")),
        Row("phone-first", failed(_SEVERAL_KEYS, "answered record"), alike=("external-id-first",)),
        Row("contact-id-first", passed(_SEVERAL_KEYS)),
    ),
    "dialing-writes": (
        Row("409", either(answered("updateContact", "409"), answered("deleteContact", "409"))),
        Row("allow", failed(_IN_CALL, about=("dialing-writes",))),
        Row("refuse-422", passed(_IN_CALL)),
        Row("refuse-422", failed(_IN_CALL, about=("dialing-writes", "record-input-fields")),
            note="the test failed on the listed contact's shape first, so a write during a call "
                 "was not shown"),
    ),
    "duplicate-phones": (
        Row("allowed", every(failed(_ADDED_AGAIN, "was added again"),
                             failed(_UPDATED_AGAIN, "carried it out"))),
        Row("update-allowed", every(passed(_ADDED_AGAIN), failed(_UPDATED_AGAIN, "carried it out"))),
        Row("refused", either(passed(_UPDATED_AGAIN), failed(_UPDATED_AGAIN, "), got 4"))),
    ),
    "error-codes": (
        Row("rails", codes(_RAILS)),
        Row("all-400", codes(dict.fromkeys(_RAILS, 400))),
        Row("all-422", codes(dict.fromkeys(_RAILS, 422))),
    ),
    "import-atomic": (
        Row("up-to-failure", either(failed(_WITHIN_FILE, "after a failed import"),
                                    failed(_ON_CAMPAIGN, "after a failed import")),
            alike=("all-but-failing",)),
        Row("atomic", either(passed(_WITHIN_FILE), passed(_ON_CAMPAIGN))),
        Row("atomic", every(failed(_WITHIN_FILE, "'status': 'completed'"),
                            failed(_ON_CAMPAIGN, "'status': 'completed'")),
            note="no import failed, so what a failed job keeps was not shown"),
    ),
    "import-duplicate-in-file": (
        Row("first-wins", failed(_WITHIN_FILE, "'status': 'completed'"), alike=("last-wins",)),
        Row("fail-job", either(passed(_WITHIN_FILE), failed(_WITHIN_FILE, "after a failed import"))),
    ),
    "import-file-shape": (
        Row("job-fails", failed(_NOT_AN_ARRAY, "got 202")),
        Row("400", failed(_NOT_AN_ARRAY, "got 400")),
        Row("422-not-json", every(passed(_NOT_AN_ARRAY), failed(_NOT_JSON_FILE, "got 422"),
                                  passed("refused_with_400"))),
        Row("422", passed(_NOT_AN_ARRAY)),
    ),
    "import-invalid-contacts": (
        Row("reported", every(failed(_INVALID_IN_FILE, "is not reported on the job"),
                              line("job-counts", "differs: a completed job carries no")),
            alike=("silent",), note="a job without counts carries no invalid_contacts either"),
        Row("silent", failed(_INVALID_IN_FILE, "is not reported on the job")),
        Row("reported", failed(_INVALID_IN_FILE, "DuplicateContactPhoneOnCampaign"),
            note="no contact of the file was invalid to the target, so how it handles one was not "
                 "shown"),
        Row("fail-job-internal-error", failed(_INVALID_IN_FILE, "'error_message': 'Internal Error'")),
        Row("fail-job", failed(_INVALID_IN_FILE, "'status': 'failed'"), alike=("fail-job-internal-error",)),
        Row("reported", passed(_INVALID_IN_FILE)),
    ),
    "import-limits": (
        Row("unlimited", failed(_SIZE_LIMITS, "carried it out")),
        Row("422", failed(_SIZE_LIMITS, "got 422")),
        Row("413", passed(_SIZE_LIMITS)),
    ),
    "invalid-contact-shape": (
        Row("errors-list", line("invalid-contact-shape", "held: refused contacts carry an errors list")),
        Row("error-string", every(line("invalid-contact-shape", "differs: refused contacts carry no"),
                                  key("getImportJob", "200", "invalid_contacts/*/index"))),
        Row("bare", line("invalid-contact-shape", "differs: refused contacts carry no"),
            alike=("error-string",)),
    ),
    "job-counts": (
        Row("counts", line("job-counts", "held: a completed job carries its counts")),
        Row("none", line("job-counts", "differs: a completed job carries no")),
    ),
    "job-id-location": (
        Row("body-and-location", line("job-id-location", "held: job id found in body id + Location")),
        Row("location-only", line("job-id-location", "held: job id found in Location header")),
        Row("x-job-id", line("job-id-location", "held: job id found in X-Job-Id header")),
        Row("body-job-id-status", every(line("job-id-location", "held: job id found in body job_id"),
                                        key("importContacts", "202", "status"))),
        Row("body-job-id", line("job-id-location", "held: job id found in body job_id")),
    ),
    "job-statuses": (
        Row("queued-first", broke("job-statuses", "'queued' is not one of")),
        # Polled to its end, reading no status the examples lack (that would have broken a shape).
        Row("examples", passed("test_import_job_completes_and_every_contact_is_listed_once")),
    ),
    # How the target pages its list: the first reading, in the simulator's order (the default
    # first), that every line of the reader's evidence fits (``paging``).
    "list-pagination": tuple(Row(choice, pages_as(choice)) for choice in SCHEMES),
    "phone-normalization": (
        Row("as-typed", failed(_FORMATS, "got 404")),
        Row("numbers", passed(_FORMATS)),
    ),
    "phone-required": (
        Row("optional", failed(_NO_PHONE, "was accepted")),
        Row("required", passed(_NO_PHONE)),
    ),
    "phone-validation": (
        Row("none", failed(_BAD_PHONE, "was accepted")),
        Row("possible", passed(_BAD_PHONE), alike=("format-only",)),
    ),
    "rate-limit-429": (
        Row("retry-after-date", line("rate-limit-429", "held: 429 with Retry-After as an HTTP date")),
        Row("no-retry-after", line("rate-limit-429", "differs: 429 with no Retry-After")),
        Row("token-bucket", line("rate-limit-429", "held: 429 with Retry-After in seconds"),
            alike=("fixed-window",)),
        Row("token-bucket", failed(_BURST, "were all answered"), settings={"rate_limit": None},
            note="no 429 in the whole burst: the twin enforces no limit"),
    ),
    "record-input-fields": (
        Row("documented-shapes", either(key("updateContact", "200", "phone_number", present=False),
                                         key("deleteContact", "200", "phone_number", present=False))),
        Row("top-level", either(key("updateContact", "200", "phone_number"),
                                key("deleteContact", "200", "phone_number"))),
    ),
    "status-transitions": (
        Row("redial-via-upcoming", failed(_TRANSITIONS, about=("status-transitions",))),
        Row("state-machine", passed(_TRANSITIONS)),
    ),
}
