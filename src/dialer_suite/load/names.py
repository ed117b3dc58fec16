"""Request names shared by the locust users, the SLO file and the reports.

Names are the spec's operation ids, so a gate reads like the contract it guards;
``IMPORT_END_TO_END`` is the synthetic entry fired when an import job is seen done,
``DIALER_STEP`` the one the import-while-dialing scenario fires per step of the dialer.
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
