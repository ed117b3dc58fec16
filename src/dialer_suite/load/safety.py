"""What a load run may do to its target: refuse hosts that are not loopback unless allowed.

A load run writes contacts as fast as it is told to. Against anything that is
not loopback it must be allowed explicitly (``--allow-writes`` /
``DIALER_ALLOW_WRITES``). Every run against a target someone named is a
*tenant* run, loopback or not — a tenant is often reached on loopback through
an SSH tunnel or a local proxy — and stays under the tenant's rate limit (the
vendor's 10 requests/s unless ``DIALER_RATE_LIMIT`` says otherwise: the suite's
pace; ``run_plan.build_run_plan`` puts it in the plan). Only the simulator the
command starts itself runs without a ceiling.
"""

from __future__ import annotations

from dialer_suite.config.settings import Settings, is_loopback
from dialer_suite.errors import UsageError


def check_target(base_url: str, *, allow_writes: bool) -> None:
    """Raise a UsageError when ``base_url`` is not loopback and load was not allowed."""
    if is_loopback(base_url) or allow_writes:
        return
    raise UsageError(
        f"refusing to load {base_url}: it is not a loopback host. A load run writes contacts "
        "(fictional numbers, tagged with the run id, removed at the end) at the requested rate; "
        f"allow it with {Settings.declared('allow_writes').how('1')}"
    )
