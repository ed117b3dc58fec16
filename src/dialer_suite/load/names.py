"""Request names shared by the locust users, the SLO file and the reports.

Names are the spec's operation ids, so a gate reads like the contract it guards;
``IMPORT_END_TO_END`` is the synthetic entry fired when an import job is seen done,
``DIALER_STEP`` the one the import-while-dialing scenario fires per step of the dialer.
Neither is a request sent to the target (``SYNTHETIC``). The windows kept aside
(answers, not requests) are named here too.
"""

ADD_CONTACT = "addContact"
LIST_CONTACTS = "listContacts"
IMPORT_CONTACTS = "importContacts"
GET_IMPORT_JOB = "getImportJob"
IMPORT_END_TO_END = "import end-to-end"
# Locust's request_type column for the synthetic entry.
IMPORT_REQUEST_TYPE = "IMPORT"
DIALER_STEP = "dialer step"
DIALER_REQUEST_TYPE = "DIALER"
SYNTHETIC = (IMPORT_END_TO_END, DIALER_STEP)

# Aside: a file posted -> all its contacts listed; the jobs of one batch size.
POSTED_TO_LISTED = "import posted -> listed"
_FILES_OF = "import files of "

# Counters of the book: 429 answers, those with a Retry-After, retries after one, and
# retries that were throttled again.
THROTTLED = "429 answers"
WITH_RETRY_AFTER = "429 answers with Retry-After"
RETRIES = "retries after a 429"
RETRIED_THROTTLED = "retries throttled again"


def files_of(size: int) -> str:
    """The aside window of a capacity run's import jobs of ``size`` contacts per file."""
    return f"{_FILES_OF}{size}"


def batch_size_of(name: str) -> int | None:
    """The batch size an aside window ``files_of`` is named for; None for another name."""
    return int(name[len(_FILES_OF):]) if name.startswith(_FILES_OF) else None
