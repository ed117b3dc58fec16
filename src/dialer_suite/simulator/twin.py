"""What a twin plays beyond the assumption choices: the keys its target was seen sending, and
the target's spelling of contact statuses.

A *twin* is a simulator set up from a recorded baseline of a real tenant
(``dialer_suite.contract.twin`` reads the baseline; the simulator cannot, it
sits below the contract suite). Most of what the tenant does is an
``x-assumption`` choice, played by the modules that declare them. What is
left is played here, on every answer of the six operations, after its
handler built it (``operations.vendor_operation``):

- **dropped keys**: keys of the spec the tenant was never seen sending in an
  answer whose keys were seen are left out (the reader decides which: a key
  at a level of the body it saw nothing of is kept, nothing is known of it);
- **drift**: keys the spec does not know that the tenant sent are served back,
  with a plausible value for their name (the baseline keeps names, not values);
- **statuses**: a contact status the tenant spells otherwise than the page
  (``upcoming``) is served in the tenant's spelling.

An answer without a JSON body, or with nothing to change, is sent as built.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from pydantic.dataclasses import dataclass
from starlette.responses import Response

from dialer_suite.simulator.wire import JSON_TYPE, json_response

# By operationId, a JSON path (``""`` the body, ``*`` every item of a list) to contact records.
_RECORDS = {"listContacts": "*", "updateContact": "", "deleteContact": ""}
Paths = Mapping[str, Mapping[str, tuple[str, ...]]]


@dataclass(frozen=True)
class TwinPlay:
    """Per operationId and status code (as text), key paths (``valid_contacts/*/id``): ``dropped``
    the spec's keys not to send, ``drift`` the keys the spec does not know to send; ``statuses``
    documented contact status → the value served instead."""

    dropped: Paths = field(default_factory=dict, hash=False)
    drift: Paths = field(default_factory=dict, hash=False)
    statuses: Mapping[str, str] = field(default_factory=dict, hash=False)


def shape(play: TwinPlay | None, operation_id: str, response: Response) -> Response:
    """``response`` as the twin's tenant would have sent it (itself when there is nothing to do)."""
    if play is None or not response.headers.get("content-type", "").startswith(JSON_TYPE):
        return response
    status = str(response.status_code)
    dropped = play.dropped.get(operation_id, {}).get(status, ())
    drift = play.drift.get(operation_id, {}).get(status, ())
    renamed = play.statuses if operation_id in _RECORDS else {}
    if not (dropped or drift or renamed):
        return response
    body = json.loads(bytes(response.body))
    for path in dropped:
        _drop(body, path.split("/"))
    for path in drift:
        _add(body, path.split("/"))
    if renamed:
        for record in _at(body, _RECORDS[operation_id]):
            if isinstance(record, dict) and record.get("status") in renamed:
                record["status"] = renamed[record["status"]]
    headers = {name: value for name, value in response.headers.items()
               if name not in ("content-length", "content-type")}
    return json_response(body, response.status_code, headers)


def plausible(name: str) -> Any:
    """A value for a key known only by its name: what such a name usually holds."""
    lowered = name.lower()
    if lowered.endswith(("_at", "_on")) or lowered in ("timestamp", "date"):
        return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    if lowered == "id" or lowered.endswith(("_id", "_count", "count", "total")):
        return 0
    if lowered.startswith(("is_", "has_", "can_")) or lowered.endswith("_enabled"):
        return False
    if lowered.endswith(("url", "href", "link")):
        return "https://example.invalid/"
    if lowered.endswith("s") and not lowered.endswith(("status", "ss")):
        return []
    return None


def _drop(value: Any, parts: list[str]) -> None:
    """Remove the key at ``parts``, through every item of a list."""
    head, rest = parts[0], parts[1:]
    if head == "*":
        for item in value if isinstance(value, list) else ():
            _drop(item, rest)
    elif isinstance(value, dict) and head in value:
        if rest:
            _drop(value[head], rest)
        else:
            del value[head]


def _add(value: Any, parts: list[str]) -> None:
    """Put a plausible value at ``parts`` where nothing is: through every item of a list, and
    making the objects on the way."""
    head, rest = parts[0], parts[1:]
    if head == "*":
        for item in value if isinstance(value, list) and rest else ():
            _add(item, rest)
        return
    if not isinstance(value, dict):
        return
    if not rest:
        value.setdefault(head, plausible(head))
        return
    child = value.setdefault(head, [] if rest[0] == "*" else {})
    _add(child, rest)


def _at(body: Any, path: str) -> list[Any]:
    """The values at ``path`` (``""`` the body, ``*`` the items of a list body)."""
    if path == "*":
        return list(body) if isinstance(body, list) else []
    return [body]
