"""Load profiles as plans: what a run offers over time, kept apart from what a user does.

A plan is a list of stages, each an *arrival rate* (operations per second
across all workers) held for some seconds. Users only carry the load; they
take send times from arrival schedules built on the plan (``arrivals.py``), so the rate
holds when responses slow down. ``capacity`` is the exception: it offers a
fixed amount of work (contacts to import) as fast as the target's limits allow.

Two sets of defaults. A plan with a rate ceiling is for a tenant — any target
the suite did not start itself — and its defaults are shares of that ceiling,
small in what they write and with room under the ceiling for the job polls;
only the embedded simulator (no ceiling) gets the big ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dialer_suite.config.settings import Settings
from dialer_suite.errors import UsageError

# Hard caps: a mistyped option must never turn into an unbounded run.
MAX_USERS = 1000
MAX_RATE = 20_000.0
MAX_DURATION = 12 * 3600.0
SMOKE_MAX_DURATION = 60.0
# Seconds of concurrency the default user pool carries at the peak rate: responses
# up to this slow keep the offered rate; slower ones show up as queueing latency.
_POOL_SECONDS = 1.0
# Beyond this many users the default pool stops growing (each holds a connection);
# --users raises it up to MAX_USERS.
_DEFAULT_MAX_USERS = 200


@dataclass(frozen=True)
class Stage:
    """An arrival rate held for ``seconds``; ``label`` names it in reports."""

    rate: float
    seconds: float
    label: str


@dataclass(frozen=True)
class Plan:
    """Everything a locust process needs to know about the load to offer.

    ``batch_sizes``: contacts per import file; a capacity run imports ``contacts``
    in files of each size in turn, to tell which loads fastest.
    """

    profile: str
    scenario: str
    stages: tuple[Stage, ...]
    users: int
    stop_on_breach: bool = False
    contacts: int = 0
    batch_sizes: tuple[int, ...] = (100,)

    @property
    def batch_size(self) -> int:
        return self.batch_sizes[0]

    @property
    def duration(self) -> float:
        return sum(stage.seconds for stage in self.stages)

    @property
    def peak_rate(self) -> float:
        return max(stage.rate for stage in self.stages)

    @property
    def offered(self) -> float:
        """Operations the plan offers in total (rate × seconds over all stages)."""
        return sum(stage.rate * stage.seconds for stage in self.stages)

    @property
    def bucket_seconds(self) -> int:
        """Width of one point of the over-time chart: at most ~120 points per run."""
        return max(1, math.ceil(self.duration / 120))

    def stage_index(self, elapsed: float) -> int | None:
        """The stage in force ``elapsed`` seconds into the run; None once the plan is over."""
        end = 0.0
        for index, stage in enumerate(self.stages):
            end += stage.seconds
            if elapsed < end:
                return index
        return None

    def stage_start(self, index: int) -> float:
        return sum(stage.seconds for stage in self.stages[:index])


@dataclass(frozen=True)
class Request:
    """What a person asked for; ``None`` means the profile's default."""

    profile: str
    scenario: str | None = None
    rate: float | None = None
    users: int | None = None
    duration: float | None = None
    contacts: int | None = None
    batch_sizes: tuple[int, ...] | None = None
    step_seconds: float | None = None
    steps: int | None = None


@dataclass(frozen=True)
class _Defaults:
    scenario: str
    rate: float  # operations/s on the embedded simulator
    share: float  # on a tenant: the rate as a share of its ceiling
    duration: float
    description: str


