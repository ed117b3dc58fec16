"""Scenario import_while_dialing: imports into a campaign whose dialer runs in the middle third.

Do imports and dialing slow each other down? Files of contacts are imported at
the plan's rate for the whole run (``import end-to-end`` as in
``import_contacts``); against the simulator, one extra user runs the
campaign's dialer for the middle third only and records its steps, timed by
how late each was. Against a real tenant the run is a plain import run.

    dialer-suite load --profile steady --scenario import_while_dialing --rate 2 --duration 60

Writes ``import_while_dialing.png`` and ``import_while_dialing.json`` (the three
phases side by side) next to the usual summary and ``over_time.png``.
"""

from dialer_suite.load.locust import DialerDriverUser, ImportContactsUser, PlanShape


class ImportContacts(ImportContactsUser):
    weight = 1


class DialerDriver(DialerDriverUser):
    fixed_count = 1


__all__ = ["DialerDriver", "ImportContacts", "PlanShape"]
