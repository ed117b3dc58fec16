"""Scenario mix: adds, lists and imports in a 6 : 3 : 1 mix of the plan's arrival rate.

The weights are locust's user weights and each operation's share of the
offered rate: at 20 operations/s that is 12 adds, 6 lists and 2 imports (of
100 contacts each) per second.
"""

from dialer_suite.load.locust import AddContactUser, ImportContactsUser, ListContactsUser, PlanShape


class AddContact(AddContactUser):
    weight = 6


class ListContacts(ListContactsUser):
    weight = 3


class ImportContacts(ImportContactsUser):
    weight = 1


__all__ = ["AddContact", "ImportContacts", "ListContacts", "PlanShape"]
