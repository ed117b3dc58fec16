"""The campaign dialer: moves a campaign's contacts through the documented statuses.

How a campaign runs (the transitions are those of ``dialer_suite.api.statuses``):

- ``agents`` lines work in parallel. A free line picks up the ready contact with
  the lowest id: ``Upcoming``, ``Skipped`` (once another agent may take it) or
  ``Redial Scheduled`` (once the redial interval is over).
- On pick-up, the checks that need no call decide first: a number on the
  do-not-call list, a phone number that is possible but not valid, an outbound
  number that is not valid, a destination outside the allowed regions. Then the
  agent may skip (``Skipped``) or skip and close (``Skipped & Closed``); else the
  call is placed and follows one of the *call paths*, chosen by weight.
- A call outcome that is not a conversation is followed by ``Redial Scheduled``
  with probability ``redial`` until ``max_attempts`` calls were made.
- Every status of a call lasts ``step_seconds``, a redial waits
  ``redial_interval``; both are campaign seconds, and ``time_scale`` campaign
  seconds pass per wall-clock second, so a test sees a whole campaign in seconds.

One concept per module, each importing only those before it:
``call_paths`` (what follows ``Dialing``), ``settings`` (``DialerSettings``),
``store`` (the two storage operations the dialer needs, and their SQLite form),
``pickup`` (the seeded plan of one pick-up), ``engine`` (one campaign's dialer,
pure domain logic with an injected clock), ``showcase`` (a campaign that
visits every status), ``ticker`` (the engines on the simulator's event loop)
and ``routes`` (the admin routes that start, pause and show them).
"""

from dialer_suite.simulator.dialer.engine import DialerEngine
from dialer_suite.simulator.dialer.routes import close_dialers, dialer_routes
from dialer_suite.simulator.dialer.settings import DialerSettings, DialerSettingsError
from dialer_suite.simulator.dialer.showcase import showcase_campaign
from dialer_suite.simulator.dialer.store import ContactView

__all__ = [
    "ContactView",
    "DialerEngine",
    "DialerSettings",
    "DialerSettingsError",
    "close_dialers",
    "dialer_routes",
    "showcase_campaign",
]
