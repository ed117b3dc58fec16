"""Scenario import_contacts: files of contacts imported at the plan's rate, each job polled to its end.

The capacity profile uses it too: ``--contacts`` split into files of
``--batch-size``, ``--users`` imports at a time, until all are imported.
"""

from dialer_suite.load.locust import ImportContactsUser, PlanShape


class ImportContacts(ImportContactsUser):
    weight = 1


__all__ = ["ImportContacts", "PlanShape"]
