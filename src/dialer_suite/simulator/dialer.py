"""The campaign dialer: moves a campaign's contacts through the documented statuses.

Pure domain logic. Time comes from an injected clock and every random choice
from a seeded generator, so a test drives it step by step with a fake clock and
gets the same campaign every time. ``dialer_routes.py`` runs it in the
simulator process (an asyncio task) and exposes start/pause/status.

How a campaign runs (the transitions are those of ``dialer_suite.vendor.statuses``):

- ``agents`` lines work in parallel. A free line picks up the ready contact with
  the lowest id: ``Upcoming``, ``Skipped`` (once another agent may take it) or
  ``Redial Scheduled`` (once the redial interval is over).
- On pick-up, the checks that need no call decide first: a number on the
  do-not-call list, a phone number that is possible but not valid, an outbound
  number that is not valid, a destination outside the allowed regions. Then the
  agent may skip (``Skipped``) or skip and close (``Skipped & Closed``); else the
  call is placed and follows one of the *call paths* below, chosen by weight.
- A call outcome that is not a conversation is followed by ``Redial Scheduled``
  with probability ``redial`` until ``max_attempts`` calls were made.
- Every status of a call lasts ``step_seconds``, a redial waits
  ``redial_interval``; both are campaign seconds, and ``time_scale`` campaign
  seconds pass per wall-clock second, so a test sees a whole campaign in seconds.

Every choice for one pick-up is drawn from a generator seeded with the seed, the
contact's E.164 phone number and the pick-up number. What happens to a contact
therefore does not depend on when the dialer got to it, on contact ids, or on
how often the driving task ticks: the same contacts and seed give the same
statuses, also in a real-time run.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import phonenumbers

from dialer_suite.simulator.exceptions import Unprocessable
from dialer_suite.simulator.faults import active, register_fault
from dialer_suite.simulator.phones import normalize_phone
from dialer_suite.vendor import statuses as sm
from dialer_suite.vendor.testdata import FICTIONAL_OUTBOUND, fictional_blocks, make_contact

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

# What follows ``Dialing`` on each kind of call; weights choose among them.
CALL_PATHS: dict[str, tuple[str, ...]] = {
    "finished": (sm.CONNECTED, sm.FINISHED),
    "queued_then_finished": (sm.QUEUED, sm.CONNECTED, sm.FINISHED),
    "transferred": (sm.CONNECTED, sm.TRANSFERRED, sm.TRANSFERRED_AND_FINISHED),
    "not_picked_up": (sm.NOT_PICKED_UP,),
    "not_reached": (sm.NOT_REACHED_TO_CONTACT,),
    "carrier_error": (sm.CARRIER_ERROR,),
    "dialer_error": (sm.DIALER_GENERAL_ERROR,),
    "voicemail": (sm.VOICEMAIL_HUNG_UP,),
    "hung_up_in_queue": (sm.QUEUED, sm.ABANDONED_BY_CONTACT),
    "hung_up_within_5s": (sm.CONNECTED, sm.ABANDONED_BY_CONTACT),
    "abandoned_by_dialer": (sm.QUEUED, sm.ABANDONED_BY_DIALER),
}


class DialerSettingsError(ValueError):
    """A dialer setting is out of range; the message names it and the valid range."""


@dataclass(frozen=True)
class DialerSettings:
    """How one campaign dials. Durations are campaign seconds (see ``time_scale``)."""

    agents: int = 4
    seed: int = 0
    time_scale: float = 1.0
    step_seconds: float = 5.0
    redial_interval: float = 60.0
    max_attempts: int = 3
    skip: float = 0.05
    skip_and_close: float = 0.05
    redial: float = 0.5
    weights: Mapping[str, float] = field(
        default_factory=lambda: {path: 1.0 for path in CALL_PATHS}
    )
    do_not_call: frozenset[str] = frozenset()
    allowed_regions: frozenset[str] = frozenset({"US", "CA"})
    # Off: only the do-not-call list is checked before dialing (for load runs, whose
    # numbers are merely possible and would all end ``Invalid Number``).
    number_checks: bool = True

    def __post_init__(self) -> None:
        _require(self.agents >= 1, "agents must be at least 1")
        _require(self.max_attempts >= 1, "max_attempts must be at least 1")
        for name in ("time_scale", "step_seconds", "redial_interval"):
            value = getattr(self, name)
            _require(math.isfinite(value) and value > 0, f"{name} must be a positive number")
        for name in ("skip", "skip_and_close", "redial"):
            _require(0 <= getattr(self, name) <= 1, f"{name} must be a probability in 0..1")
        _require(self.skip + self.skip_and_close <= 1, "skip + skip_and_close must be at most 1")
        unknown = sorted(set(self.weights) - set(CALL_PATHS))
        _require(not unknown, f"unknown call path(s) {unknown}; known: {sorted(CALL_PATHS)}")
        _require(all(math.isfinite(w) and w >= 0 for w in self.weights.values())
                 and sum(self.weights.values()) > 0,
                 "weights must be non-negative numbers, not all zero")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: DialerSettings | None = None) -> DialerSettings:
        """``base`` (default settings) with the keys of ``data`` (a JSON object) replaced."""
        base = base or cls()
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        _require(not unknown, f"unknown dialer setting(s) {unknown}; known: {sorted(known)}")
        changes: dict[str, Any] = {}
        for name, value in data.items():
            changes[name] = _coerce(name, value, getattr(base, name))
        if "weights" in changes:
            changes["weights"] = {**{path: 0.0 for path in CALL_PATHS}, **changes["weights"]}
        return replace(base, **changes)

    def to_mapping(self) -> dict[str, Any]:
        """JSON-ready form (what the admin status shows)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["weights"] = dict(self.weights)
        data["do_not_call"] = sorted(self.do_not_call)
        data["allowed_regions"] = sorted(self.allowed_regions)
        return data


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise DialerSettingsError(message)


