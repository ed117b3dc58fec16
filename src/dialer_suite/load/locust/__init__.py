"""The load suite's locust side: what the locustfiles of ``load_tests/`` are made of.

It ties the plain modules of ``dialer_suite.load`` (plans, arrival schedules,
HDR book, gates, charts) to locust: user classes (``users.py``, ``dialer.py``),
the load shape (``shape.py``), the import flow (``imports.py``), requests
through the suite's one send path (``calls.py``), the per-run state
(``run.py``), worker messaging (``workers.py``), the reports (``report.py``)
and the event wiring (``wiring.py``).

It imports locust, which monkey-patches the process with gevent: only locust
processes may import it (a locustfile does), never the ``dialer-suite``
command or a test process. Importing it registers the ``--dialer-plan``
option and, at locust's ``init``, one ``LoadRun`` per environment.
"""

from locust import events

from dialer_suite.load.locust.dialer import DialerDriverUser
from dialer_suite.load.locust.shape import PlanShape
from dialer_suite.load.locust.users import AddContactUser, ImportContactsUser, ListContactsUser, PacedUser
from dialer_suite.load.locust.wiring import add_options, on_init

events.init_command_line_parser.add_listener(add_options)
events.init.add_listener(on_init)

__all__ = [
    "AddContactUser",
    "DialerDriverUser",
    "ImportContactsUser",
    "ListContactsUser",
    "PacedUser",
    "PlanShape",
]
