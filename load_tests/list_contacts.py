"""Scenario list_contacts: one page of the campaign's contacts at the plan's arrival rate."""

from dialer_suite.load.locust import ListContactsUser, PlanShape


class ListContacts(ListContactsUser):
    weight = 1


__all__ = ["ListContacts", "PlanShape"]
