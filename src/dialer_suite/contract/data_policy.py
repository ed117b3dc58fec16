"""What generated requests may carry: only our campaigns, our contacts, fictional numbers, run tags.

Schemathesis invents campaign ids, contact ids, phone numbers and names. On a
real tenant that could address someone else's campaign, update a real
contact or make the dialer call a real person. ``DataPolicy.map_case`` (a
``map_case`` hook on the suite's schema) rewrites every generated case before
it is sent:

- ``campaign_id`` → one of the configured campaigns given (ours and the
  missing one), so writes only touch configured campaigns;
- ``contact_id`` → a contact this run created (``bind_contact_id``, at call
  time, when the run's contacts exist; ids the run learnt from its own adds,
  e.g. through OpenAPI links, are kept), so updates and deletes only touch the
  run's own contacts (and positive updates really update something);
- positive cases: phone numbers become fresh fictional numbers, emails
  ``example.com``, names and ``external_unique_id`` carry the run id; import
  files are real JSON arrays of such contacts (at least one; at most
  ``max_file_contacts`` when set: on a tenant every contact written costs a
  DELETE at the end, and large files are the large-import scenario's);
- negative cases keep what makes them invalid, but every string phone number
  that could be dialled is replaced by a fictional one, and strings that name
  the contact get the run tag, so cleanup finds whatever a lax target stored.
"""

from __future__ import annotations

import itertools
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from schemathesis import Case, HookContext

from dialer_suite.api.testdata import EXAMPLE_DOMAINS, FICTIONAL_OUTBOUND, run_tag
from dialer_suite.contract.rundata import RunPhones

_CONTACT_OPERATIONS = ("addContact", "updateContact", "deleteContact")
_DIALABLE_DIGITS = 7


@dataclass
class DataPolicy:
    """The run's data rules; ``own_contact_ids`` is filled by the fixture that creates them."""

    run_id: str
    phones: RunPhones
    campaign_ids: Sequence[int]
    max_file_contacts: int | None = None
    own_contact_ids: list[int] = field(default_factory=list)
    _known_ids: set[int] = field(default_factory=set)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def map_case(self, context: HookContext, case: Case) -> Case:
        from dialer_suite.contract.checks import operation_of

        operation_id = operation_of(case).operation_id
        positive = case.meta is None or case.meta.generation.mode.is_positive
        self._map_campaign(case)
        if not isinstance(case.body, dict):
            return case
        if operation_id == "importContacts":
            self._map_file(case.body, positive)
        elif operation_id in _CONTACT_OPERATIONS:
            self._map_contact(case.body, positive, add_tag=operation_id == "addContact")
        return case

    def own(self, contact_id: int) -> None:
        """A contact the run created and may point generated updates and deletes at."""
        with self._lock:
            if contact_id not in self._known_ids:
                self._known_ids.add(contact_id)
                self.own_contact_ids.append(contact_id)

    def learn(self, operation_id: str, status: int, body: Any) -> None:
        """Remember the ids an add of ours answered with (links then address them)."""
        if operation_id == "addContact" and status == 200 and isinstance(body, dict):
            for contact in body.get("valid_contacts") or []:
                if isinstance(contact, dict) and isinstance(contact.get("id"), int):
                    self.own(contact["id"])

    def bind_contact_id(self, case: Case) -> None:
        """Point a generated ``contact_id`` that is not the run's own at one that is."""
        if not isinstance(case.body, dict):
            return
        value = case.body.get("contact_id")
        if not isinstance(value, int) or isinstance(value, bool) or not self.own_contact_ids:
            return
        if value not in self._known_ids:
            case.body["contact_id"] = self.own_contact_ids[abs(value) % len(self.own_contact_ids)]

    def _next(self) -> int:
        with self._lock:
            return next(self._counter)

    def _map_campaign(self, case: Case) -> None:
        value = (case.path_parameters or {}).get("campaign_id")
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            return
        if int(value) not in self.campaign_ids:
            case.path_parameters["campaign_id"] = self.campaign_ids[
                zlib.crc32(str(value).encode()) % len(self.campaign_ids)
            ]

    def _map_file(self, body: dict[str, Any], positive: bool) -> None:
        contacts = body.get("file")
        if positive and (not isinstance(contacts, list) or not contacts):
            body["file"] = contacts = [{}]
        if positive and self.max_file_contacts is not None and isinstance(contacts, list):
            del contacts[self.max_file_contacts:]
        if isinstance(contacts, list):
            for contact in contacts:
                if isinstance(contact, dict):
                    self._map_contact(contact, positive, add_tag=True)

    def _map_contact(self, contact: dict[str, Any], positive: bool, *, add_tag: bool) -> None:
        index = self._next()
        tag = run_tag(self.run_id)
        if positive:
            if "phone_number" in contact or add_tag:
                contact["phone_number"] = self.phones.one()
            if "name" in contact:
                contact["name"] = f"dialer-suite {self.run_id} #{index}"
            if "email" in contact:
                contact["email"] = f"{tag}{index}@{EXAMPLE_DOMAINS[0]}"
            if "outbound_number" in contact:
                contact["outbound_number"] = FICTIONAL_OUTBOUND
            if "external_unique_id" in contact or add_tag:
                contact["external_unique_id"] = f"{tag}{index}"
            return
        phone = contact.get("phone_number")
        if isinstance(phone, str) and sum(ch.isdigit() for ch in phone) >= _DIALABLE_DIGITS:
            contact["phone_number"] = self.phones.one()
        for key in ("outbound_number",):
            value = contact.get(key)
            if isinstance(value, str) and sum(ch.isdigit() for ch in value) >= _DIALABLE_DIGITS:
                contact[key] = FICTIONAL_OUTBOUND
        if isinstance(contact.get("name"), str):
            contact["name"] = f"dialer-suite {self.run_id} {contact['name']}"
        eid = contact.get("external_unique_id")
        if isinstance(eid, str):
            contact["external_unique_id"] = f"{tag}{index}-{eid}"
        elif eid is None and add_tag:
            contact["external_unique_id"] = f"{tag}{index}"
