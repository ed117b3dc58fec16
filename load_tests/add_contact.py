"""Scenario add_contact: single contacts added at the plan's arrival rate.

    dialer-suite load --profile steady --scenario add_contact --rate 50 --duration 30s
"""

from dialer_suite.load.locust import AddContactUser, PlanShape


class AddContact(AddContactUser):
    weight = 1


__all__ = ["AddContact", "PlanShape"]
