"""Scenario add_contact: single contacts added at the plan's arrival rate.

    locust -f load_tests/add_contact.py --headless -H http://127.0.0.1:8080/apps/api/v1 \\
        --load-profile steady --target-rate 50 --load-duration 30
"""

from shapes import PlanShape
from users import AddContactUser


class AddContact(AddContactUser):
    weight = 1


__all__ = ["AddContact", "PlanShape"]