_PROFILES: dict[str, _Defaults] = {
    "smoke": _Defaults("mix", 20.0, 0.5, 20.0, "a short mixed run at a low constant rate (at most 1 minute)"),
    "steady": _Defaults("add_contact", 50.0, 0.5, 60.0, "a constant arrival rate (open model)"),
    "stress": _Defaults(
        "add_contact", 50.0, 0.2, 200.0,
        "rate stepped up (to the ceiling on a tenant) until an SLO breaks; reports the knee",
    ),
    "spike": _Defaults("add_contact", 20.0, 0.15, 45.0, "a base rate, a 5x burst, then the base rate again"),
    "soak": _Defaults("mix", 20.0, 0.5, 1800.0, "a constant rate for a long time (--duration)"),
    "capacity": _Defaults(
        "import_contacts", 0.0, 0.0, 1800.0, "how long N contacts take through import (--contacts)"
    ),
}
PROFILE_NAMES = tuple(_PROFILES)
_SPIKE_FACTOR = 5.0
_DEFAULT_STEP_SECONDS = 10.0
_DEFAULT_STEPS = 20
# Contacts per import file of the paced import users, and a capacity run's defaults: on the
# simulator, and on a tenant (whose writes must be removed one DELETE at a time, at its rate).
_IMPORT_FILE = {False: 100, True: 10}
_CAPACITY_CONTACTS = {False: 10_000, True: 1_000}
_CAPACITY_BATCH = {False: 1_000, True: 200}
_CAPACITY_USERS = 2
# A tenant's pool: its answers are slower than the simulator's, so more users carry a rate.
_TENANT_POOL_SECONDS = 2.0
_TENANT_MIN_USERS = 8


def describe() -> dict[str, str]:
    """Profile name → one line on what it offers (for ``--help``)."""
    return {name: defaults.description for name, defaults in _PROFILES.items()}


def build_plan(request: Request, *, rate_ceiling: float | None, bursts: bool = False) -> Plan:
    """The plan for ``request``.

    ``rate_ceiling`` is a tenant's limit: no stage goes above it and the defaults are
    shares of it; None is the embedded simulator (the hard cap applies). ``bursts``
    lets stress step past the ceiling (the person allowed bursts over the limit).
    """
    defaults = _PROFILES.get(request.profile)
    if defaults is None:
        raise UsageError(f"unknown load profile {request.profile!r}; choose one of {', '.join(_PROFILES)}")
    tenant = rate_ceiling is not None
    scenario = request.scenario or defaults.scenario
    duration = _checked_duration(request, defaults.duration)
    ceiling = min(MAX_RATE, rate_ceiling) if rate_ceiling else MAX_RATE
    if request.rate is not None and request.rate > ceiling:
        how = (
            f"raise it deliberately with {Settings.declared('pace').env}"
            if rate_ceiling and rate_ceiling < MAX_RATE
            else "that is the suite's hard cap"
        )
        raise UsageError(
            f"--rate {request.rate:g} is above the ceiling of {ceiling:g} requests/s for this target; {how}"
        )
    if request.rate is not None and request.rate <= 0:
        raise UsageError(f"--rate must be positive, got {request.rate:g}")
    batch_sizes = _batch_sizes(request, tenant)
    if request.profile == "capacity":
        return _capacity_plan(request, scenario, duration, ceiling, batch_sizes, tenant)
    default_rate = defaults.share * ceiling if tenant else defaults.rate
    rate = min(request.rate or default_rate, ceiling)
    stages = _stages(request, rate, duration, ceiling, tenant=tenant, bursts=bursts)
    users = request.users or _default_users(max(stage.rate for stage in stages), tenant)
    _check_users(users)
    return Plan(
        profile=request.profile,
        scenario=scenario,
        stages=stages,
        users=users,
        stop_on_breach=request.profile == "stress",
        batch_sizes=batch_sizes,
    )


def _batch_sizes(request: Request, tenant: bool) -> tuple[int, ...]:
    sizes = request.batch_sizes
    if sizes is None:
        return (_CAPACITY_BATCH[tenant] if request.profile == "capacity" else _IMPORT_FILE[tenant],)
    if not sizes or any(size < 1 for size in sizes):
        raise UsageError("--batch-size must be one or more positive numbers (e.g. 500 or 200,500,1000)")
    if len(sizes) > 1 and request.profile != "capacity":
        raise UsageError("several --batch-size values are for the capacity profile only")
    return tuple(dict.fromkeys(sizes))


