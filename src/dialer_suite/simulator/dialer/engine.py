"""The dialer engine of one campaign: lines, campaign time, calls in progress, redials.

Pure domain logic. Time comes from an injected clock, every random choice
from the seeded pick-up plan (``pickup.py``) and the faults and assumption
choices from the app's ``Switches``, so a test drives it step by step with a
fake clock over an in-memory store and gets the same campaign every time; in
the simulator ``ticker.py`` calls ``advance()`` from an asyncio task.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from dialer_suite.api import statuses as sm
from dialer_suite.simulator.dialer.pickup import REDIAL_STATUS, STATUS_TRANSITIONS, plan_pickup
from dialer_suite.simulator.dialer.settings import DialerSettings
from dialer_suite.simulator.dialer.store import ContactView, DialerStore
from dialer_suite.simulator.faults import register_fault
from dialer_suite.simulator.switches import Switches

FAULT_RENAMED_STATUS = register_fault(
    "dialer-renamed-status",
    "wire",
    ("listContacts", "updateContact", "deleteContact"),
    f"the dialer writes {sm.NOT_PICKED_UP!r} with a changed case ({sm.NOT_PICKED_UP.lower()!r}), "
    "as when a vendor release renames a status value",
)
FAULT_REOPENED_CLOSED = register_fault(
    "dialer-reopens-closed",
    "behaviour",
    ("listContacts",),
    f"the dialer dials {sm.SKIPPED_AND_CLOSED!r} contacts again (an impossible transition: "
    "the vendor documents them as always skipped from then on)",
)


@dataclass(frozen=True)
class Transition:
    """One status change the engine wrote: what ``advance()`` returns and the tests replay."""

    contact_id: int
    before: str
    after: str
    at: float  # campaign seconds


@dataclass
class _Call:
    """A pick-up in progress: the planned statuses and when the next one is due."""

    contact: ContactView  # with the status the pick-up ends in
    plan: tuple[str, ...]
    position: int  # index in plan of the status the contact has now
    next_at: float

    @property
    def current(self) -> str:
        return self.plan[self.position]


# Candidates read per query, and at most per tick: bounds one tick's work on a huge
# campaign whose first contacts are all refused before dialing (which frees no line).
_PAGE = 64
_PICKUP_BUDGET = 1024


class DialerEngine:
    """One campaign's dialer. Call ``advance()`` often; it does what is due by the clock."""

    def __init__(
        self,
        campaign_id: int,
        store: DialerStore,
        clock: Callable[[], float],
        settings: DialerSettings | None = None,
        *,
        switches: Switches,
    ) -> None:
        self.campaign_id = campaign_id
        self.settings = settings or DialerSettings()
        self._store = store
        self._clock = clock
        self._switches = switches
        self._running = False
        self._campaign_now = 0.0
        self._wall_mark = clock()
        self._calls: dict[int, _Call] = {}
        # Skipped and Redial Scheduled contacts, and when they may be picked up again.
        self._waiting: dict[int, ContactView] = {}
        self._waiting_until: dict[int, float] = {}
        self._pickups: Counter[int] = Counter()
        self._calls_placed: Counter[int] = Counter()
        self._recovered = False
        self.visited: Counter[str] = Counter()
        # Steps applied on a schedule, and how late (wall ms) in total: whatever blocks the
        # event loop (a long import holding the database) shows up here.
        self.scheduled_steps = 0
        self.lateness_ms_total = 0.0

    @property
    def running(self) -> bool:
        """Whether free lines pick up contacts (``start``), or only calls in progress go on."""
        return self._running

    @property
    def busy_lines(self) -> int:
        """Calls in progress; after ``pause`` they run to their end, until this is 0."""
        return len(self._calls)

    @property
    def waiting(self) -> int:
        """Contacts that will be picked up again later (skipped, or a redial scheduled)."""
        return len(self._waiting)

    def idle(self) -> bool:
        """Nothing left to do: no call in progress, nobody waiting, no ``Upcoming`` contact."""
        return not self._calls and not self._waiting and not self._store.candidates(
            self.campaign_id, sm.UPCOMING, 0, 1)

    def configure(self, settings: DialerSettings) -> None:
        """Dial with ``settings`` from now on (campaign time so far passed at the old pace)."""
        self._tick_clock()
        self.settings = settings

    def start(self) -> None:
        """Pick up contacts from the next ``advance()``; the first start adopts an earlier process's."""
        self._tick_clock()
        if not self._recovered:
            self._recover()
        self._running = True

    def _recover(self) -> None:
        """Adopt what an earlier simulator process left on this campaign (a restart).

        Calls that were in progress are lost with the process, as in a dialer
        crash: they end in ``Dialer General Error`` (a transferred call has
        already reached its agent and ends ``Transferred and Finished``).
        Skipped and redial-scheduled contacts become due at once.
        """
        now = self._campaign_now
        for status in sm.IN_CALL:
            ended = sm.TRANSFERRED_AND_FINISHED if status == sm.TRANSFERRED else sm.DIALER_GENERAL_ERROR
            for contact in self._all(status):
                if contact.id not in self._calls:
                    self._write(contact.id, status, ended, now)
        for status in (sm.SKIPPED, sm.REDIAL_SCHEDULED):
            for contact in self._all(status):
                if contact.id not in self._waiting and contact.id not in self._calls:
                    self._waiting[contact.id] = contact
                    self._waiting_until[contact.id] = now
        self._recovered = True

    def _all(self, status: str) -> list[ContactView]:
        """Every contact in ``status`` (pages until the end: each page moves past the last id)."""
        found: list[ContactView] = []
        while True:
            page = self._store.candidates(self.campaign_id, status,
                                          found[-1].id if found else 0, _PAGE)
            found += page
            if len(page) < _PAGE:
                return found

    def pause(self) -> None:
        """Stop picking up contacts; calls in progress still run to their end."""
        self._tick_clock()
        self._running = False

    def now(self) -> float:
        """Campaign time in seconds (advances ``time_scale`` times faster than the clock)."""
        self._tick_clock()
        return self._campaign_now

    def _tick_clock(self) -> None:
        wall = self._clock()
        self._campaign_now += max(0.0, wall - self._wall_mark) * self.settings.time_scale
        self._wall_mark = wall

    def advance(self) -> list[Transition]:
        """Apply every step that is due, then fill free lines (if running)."""
        now = self.now()
        changes = self._progress_calls(now)
        if self._running:
            changes += self._pick_up(now)
        self.visited.update(change.after for change in changes)
        return changes

    def _progress_calls(self, now: float) -> list[Transition]:
        changes: list[Transition] = []
        for call in sorted(self._calls.values(), key=lambda c: c.next_at):
            while call.contact.id in self._calls and call.next_at <= now:
                moved = self._write(call.contact.id, call.current, call.plan[call.position + 1],
                                    call.next_at)
                if moved is None:
                    del self._calls[call.contact.id]  # changed by someone else: not ours any more
                    break
                changes.append(moved)
                self._count_lateness(now - call.next_at)
                call.position += 1
                if call.position == len(call.plan) - 1:
                    self._finish(call, call.next_at)
                else:
                    call.next_at += self.settings.step_seconds
        return changes

    def _count_lateness(self, campaign_seconds: float) -> None:
        self.scheduled_steps += 1
        self.lateness_ms_total += campaign_seconds / self.settings.time_scale * 1000

    def _pick_up(self, now: float) -> list[Transition]:
        """Fill free lines: due redials and skipped contacts first, then ``Upcoming`` by id."""
        changes: list[Transition] = []
        ready = self._ready(now)
        # Capacity is checked before the next contact is drawn: a drawn contact leaves the queue.
        while len(self._calls) < self.settings.agents:
            contact = next(ready, None)
            if contact is None:
                break
            change = self._start_call(contact, now)
            if change is not None:
                changes.append(change)
        return changes

    def _ready(self, now: float) -> Iterator[ContactView]:
        due = sorted((at, contact_id) for contact_id, at in self._waiting_until.items() if at <= now)
        for _, contact_id in due:
            del self._waiting_until[contact_id]  # before the yield: a pick-up may re-schedule it
            yield self._waiting.pop(contact_id)
        statuses = [sm.UPCOMING]
        if self._switches.fault(FAULT_REOPENED_CLOSED):
            statuses.append(sm.SKIPPED_AND_CLOSED)
        for status in statuses:
            yield from self._pages(status)

    def _pages(self, status: str) -> Iterator[ContactView]:
        """Contacts in ``status`` by id, a page at a time, at most ``_PICKUP_BUDGET`` per tick."""
        after_id = 0
        for _ in range(_PICKUP_BUDGET // _PAGE):
            page = self._store.candidates(self.campaign_id, status, after_id, _PAGE)
            # Not a contact waiting for its redial (it may wait as Upcoming: status-transitions).
            yield from (contact for contact in page
                        if contact.id not in self._calls and contact.id not in self._waiting)
            if len(page) < _PAGE:
                return
            after_id = page[-1].id

    def _start_call(self, contact: ContactView, now: float) -> Transition | None:
        placed = self._calls_placed[contact.id]
        # A contact called before is a redial, whatever status marked it (status-transitions).
        plan = plan_pickup(contact, self._pickups[contact.id], placed, self.settings,
                           redial=placed > 0 or contact.status in (sm.REDIAL_SCHEDULED,
                                                                   sm.SKIPPED_AND_CLOSED),
                           redial_as=REDIAL_STATUS[self._switches.choice(STATUS_TRANSITIONS)])
        change = self._write(contact.id, contact.status, plan[0], now)
        if change is None:
            return None
        self._pickups[contact.id] += 1
        if plan[0] == sm.DIALING:
            self._calls_placed[contact.id] += 1
        call = _Call(replace(contact, status=plan[-1]), plan, 0, now + self.settings.step_seconds)
        if len(plan) == 1:
            self._finish(call, now)
        else:
            self._calls[contact.id] = call
        return change

    def _finish(self, call: _Call, at: float) -> None:
        """The pick-up reached its last status: free the line, and schedule what comes next.

        A plan ends ``Upcoming`` only as a redial (``status-transitions`` redial-via-upcoming).
        """
        self._calls.pop(call.contact.id, None)
        wait = {sm.REDIAL_SCHEDULED: self.settings.redial_interval,
                sm.UPCOMING: self.settings.redial_interval,
                sm.SKIPPED: self.settings.step_seconds}.get(call.current)
        if wait is not None:
            self._waiting[call.contact.id] = call.contact
            self._waiting_until[call.contact.id] = at + wait

    def _write(self, contact_id: int, before: str, after: str, at: float) -> Transition | None:
        if not self._store.move(self.campaign_id, contact_id, self._spelled(before),
                                self._spelled(after)):
            return None
        return Transition(contact_id, before, after, at)

    def _spelled(self, status: str) -> str:
        """The status as written to storage (the renaming fault changes one value)."""
        if status == sm.NOT_PICKED_UP and self._switches.fault(FAULT_RENAMED_STATUS):
            return status.lower()
        return status

    def status(self) -> dict[str, Any]:
        """The admin view: state, lines in use, campaign time, statuses visited so far."""
        return {
            "campaign_id": self.campaign_id,
            "state": "running" if self._running else "paused",
            "busy_lines": self.busy_lines,
            "waiting": self.waiting,
            "idle": self.idle(),
            "campaign_seconds": round(self.now(), 3),
            "visited": dict(sorted(self.visited.items())),
            "transitions": sum(self.visited.values()),
            "scheduled_steps": self.scheduled_steps,
            "lateness_ms_total": round(self.lateness_ms_total, 3),
            "settings": self.settings.to_mapping(),
        }
