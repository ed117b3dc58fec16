"""The documented state machine of a contact's ``status``: which value may follow which.

The 21 display strings are read from the spec (``ContactStatus``), never spelled
here: the constants below are bound to the spec's values *by position in the
vendor's table*, and a unit test checks that each constant's name is its value
written as an identifier, so a reordered or added value fails loudly instead of
silently meaning something else. Changing the inferred spelling of the last two
values in the spec therefore changes them everywhere.

The machine, in words (``docs/dialer.md`` has the diagram, generated from this
module by ``mermaid_diagram()``):

- A contact starts ``Upcoming`` (the documented record example).
- When the dialer picks a contact up it first runs the checks that need no call:
  the do-not-call list (``Do Not Call``), the phone number (``Invalid Number``),
  the caller id (``Invalid Outbound Number``) and blocked destinations
  (``Blocked Phone Number``). In preview campaigns the agent may then skip it
  (``Skipped``: available to another agent, so picked up again later) or skip
  and close it (``Skipped & Closed``: never dialed again). Otherwise it is
  ``Dialing``.
- A call is answered (``Queued`` for an agent, or ``Connected`` straight away)
  or ends in one of the call outcomes (``Not Picked Up``, ``Not Reached to
  Contact``, ``Carrier Error``, ``Dialer General Error``, ``Voicemail Hung Up``,
  ``Abandoned by Contact``, ``Abandoned by Dialer``). A connected call is
  ``Finished`` or ``Transferred`` (then ``Transferred and Finished``).
- A call outcome is final unless the dialer schedules a redial
  (``Redial Scheduled``, temporary); after the redial interval the contact is
  picked up again, which re-runs the do-not-call check (the list may have
  changed meanwhile) and otherwise dials.

A watcher that polls the list sees only some of the statuses a contact passes
through, so :func:`check_sequence` accepts, by default, any later status that
is *reachable* from the earlier one; ``sampled=False`` checks single steps.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from dialer_suite.api.spec import contact_statuses

# Bound by position in the vendor's table (spec ``ContactStatus``); see the module docstring.
(
    UPCOMING,
    DIALING,
    QUEUED,
    CONNECTED,
    FINISHED,
    TRANSFERRED,
    TRANSFERRED_AND_FINISHED,
    NOT_PICKED_UP,
    NOT_REACHED_TO_CONTACT,
    ABANDONED_BY_CONTACT,
    SKIPPED,
    SKIPPED_AND_CLOSED,
    INVALID_NUMBER,
    CARRIER_ERROR,
    ABANDONED_BY_DIALER,
    VOICEMAIL_HUNG_UP,
    DIALER_GENERAL_ERROR,
    REDIAL_SCHEDULED,
    DO_NOT_CALL,
    INVALID_OUTBOUND_NUMBER,
    BLOCKED_PHONE_NUMBER,
) = contact_statuses()


class Kind(Enum):
    """What a status means for the contact's future."""

    TRANSIENT = "transient"  # the contact will move on by itself
    OUTCOME = "outcome"  # a call ended; final unless a redial is scheduled
    TERMINAL = "terminal"  # final: the contact is never dialed again


# Checks the dialer makes before it places a call; each one ends the contact.
PRE_DIAL_OUTCOMES = (DO_NOT_CALL, INVALID_NUMBER, INVALID_OUTBOUND_NUMBER, BLOCKED_PHONE_NUMBER)
# How a call can end without a conversation; each may be followed by a redial.
CALL_OUTCOMES = (
    NOT_PICKED_UP,
    NOT_REACHED_TO_CONTACT,
    CARRIER_ERROR,
    DIALER_GENERAL_ERROR,
    VOICEMAIL_HUNG_UP,
    ABANDONED_BY_CONTACT,
    ABANDONED_BY_DIALER,
)
# Statuses during which a live call is attached to the contact (see x-assumption dialing-writes).
IN_CALL = (DIALING, QUEUED, CONNECTED, TRANSFERRED)
# Statuses from which the dialer picks a contact up (a redial only once its interval is over).
READY = (UPCOMING, SKIPPED, REDIAL_SCHEDULED)

_PICK_UP = (DIALING, SKIPPED, SKIPPED_AND_CLOSED, *PRE_DIAL_OUTCOMES)

_TRANSITIONS: dict[str, tuple[str, ...]] = {
    UPCOMING: _PICK_UP,
    SKIPPED: tuple(status for status in _PICK_UP if status != SKIPPED),
    DIALING: (QUEUED, CONNECTED, *CALL_OUTCOMES),
    QUEUED: (CONNECTED, ABANDONED_BY_CONTACT, ABANDONED_BY_DIALER, DIALER_GENERAL_ERROR),
    CONNECTED: (FINISHED, TRANSFERRED, ABANDONED_BY_CONTACT, DIALER_GENERAL_ERROR),
    TRANSFERRED: (TRANSFERRED_AND_FINISHED,),
    REDIAL_SCHEDULED: (DIALING, DO_NOT_CALL),
    **{outcome: (REDIAL_SCHEDULED,) for outcome in CALL_OUTCOMES},
}


