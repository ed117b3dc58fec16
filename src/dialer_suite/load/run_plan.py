"""The run plan: everything a locust process needs to run a load profile, as one JSON file.

``dialer-suite load`` builds it once, in the parent process, and writes it into
the report directory (or, with ``--write-plan FILE``, to FILE and stops); the
locust processes read it through their one option ``--dialer-plan FILE``, and
a distributed master sends it to its workers, which need no file. A new load
option is therefore read by the ``load`` command, lands in a field here, and is
used on the locust side: nothing in between rebuilds it.

Credentials never go into the plan: locust processes take them from the
environment (``DIALER_USERNAME``, ``DIALER_API_TOKEN``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dialer_suite.api.testdata import NumberBlock
from dialer_suite.config.settings import Settings, is_loopback, load_settings
from dialer_suite.errors import UsageError
from dialer_suite.load.profiles import Plan, Request, Stage, build_plan
from dialer_suite.load.safety import check_target
from dialer_suite.load.slo import SIMULATOR, TENANT, Gates, load_gates

FORMAT = 2
# Seconds between two reads of an import job: the simulator answers at once; on a tenant
# every read counts against its rate limit.
_SIMULATOR_POLL = 0.25
_TENANT_POLL = 0.5


@dataclass(frozen=True)
class RunPlan:
    """The offered load (``plan``) and what the locust side needs to carry, judge and report it."""

    plan: Plan
    gates: Gates
    slo_source: str  # where the gates come from, as the summary names them
    report_dir: str
    run_id: str | None  # None: every locust run of this plan takes a new one
    campaign_id: int
    job_timeout: float
    poll_interval: float
    rate_ceiling: float | None  # requests/s of all processes together; None: the embedded simulator
    allow_writes: bool
    phone_range: NumberBlock | None = None
    gate_table: str = SIMULATOR
    # Stress may step past the ceiling: the person allowed bursts over the limit.
    bursts: bool = False
    campaign_size: int | None = None  # capacity: forecast the load of a campaign this big
    # ``dialer-suite load`` runs locust and removes what it wrote afterwards; plain locust does not.
    managed: bool = False

    @property
    def embedded(self) -> bool:
        """The simulator the command started itself: no ceiling, no cleanup."""
        return self.rate_ceiling is None

    @property
    def send_cap(self) -> float | None:
        """Requests/s all processes together may send: the ceiling, or the plan's peak with bursts."""
        if self.rate_ceiling is None:
            return None
        return max(self.rate_ceiling, self.plan.peak_rate) if self.bursts else self.rate_ceiling

    def check_target(self, host: str) -> None:
        """Raise a UsageError unless this plan may run against ``host``."""
        check_target(host, allow_writes=self.allow_writes)
        if not is_loopback(host) and self.embedded:
            raise UsageError(
                f"this plan was written for the embedded simulator and has no rate ceiling for {host}: "
                f"write one for it (dialer-suite load --write-plan FILE --base-url {host} ...)"
            )

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any, *, source: str) -> RunPlan:
        """The plan in ``data`` (``to_json``'s form); a UsageError naming ``source`` if it is not one."""
        try:
            fields = dict(data)
            if fields.pop("format") != FORMAT:
                raise ValueError(f"format {data['format']!r}, expected {FORMAT}")
            plan = dict(fields.pop("plan"))
            stages = tuple(Stage(**stage) for stage in plan.pop("stages"))
            batch_sizes = tuple(plan.pop("batch_sizes"))
            phone_range = fields.pop("phone_range")
            return cls(
                plan=Plan(stages=stages, batch_sizes=batch_sizes, **plan),
                gates=Gates(**fields.pop("gates")),
                phone_range=NumberBlock(**phone_range) if phone_range else None,
                **fields,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise UsageError(f"{source} is not a dialer-suite run plan: {error!r}") from None

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path) -> RunPlan:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(f"plan file {path} does not exist") from None
        except (OSError, ValueError) as error:
            raise UsageError(f"plan file {path} is not readable JSON: {error}") from None
        return cls.from_json(data, source=f"plan file {path}")


@dataclass(frozen=True)
class Target:
    """Where a run goes: ``base_url`` (None: named later, with plain locust), and whether it is the
    simulator the command started itself."""

    base_url: str | None
    embedded: bool = False


def build_run_plan(
    request: Request,
    settings: Settings,
    target: Target,
    *,
    slo_file: Path,
    report_dir: Path,
    poll_interval: float | None = None,
    gate_table: str | None = None,
    campaign_size: int | None = None,
    managed: bool = False,
    keep_run_id: bool = True,
) -> RunPlan:
    """The run plan of ``request`` against ``target``.

    Checks the target and the SLO file, so a bad option ends the command before
    locust starts. Every target but the embedded simulator is a tenant: its
    ceiling is the suite's pace, its gates the ``tenant`` table, its defaults
    small. The job timeout is the one a named target gets by default
    (``DIALER_JOB_TIMEOUT`` overrides it), also for a simulator the command
    started. ``keep_run_id`` False leaves the run id to each locust run.
    """
    base_url = target.base_url
    if base_url is not None:
        check_target(base_url, allow_writes=settings.allow_writes)
        if settings.base_url != base_url:
            settings = load_settings(
                {"base_url": base_url, "allow_writes": settings.allow_writes, "run_id": settings.run_id}
            )
    # Every target but the embedded simulator is a tenant, also one named later (plain locust).
    ceiling = None if target.embedded else settings.pace
    bursts = ceiling is not None and settings.allow_rate_limit_tests
    plan = build_plan(request, rate_ceiling=ceiling, bursts=bursts)
    table = gate_table or (SIMULATOR if target.embedded else TENANT)
    return RunPlan(
        plan=plan,
        gates=load_gates(slo_file, table, plan.profile),
        slo_source=f"{slo_file}: table {table}, profile {plan.profile}",
        report_dir=str(report_dir),
        run_id=settings.run_id if keep_run_id else None,
        campaign_id=settings.campaign_id,
        job_timeout=settings.job_timeout,
        poll_interval=poll_interval or (_SIMULATOR_POLL if target.embedded else _TENANT_POLL),
        rate_ceiling=ceiling,
        allow_writes=settings.allow_writes,
        phone_range=settings.phone_range,
        gate_table=table,
        bursts=bursts and plan.stop_on_breach,
        campaign_size=campaign_size,
        managed=managed,
    )
