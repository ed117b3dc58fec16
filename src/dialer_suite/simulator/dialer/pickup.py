"""What one pick-up does to a contact: the checks before dialing, the agent's choice, the call path.

Every choice for one pick-up is drawn from a generator seeded with the seed, the
contact's E.164 phone number and the pick-up number. What happens to a contact
therefore does not depend on when the dialer got to it, on contact ids, or on
how often the driving task ticks: the same contacts and seed give the same
statuses, also in a real-time run.

Which status marks a scheduled redial is undocumented (x-assumption
``status-transitions``): ``Redial Scheduled`` along the documented machine, or
back to ``Upcoming`` as a dialer that simply re-queues the contact would.
"""

from __future__ import annotations

import random

import phonenumbers

from dialer_suite.api import statuses as sm
from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.dialer.call_paths import CALL_PATHS
from dialer_suite.simulator.dialer.settings import DialerSettings
from dialer_suite.simulator.dialer.store import ContactView
from dialer_suite.simulator.phones import normalize_phone

STATUS_TRANSITIONS = register_assumption(
    "status-transitions", "state-machine",
    {
        "state-machine": "statuses change only along the documented machine of docs/dialer.md",
        "redial-via-upcoming": "a call outcome that gets a redial goes back to Upcoming (not "
                               "Redial Scheduled) until the redial is due",
    },
    lean="redial-via-upcoming",
)
# The status that marks a scheduled redial, by the played choice.
REDIAL_STATUS = {"state-machine": sm.REDIAL_SCHEDULED, "redial-via-upcoming": sm.UPCOMING}


def plan_pickup(
    contact: ContactView, pickup: int, calls: int, settings: DialerSettings, *, redial: bool,
    redial_as: str = sm.REDIAL_SCHEDULED,
) -> tuple[str, ...]:
    """The statuses one pick-up moves ``contact`` through, from the seeded generator.

    ``pickup`` counts this contact's earlier pick-ups (it keys the generator, so
    that a skipped contact is not skipped again for the same reason), ``calls``
    the calls already placed to it. An agent skips a contact at most
    ``max_attempts - 1`` times. A redial only re-checks the do-not-call list
    (the number itself cannot have become valid), and is marked ``redial_as``.
    A contact without a phone (``phone-required`` optional) is an invalid number.

    The contact's phone is read as a number whatever the API compared it on
    (``phone-normalization``), so the same numbers make the same campaign.
    """
    number = None if contact.phone_e164 is None else normalize_phone(contact.phone_e164)
    rng = random.Random(f"{settings.seed}:{number or contact.phone_e164}:{pickup}")
    if number in settings.do_not_call:
        return (sm.DO_NOT_CALL,)
    if contact.phone_e164 is None:
        return (sm.INVALID_NUMBER,)
    if not redial:
        refused = _number_check(number, contact.outbound_number, settings) if settings.number_checks else None
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
        statuses += (redial_as,)
    return statuses


def _number_check(number: str | None, outbound_number: str | None, settings: DialerSettings) -> str | None:
    """The status of the first check before dialing that refuses a contact with the E.164
    ``number`` (None: not a possible one), dialed from ``outbound_number``; None to dial it."""
    if number is None:
        return sm.INVALID_NUMBER
    phone = phonenumbers.parse(number, None)
    if not phonenumbers.is_valid_number(phone):
        return sm.INVALID_NUMBER
    if outbound_number is not None:
        outbound = normalize_phone(outbound_number)
        if outbound is None or not phonenumbers.is_valid_number(phonenumbers.parse(outbound, None)):
            return sm.INVALID_OUTBOUND_NUMBER
    if phonenumbers.region_code_for_number(phone) not in settings.allowed_regions:
        return sm.BLOCKED_PHONE_NUMBER
    return None