def _coerce(name: str, value: Any, default: Any) -> Any:
    """A JSON value as the type of the setting's default, or DialerSettingsError."""
    if isinstance(default, bool) or isinstance(value, bool):
        _require(isinstance(default, bool) and isinstance(value, bool),
                 f"{name} must be {'true or false' if isinstance(default, bool) else 'a number'}, "
                 f"got {value!r}")
        return value
    if isinstance(default, int) and not isinstance(default, bool):
        _require(isinstance(value, int), f"{name} must be a whole number, got {value!r}")
        return value
    if isinstance(default, float):
        _require(isinstance(value, int | float), f"{name} must be a number, got {value!r}")
        return _finite(name, value)
    if isinstance(default, frozenset):
        _require(isinstance(value, list) and all(isinstance(v, str) for v in value),
                 f"{name} must be a list of strings, got {value!r}")
        if name == "do_not_call":
            return frozenset(_e164_or_raise(v) for v in value)
        return frozenset(v.upper() for v in value)
    _require(isinstance(value, dict) and all(isinstance(v, int | float) and not isinstance(v, bool)
                                             for v in value.values()),
             f"{name} must map call paths to numbers, got {value!r}")
    return {str(k): _finite(f"{name}[{k!r}]", v) for k, v in value.items()}


def _finite(name: str, value: float) -> float:
    """``value`` as a float; a JSON integer too large for one is refused, not a crash."""
    try:
        number = float(value)
    except OverflowError:
        raise DialerSettingsError(f"{name} is too large") from None
    _require(math.isfinite(number), f"{name} must be a finite number")
    return number


def _e164_or_raise(text: str) -> str:
    e164 = normalize_phone(text)
    if e164 is None:
        raise DialerSettingsError(f"do_not_call entry {text!r} is not a possible phone number")
    return e164


@dataclass(frozen=True)
class ContactView:
    """What the dialer needs to know about a contact."""

    id: int
    phone_e164: str
    outbound_number: str | None
    status: str


class DialerStore(Protocol):
    """The two storage operations the dialer uses."""

    def candidates(self, campaign_id: int, status: str, after_id: int, limit: int) -> list[ContactView]:
        """Up to ``limit`` contacts of the campaign in ``status`` with an id above ``after_id``,
        by id (one status per query, so that an index on (campaign, status, id) serves it)."""

    def move(self, campaign_id: int, contact_id: int, before: str, after: str) -> bool:
        """Set the status to ``after`` if it is still ``before``; False when it was not (or the
        contact is gone), so the dialer never overwrites a concurrent delete."""


@dataclass(frozen=True)
class Transition:
    contact_id: int
    before: str
    after: str
    at: float  # campaign seconds


class ContactInCall(Unprocessable):
    code = "contact_in_call"


def refuse_while_in_call(contact_id: int, status: str, action: str) -> None:
    """Raise ``ContactInCall`` when ``action`` ("update"/"delete") meets a contact in a live call.

    x-assumption ``dialing-writes``: a contact with a live call attached
    (``Dialing``, ``Queued``, ``Connected``, ``Transferred``) can be neither
    changed nor removed: 422, as the vendor's Rails API answers any other failed
    validation. In every other status both work, and an update never changes
    the status (a ``Skipped & Closed`` contact stays closed).
    """
    if status in sm.IN_CALL:
        raise ContactInCall(
            f"contact {contact_id} is in a live call (status {status!r}) and cannot be "
            f"{action}d now; retry when the call has ended"
        )


