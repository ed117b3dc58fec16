"""The scenario user classes: one paced operation each. Locustfiles subclass them and set weights.

add and list use FastHttpUser (geventhttpclient: several times cheaper per
request than requests). Import uses HttpUser because FastHttpSession has no
``files=`` multipart support; its throughput is bounded by the job anyway. A
class's weight is also its operation's share of the plan's rate.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import gevent
from locust import FastHttpUser, HttpUser, User, task

from dialer_suite.load.arrivals import Ticket
from dialer_suite.load.locust.calls import Check, a_list, call, request, stored
from dialer_suite.load.locust.imports import import_file
from dialer_suite.load.locust.run import LoadRun, run_of
from dialer_suite.load.names import (
    ADD_CONTACT,
    GET_IMPORT_JOB,
    IMPORT_CONTACTS,
    IMPORT_END_TO_END,
    LIST_CONTACTS,
)

# Users whose plan is over idle in steps of this long until the shape ends the run.
IDLE = 0.2
# A list of a campaign that load runs keep growing: read one bounded page.
LIST_PAGE_SIZE = 100


class PacedUser(User):
    """The operation loop of every paced user class (combined with an HTTP user class).

    A subclass names its ``operation`` (the paced request name), lists what it
    ``produces``, and implements ``perform(ticket)``.
    """

    abstract = True
    operation: ClassVar[str] = ""
    produces: ClassVar[tuple[str, ...]] = ()
    client: Any

    @property
    def load_run(self) -> LoadRun:
        return run_of(self.environment)

    @task
    def operate(self) -> None:
        self.next_operation()

    def next_operation(self) -> None:
        """Wait for the next ticket of the operation, then perform it (idle once the plan is over)."""
        ticket = self.load_run.next_ticket(self.operation)
        if ticket is None:
            gevent.sleep(IDLE)
            return
        delay = ticket.intended - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
        self.perform(ticket)

    def perform(self, ticket: Ticket) -> None:
        raise NotImplementedError

    def call_operation(self, method: str, suffix: str, check: Check, ticket: Ticket, **kwargs: Any) -> None:
        """The operation's request on the campaign path ``suffix``, judged by ``check``."""
        run = self.load_run
        send = request(run, self.client, method, suffix, self.operation, **kwargs)
        call(run, send, self.operation, check, ticket=ticket)


class AddContactUser(PacedUser, FastHttpUser):
    """POST one new contact (a fresh number every time)."""

    abstract = True
    operation = ADD_CONTACT
    produces = (ADD_CONTACT,)

    def perform(self, ticket: Ticket) -> None:
        self.call_operation("POST", "/contacts", stored, ticket, json=self.load_run.next_contacts(1)[0])


class ListContactsUser(PacedUser, FastHttpUser):
    """GET one page of the campaign's contacts."""

    abstract = True
    operation = LIST_CONTACTS
    produces = (LIST_CONTACTS,)

    def perform(self, ticket: Ticket) -> None:
        self.call_operation("GET", f"/contacts?page=1&per={LIST_PAGE_SIZE}", a_list, ticket)


class ImportContactsUser(PacedUser, HttpUser):
    """Import a file of contacts per ticket; in a capacity run, work through this process's files."""

    abstract = True
    operation = IMPORT_CONTACTS
    produces = (IMPORT_CONTACTS, GET_IMPORT_JOB, IMPORT_END_TO_END)

    def next_operation(self) -> None:
        """A capacity run works through this process's files as fast as it can; others are paced."""
        run = self.load_run
        if not (run.has_plan and run.plan.profile == "capacity"):
            super().next_operation()
            return
        run.ready.wait()
        if not run.batches:
            gevent.sleep(IDLE)
            return
        batch_size, size = run.batches.pop(0)
        import_file(run, self.client, size, None, batch_size=batch_size)

    def perform(self, ticket: Ticket) -> None:
        run = self.load_run
        import_file(run, self.client, run.plan.batch_size, ticket)
