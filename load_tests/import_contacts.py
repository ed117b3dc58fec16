"""Scenario import_contacts: files of contacts imported, each job polled to completion.

Every job fires ``IMPORT import end-to-end`` (file posted → job seen completed,
with the contacts imported). The ``capacity`` profile uses this scenario to
push ``--contacts`` through in files of ``--batch-size``.
"""

from shapes import PlanShape
from users import ImportContactsUser


class ImportContacts(ImportContactsUser):
    weight = 1


__all__ = ["ImportContacts", "PlanShape"]