def plan_pickup(
    contact: ContactView, pickup: int, calls: int, settings: DialerSettings, *, redial: bool
) -> tuple[str, ...]:
    """The statuses one pick-up moves ``contact`` through, from the seeded generator.

    ``pickup`` counts this contact's earlier pick-ups (it keys the generator, so
    that a skipped contact is not skipped again for the same reason), ``calls``
    the calls already placed to it. An agent skips a contact at most
    ``max_attempts - 1`` times. A redial only re-checks the do-not-call list
    (the number itself cannot have become valid).
    """
    rng = random.Random(f"{settings.seed}:{contact.phone_e164}:{pickup}")
    if contact.phone_e164 in settings.do_not_call:
        return (sm.DO_NOT_CALL,)
    if not redial:
        refused = _number_check(contact, settings) if settings.number_checks else None
        if refused is not None:
            return (refused,)
        draw = rng.random()
        if draw < settings.skip_and_close:
            return (sm.SKIPPED_AND_CLOSED,)
        if draw < settings.skip_and_close + settings.skip and pickup + 1 < settings.max_attempts:
            return (sm.SKIPPED,)
    paths = sorted(settings.weights)
    chosen = rng.choices(paths, weights=[settings.weights[p] for p in paths])[0]
    statuses = (sm.DIALING, *CALL_PATHS[chosen])
    if (statuses[-1] in sm.CALL_OUTCOMES and calls + 1 < settings.max_attempts
            and rng.random() < settings.redial):
        statuses += (sm.REDIAL_SCHEDULED,)
    return statuses


def _number_check(contact: ContactView, settings: DialerSettings) -> str | None:
    try:
        phone = phonenumbers.parse(contact.phone_e164, None)
    except phonenumbers.NumberParseException:
        return sm.INVALID_NUMBER
    if not phonenumbers.is_valid_number(phone):
        return sm.INVALID_NUMBER
    if contact.outbound_number is not None:
        outbound = normalize_phone(contact.outbound_number)
        if outbound is None or not phonenumbers.is_valid_number(phonenumbers.parse(outbound, None)):
            return sm.INVALID_OUTBOUND_NUMBER
    if phonenumbers.region_code_for_number(phone) not in settings.allowed_regions:
        return sm.BLOCKED_PHONE_NUMBER
    return None


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
        is_fault_active: Callable[[str], bool] = active,
    ) -> None:
        self.campaign_id = campaign_id
        self.settings = settings or DialerSettings()
        self._store = store
        self._clock = clock
        self._fault = is_fault_active
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
        return self._running

    @property
    def busy_lines(self) -> int:
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
        self._tick_clock()
        self.settings = settings

    def start(self) -> None:
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
        if self._fault(FAULT_REOPENED_CLOSED):
            statuses.append(sm.SKIPPED_AND_CLOSED)
        for status in statuses:
            yield from self._pages(status)

    def _pages(self, status: str) -> Iterator[ContactView]:
        """Contacts in ``status`` by id, a page at a time, at most ``_PICKUP_BUDGET`` per tick."""
        after_id = 0
        for _ in range(_PICKUP_BUDGET // _PAGE):
            page = self._store.candidates(self.campaign_id, status, after_id, _PAGE)
            yield from (contact for contact in page if contact.id not in self._calls)
            if len(page) < _PAGE:
                return
            after_id = page[-1].id

    def _start_call(self, contact: ContactView, now: float) -> Transition | None:
        plan = plan_pickup(contact, self._pickups[contact.id], self._calls_placed[contact.id],
                           self.settings,
                           redial=contact.status in (sm.REDIAL_SCHEDULED, sm.SKIPPED_AND_CLOSED))
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
        """The pick-up reached its last status: free the line, and schedule what comes next."""
        self._calls.pop(call.contact.id, None)
        wait = {sm.REDIAL_SCHEDULED: self.settings.redial_interval,
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
        if status == sm.NOT_PICKED_UP and self._fault(FAULT_RENAMED_STATUS):
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



# A possible but not valid number: the vendor's own example (API-NOTES), stored, never dialable.
_POSSIBLE_NOT_VALID = "+1 111-111-1111"
# A valid number outside the default allowed regions (an Ofcom drama number).
_ABROAD = "+44 20 7946 0123"
SHOWCASE_SEED = 1


def showcase_campaign(run_id: str, count: int = 40) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Contacts and dialer settings with which a campaign visits all 21 statuses.

    The first four contacts meet the four checks made before dialing (on the
    do-not-call list, a phone that is not valid, an outbound number that is not
    valid, a destination abroad); the others are fictional North American
    numbers whose seeded calls cover every call path, skip and redial
    (``tests/dialer`` checks this for ``SHOWCASE_SEED``). Fixed numbers, so the
    campaign is the same in every run.
    """
    if count < 20:
        raise DialerSettingsError("a showcase campaign needs at least 20 contacts")
    north_american = (block.number(i) for block in fictional_blocks()[:3]
                      for i in range(block.count))
    do_not_call = next(north_american)
    rows = [
        (do_not_call, FICTIONAL_OUTBOUND),
        (_POSSIBLE_NOT_VALID, FICTIONAL_OUTBOUND),
        (next(north_american), _POSSIBLE_NOT_VALID),
        (_ABROAD, FICTIONAL_OUTBOUND),
    ]
    rows += [(next(north_american), FICTIONAL_OUTBOUND) for _ in range(count - len(rows))]
    contacts = [make_contact(run_id, index, phone, outbound=outbound)
                for index, (phone, outbound) in enumerate(rows)]
    return contacts, {"seed": SHOWCASE_SEED, "do_not_call": [do_not_call]}
