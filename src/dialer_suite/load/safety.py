"""What a load run may do to its target: refuse real tenants unless allowed, cap the rate.

A load run writes contacts as fast as it is told to. Against anything that is
not loopback it must be allowed explicitly (``--allow-writes`` /
``DIALER_ALLOW_WRITES``), and every process stays under the tenant's rate
limit (the vendor's 10 requests/s unless ``DIALER_RATE_LIMIT`` raises it: the
suite's pace).
"""

from __future__ import annotations

from dialer_suite.config.settings import Settings, is_loopback
from dialer_suite.errors import UsageError


def check_target(base_url: str, *, allow_writes: bool) -> None:
    """Raise a UsageError when ``base_url`` is a real tenant and load was not allowed."""
    if is_loopback(base_url) or allow_writes:
        return
    raise UsageError(
        f"refusing to load {base_url}: it is not a loopback host. A load run writes contacts "
        "(fictional numbers, tagged with the run id) at the requested rate; allow it with "
        f"{Settings.declared('allow_writes').how('1')}"
    )


def rate_ceiling(base_url: str, settings: Settings) -> float | None:
    """Requests/s no run may exceed against ``base_url``; None on loopback (the hard cap applies)."""
    return None if is_loopback(base_url) else settings.pace
