"""The import-while-dialing scenario's extra user: it runs the campaign's dialer in the middle third.

Against the simulator (its admin surface, ``SimulatorAdmin``) it starts the
load campaign's dialer for the middle third of the plan only, reads the
dialer's counters every second and fires one ``dialer step`` entry per step
the dialer applied, timed by how late the step was on its schedule. Against a
real tenant the dialer is not ours to start: the user only says so, and the
run is a plain import run. At the end the master writes
``import_while_dialing.json`` (the three phases) and ``import_while_dialing.png``.
"""

from __future__ import annotations

import json
import logging
from typing import Any, ClassVar

import gevent
from locust import User, task

from dialer_suite.load import chart, dialing
from dialer_suite.load.locust.run import LoadRun, run_of
from dialer_suite.load.names import DIALER_REQUEST_TYPE, DIALER_STEP
from dialer_suite.simulator.admin import SimulatorAdmin

log = logging.getLogger("dialer_suite.load")

_POLL_SECONDS = 1.0


class DialerDriverUser(User):
    """Starts and pauses the campaign's dialer by the plan's clock, and records its steps."""

    abstract = True
    produces: ClassVar[tuple[str, ...]] = (DIALER_STEP,)

    def on_start(self) -> None:
        self._admin = SimulatorAdmin.behind(self.environment.host or "")
        self._dialing = False
        self._last: dict[str, Any] | None = None
        if self._admin is None:
            log.warning(
                "import_while_dialing: %s is not the embedded simulator; its dialer is "
                "not started, this is a plain import run",
                self.environment.host,
            )

    @property
    def _campaign(self) -> int:
        return run_of(self.environment).run_plan.campaign_id

    @task
    def drive(self) -> None:
        run = run_of(self.environment)
        run.ready.wait()
        if self._admin is None:
            gevent.sleep(run.plan.duration)
            return
        wanted = dialing.phase(run.elapsed(), run.plan.duration) == 1
        if wanted and not self._dialing:
            self._admin.start_dialer(self._campaign, dict(dialing.DIALER_SETTINGS))
        elif self._dialing and not wanted:
            self._admin.pause_dialer(self._campaign)
        self._dialing = wanted
        self._record(self._admin.dialer(self._campaign))
        gevent.sleep(_POLL_SECONDS)

    def on_stop(self) -> None:
        if self._admin is not None:
            if self._dialing:
                self._admin.pause_dialer(self._campaign)
            self._admin.close()

    def _record(self, status: dict[str, Any]) -> None:
        """One ``dialer step`` entry per step since the last read, timed by their mean lateness."""
        last, self._last = self._last, status
        if last is None:
            return
        steps, lateness = dialing.new_steps(last, status)
        for _ in range(steps):
            self.environment.events.request.fire(
                request_type=DIALER_REQUEST_TYPE,
                name=DIALER_STEP,
                response_time=lateness,
                response_length=0,
                exception=None,
                context={"operation": DIALER_STEP},
            )

    @classmethod
    def write_report(cls, run: LoadRun) -> None:
        """The three phases and the chart (the master, or the only process, at the end)."""
        if run.started is None:
            return
        duration = run.plan.duration
        phases = dialing.phase_table(run.book, run.started, duration)
        run.report_dir.mkdir(parents=True, exist_ok=True)
        (run.report_dir / "import_while_dialing.json").write_text(
            json.dumps(phases, indent=2) + "\n", encoding="utf-8"
        )
        chart.import_while_dialing(run.book, run.plan, run.report_dir / "import_while_dialing.png",
                                   started=run.started)
        for phase in phases:
            log.info("import_while_dialing %s: %s", phase["phase"], phase)