def _checked_duration(request: Request, default: float) -> float:
    duration = request.duration if request.duration is not None else default
    limit = SMOKE_MAX_DURATION if request.profile == "smoke" else MAX_DURATION
    if not 0 < duration <= limit:
        raise UsageError(
            f"--duration for {request.profile} must be in (0, {limit:g}] seconds, got {duration:g}"
        )
    return duration


def _check_users(users: int) -> None:
    if not 1 <= users <= MAX_USERS:
        raise UsageError(f"--users must be between 1 and {MAX_USERS}, got {users}")


def _default_users(peak_rate: float, tenant: bool) -> int:
    if tenant:
        return min(_DEFAULT_MAX_USERS, max(_TENANT_MIN_USERS, math.ceil(peak_rate * _TENANT_POOL_SECONDS)))
    return min(_DEFAULT_MAX_USERS, max(4, math.ceil(peak_rate * _POOL_SECONDS)))


def _stages(
    request: Request, rate: float, duration: float, ceiling: float, *, tenant: bool, bursts: bool
) -> tuple[Stage, ...]:
    if request.profile == "stress":
        return _stress_stages(request, rate, duration, ceiling, tenant=tenant, bursts=bursts)
    if request.profile == "spike":
        burst = min(rate * _SPIKE_FACTOR, ceiling)
        return (
            Stage(rate, duration / 3, "base"),
            Stage(burst, duration * 2 / 9, "spike"),
            Stage(rate, duration * 4 / 9, "recovery"),
        )
    return (Stage(rate, duration, request.profile),)


def _stress_stages(
    request: Request, rate: float, duration: float, ceiling: float, *, tenant: bool, bursts: bool
) -> tuple[Stage, ...]:
    """Steps of ``rate``, 2 × ``rate``, ...: on a tenant up to its ceiling (twice it with
    ``bursts``), so that the knee is found also when it is the ceiling."""
    step_seconds = request.step_seconds or _DEFAULT_STEP_SECONDS
    if tenant:
        top = ceiling * (2 if bursts else 1)
        steps = request.steps or math.ceil(top / rate - 1e-9)
        cap = top if bursts else ceiling
    else:
        steps, cap = request.steps or _DEFAULT_STEPS, ceiling
    if request.duration is not None:
        steps = max(1, min(steps, int(duration // step_seconds)))
    # Steps that the cap flattens would repeat the same load: drop them.
    rates = sorted({min(rate * (i + 1), cap) for i in range(steps)})
    return tuple(Stage(r, step_seconds, f"step {i + 1}") for i, r in enumerate(rates))


def _capacity_plan(
    request: Request, scenario: str, duration: float, ceiling: float, batch_sizes: tuple[int, ...],
    tenant: bool,
) -> Plan:
    contacts = request.contacts or _CAPACITY_CONTACTS[tenant]
    if contacts < 1:
        raise UsageError("--contacts must be positive")
    users = request.users or _CAPACITY_USERS
    _check_users(users)
    # The "rate" of a capacity plan is its request ceiling: the target's limit.
    return Plan(
        profile="capacity",
        scenario=scenario,
        stages=(Stage(ceiling, duration, "capacity"),),
        users=users,
        contacts=contacts,
        batch_sizes=tuple(min(size, contacts) for size in batch_sizes),
    )


def capacity_files(plan: Plan) -> list[tuple[int, int]]:
    """(batch size, contacts) of every import file of a capacity run: ``contacts`` in files of
    each batch size in turn."""
    files = []
    for size in plan.batch_sizes:
        full, rest = divmod(plan.contacts, size)
        files += [(size, size)] * full + ([(size, rest)] if rest else [])
    return files


def capacity_batches(plan: Plan, first_user: int, users: int, all_users: int) -> list[tuple[int, int]]:
    """The files for import users ``first_user`` .. ``first_user + users - 1`` of ``all_users``.

    File ``i`` goes to user ``i % all_users``, so users on different workers split
    the files without talking to each other.
    """
    return [
        file
        for i, file in enumerate(capacity_files(plan))
        if first_user <= i % all_users < first_user + users
    ]
