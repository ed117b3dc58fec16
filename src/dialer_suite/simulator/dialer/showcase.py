"""The showcase campaign: fixed contacts and settings with which a campaign visits all 21 statuses.

The campaign watch (``contract_tests/test_campaign_watch.py``) loads it into
the simulator to see every status and transition in one short run.
"""

from __future__ import annotations

from typing import Any

from dialer_suite.api.testdata import FICTIONAL_OUTBOUND, fictional_blocks, make_contact
from dialer_suite.simulator.dialer.settings import DialerSettingsError

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
