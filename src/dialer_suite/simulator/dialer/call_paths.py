"""The call paths: the statuses that follow ``Dialing`` on each kind of call.

A module of its own because two others need it and one needs the other: the
settings name the paths (``weights``) and ``pickup.py`` follows them.
"""

from __future__ import annotations

from dialer_suite.api import statuses as sm

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
