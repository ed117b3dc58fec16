"""Scenario list_contacts: one page of the campaign's contacts at the plan's arrival rate."""

from shapes import PlanShape
from users import ListContactsUser


class ListContacts(ListContactsUser):
    weight = 1


__all__ = ["ListContacts", "PlanShape"]
