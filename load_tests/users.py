"""The scenario user classes: one operation each, paced by the plan.

add and list use FastHttpUser (geventhttpclient: several times cheaper per
request than requests). Import uses HttpUser because FastHttpSession has no
``files=`` multipart support; its throughput is bounded by the job anyway.
Locustfiles pick classes from here and set their weights; a class's weight is
also its operation's share of the plan's rate.
"""

from __future__ import annotations

from typing import Any

import gevent
from locust import FastHttpUser, HttpUser, task

from common import IDLE, RUN, ImportBehaviour, PacedUser, call, campaign_path, expect
from dialer_suite.load.names import (
    ADD_CONTACT,
    GET_IMPORT_JOB,
    IMPORT_CONTACTS,
    IMPORT_END_TO_END,
    LIST_CONTACTS,
)
from dialer_suite.load.pacing import Ticket

# Contacts per import file unless --batch-size says otherwise.
DEFAULT_IMPORT_SIZE = 100
# A list of a campaign that load runs keep growing: read one bounded page.
LIST_PAGE_SIZE = 100


def _stored(status: int, body: Any, _headers: Any) -> str | None:
    """An add is done only when the contact was stored (listed in valid_contacts)."""
    if status != 200:
        return expect(200)(status, body)
    if not isinstance(body, dict) or len(body.get("valid_contacts") or []) != 1:
        refused = body.get("invalid_contacts") if isinstance(body, dict) else body
        return f"contact not stored: {str(refused)[:120]}"
    return None


def _a_list(status: int, body: Any, _headers: Any) -> str | None:
    if status != 200:
        return expect(200)(status, body)
    return None if isinstance(body, list) else f"list body is not an array: {str(body)[:80]}"


class AddContactUser(PacedUser, FastHttpUser):
    """POST one new contact (a fresh number every time)."""

    abstract = True
    operation = ADD_CONTACT
    produces = (ADD_CONTACT,)

    @task
    def add(self) -> None:
        self.paced_loop()

    def perform(self, ticket: Ticket) -> None:
        contact = RUN.next_contacts(1)[0]
        call(
            lambda: self.client.post(
                campaign_path("/contacts"),
                name=ADD_CONTACT,
                json=contact,
                headers=RUN.headers,
                catch_response=True,
            ),
            ADD_CONTACT,
            _stored,
            ticket=ticket,
        )


class ListContactsUser(PacedUser, FastHttpUser):
    """GET one page of the campaign's contacts."""

    abstract = True
    operation = LIST_CONTACTS
    produces = (LIST_CONTACTS,)

    @task
    def list_page(self) -> None:
        self.paced_loop()

    def perform(self, ticket: Ticket) -> None:
        call(
            lambda: self.client.get(
                campaign_path(f"/contacts?page=1&per={LIST_PAGE_SIZE}"),
                name=LIST_CONTACTS,
                headers=RUN.headers,
                catch_response=True,
            ),
            LIST_CONTACTS,
            _a_list,
            ticket=ticket,
        )


class ImportContactsUser(PacedUser, ImportBehaviour, HttpUser):
    """Import a file of contacts per ticket; in a capacity run, work through this worker's files."""

    abstract = True
    operation = IMPORT_CONTACTS
    produces = (IMPORT_CONTACTS, GET_IMPORT_JOB, IMPORT_END_TO_END)

    @task
    def import_contacts(self) -> None:
        plan = RUN.plan
        if plan is not None and plan.profile == "capacity":
            self._capacity_step()
        else:
            self.paced_loop()

    def perform(self, ticket: Ticket) -> None:
        size = RUN.require_plan().batch_size or DEFAULT_IMPORT_SIZE
        self.import_file(size, ticket)

    def _capacity_step(self) -> None:
        RUN.ready.wait()
        if not RUN.batches:
            gevent.sleep(IDLE)
            return
        self.import_file(RUN.batches.pop(), None)
