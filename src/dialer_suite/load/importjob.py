"""Where an import's 202 put the job id, for the load users' hot path.

The contract suite (``dialer_suite.jobs.find_job_id``) checks that every place
agrees and reports violations; a load run only needs the id, cheaply, in the
same documented order: body ``job_id``, body ``id``, ``X-Job-Id``, ``Location``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_LOCATION = re.compile(r"/contacts/jobs/(?P<id>[0-9]+)/?$")


def job_id_of(body: Any, headers: Mapping[str, str]) -> int | None:
    """The job id of an import's 202, or None when it names none."""
    if isinstance(body, dict):
        for key in ("job_id", "id"):
            value = body.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    header = headers.get("X-Job-Id") or headers.get("x-job-id")
    if header and header.strip().isdigit():
        return int(header)
    location = headers.get("Location") or headers.get("location")
    if location:
        match = _LOCATION.search(location.split("?")[0])
        if match:
            return int(match["id"])
    return None