@dataclass(frozen=True)
class StateMachine:
    """States, the initial one, and the allowed single-step transitions."""

    states: tuple[str, ...]
    initial: str
    transitions: Mapping[str, frozenset[str]]

    def kind(self, status: str) -> Kind:
        if status in CALL_OUTCOMES:
            return Kind.OUTCOME
        return Kind.TRANSIENT if self.transitions.get(status) else Kind.TERMINAL

    def terminal(self) -> tuple[str, ...]:
        return tuple(state for state in self.states if self.kind(state) is Kind.TERMINAL)

    def allows(self, before: str, after: str) -> bool:
        """One step ``before`` → ``after`` is allowed."""
        return after in self.transitions.get(before, frozenset())

    def reachable(self, before: str, after: str) -> bool:
        """``after`` can follow ``before`` through one or more steps."""
        return after in self._closure.get(before, frozenset())

    @functools.cached_property
    def _closure(self) -> dict[str, frozenset[str]]:
        """Every state's reachable set (computed once: a watcher checks thousands of pairs)."""
        closure: dict[str, frozenset[str]] = {}
        for start in self.states:
            seen: set[str] = set()
            frontier = list(self.transitions.get(start, ()))
            while frontier:
                state = frontier.pop()
                if state not in seen:
                    seen.add(state)
                    frontier.extend(self.transitions.get(state, ()))
            closure[start] = frozenset(seen)
        return closure


@functools.cache
def machine() -> StateMachine:
    """The documented machine over the spec's 21 values."""
    states = contact_statuses()
    transitions = {state: frozenset(_TRANSITIONS.get(state, ())) for state in states}
    return StateMachine(states=states, initial=UPCOMING, transitions=transitions)


@dataclass(frozen=True)
class Violation:
    """The first observation of a sequence that the machine does not allow."""

    index: int  # position in the sequence of the offending value
    sequence: tuple[str, ...]
    reason: str
    unknown_value: bool = False  # the value is outside the enum (else: an impossible change)

    def explain(self, subject: str = "contact") -> str:
        seen = " → ".join(repr(status) for status in self.sequence)
        return f"{subject}: {self.reason}; sequence seen: {seen}"


def check_sequence(
    statuses: Iterable[str],
    *,
    sampled: bool = True,
    from_start: bool = False,
    states: StateMachine | None = None,
) -> Violation | None:
    """The first impossible observation in ``statuses`` (one contact, in time order), or None.

    Repeated values are one observation (the status did not change). With
    ``sampled`` (the default, for a poller) a change is allowed when the new
    value is reachable from the old one; otherwise it must be a single step.
    ``from_start`` requires the first value to be the initial state (for a
    contact watched since it was created).
    """
    states = states or machine()
    sequence = tuple(statuses)
    for index, status in enumerate(sequence):
        if status not in states.states:
            return Violation(index, sequence, f"{status!r} is not one of the {len(states.states)} "
                             "documented status values", unknown_value=True)
        if index == 0:
            if from_start and status != states.initial:
                return Violation(index, sequence, f"a new contact starts {states.initial!r}, "
                                 f"not {status!r}")
            continue
        before = sequence[index - 1]
        if before == status:
            continue
        allowed = states.reachable if sampled else states.allows
        if not allowed(before, status):
            return Violation(index, sequence, _why_impossible(states, before, status, sampled))
    return None


def _why_impossible(states: StateMachine, before: str, after: str, sampled: bool) -> str:
    step = f"{before!r} → {after!r} is impossible"
    if states.kind(before) is Kind.TERMINAL:
        return f"{step}: {before!r} is terminal (the contact is never dialed or changed again)"
    if sampled:
        return f"{step}: {after!r} cannot follow {before!r} through any documented transitions"
    following = ", ".join(repr(state) for state in sorted(states.transitions[before]))
    return f"{step}: {before!r} may only be followed by {following}"


def identifier(status: str) -> str:
    """``status`` as an identifier: ``Skipped & Closed`` → ``SKIPPED_AND_CLOSED``."""
    return re.sub(r"[^A-Z0-9]+", "_", status.upper().replace("&", "AND")).strip("_")


def mermaid_diagram(states: StateMachine | None = None) -> str:
    """The machine as a Mermaid ``stateDiagram-v2`` (the block in ``docs/dialer.md``)."""
    states = states or machine()
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{state}" as {identifier(state)}' for state in states.states]
    lines.append(f"    [*] --> {identifier(states.initial)}")
    for before in states.states:
        for after in sorted(states.transitions[before], key=states.states.index):
            lines.append(f"    {identifier(before)} --> {identifier(after)}")
    # A call outcome is also where a contact may end (when no redial is scheduled).
    lines += [
        f"    {identifier(state)} --> [*]"
        for state in states.states
        if states.kind(state) is not Kind.TRANSIENT
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # ``python -m dialer_suite.api.statuses`` prints the diagram block of docs/dialer.md.
    sys.stdout.write(mermaid_diagram())


class StatusWatch:
    """Statuses seen per contact over successive samples of a campaign, checked as they come."""

    def __init__(self, states: StateMachine | None = None) -> None:
        self._states = states or machine()
        self.sequences: dict[Any, list[str]] = {}
        self.samples = 0

    def observe(self, contacts: Iterable[Mapping[str, Any]]) -> list[tuple[Any, Violation]]:
        """Record one sample (a list of contacts with ``id`` and ``status``); return the contacts
        whose sequence became impossible with it. A contact missing from later samples was
        removed: that is not a transition."""
        self.samples += 1
        broken = []
        for contact in contacts:
            contact_id, status = contact.get("id"), contact.get("status")
            sequence = self.sequences.setdefault(contact_id, [])
            if sequence and sequence[-1] == status:
                continue
            was_fine = check_sequence(sequence, states=self._states) is None
            sequence.append(str(status))
            violation = check_sequence(sequence, states=self._states)
            if was_fine and violation is not None:
                broken.append((contact_id, violation))
        return broken

    def seen(self) -> set[str]:
        return {status for sequence in self.sequences.values() for status in sequence}

    def transitions(self) -> int:
        return sum(max(0, len(sequence) - 1) for sequence in self.sequences.values())
