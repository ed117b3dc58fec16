"""Scenario import_while_dialing: imports into a campaign whose dialer runs in the middle third.

Do imports and dialing slow each other down? Files of contacts are imported at
the plan's rate for the whole run (``import end-to-end`` as in
``import_contacts``); against the simulator, one extra user starts the load
campaign's dialer (admin surface) for the middle third of the run only, so the
chart compares imports without, with, and again without dialing. Every second
it reads the dialer's counters and records one ``dialer step`` entry per step
the dialer applied, timed by how late the step was on its schedule: a dialer
slowed by imports shows rising lateness, imports slowed by the dialer show a
higher end-to-end latency in the middle third.

Against a real tenant the dialer is not ours to start: the extra user only
says so, and the run is a plain import run.

    dialer-suite load --profile steady --scenario import_while_dialing --rate 2 --duration 60

Writes ``import_while_dialing.png`` and ``import_while_dialing.json`` (the three
phases side by side) next to the usual summary and ``over_time.png``.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import gevent
import matplotlib
import requests
from locust import User, events, task
from locust.env import Environment
from locust.runners import WorkerRunner

from common import RUN
from dialer_suite.config.settings import is_loopback
from dialer_suite.load.book import BUCKET, Window
from dialer_suite.load.names import IMPORT_END_TO_END
from shapes import PlanShape
from users import ImportContactsUser

matplotlib.use("Agg")
import matplotlib.pyplot as plt

log = logging.getLogger("dialer_suite.load")

DIALER_STEP = "dialer step"
DIALER_REQUEST_TYPE = "DIALER"
# The dialer sped up 50×: a call status lasts 0.1 s, so 20 agents move ~50 contacts/s. The
# load's numbers are merely possible (loopback): without number checks they are dialed.
DIALER_SETTINGS = {
    "agents": 20,
    "time_scale": 50.0,
    "step_seconds": 5.0,
    "redial_interval": 30.0,
    "number_checks": False,
}
_POLL_SECONDS = 1.0
_ADMIN_TIMEOUT = 5.0
# Steps recorded per poll at most: a stalled poll must not flood the book.
_MAX_STEPS_PER_POLL = 10_000
_PHASES = ("before dialing", "while dialing", "after dialing")


class ImportContacts(ImportContactsUser):
    weight = 1


class DialerDriver(User):
    """Starts and pauses the campaign's dialer by the plan's clock, and records its steps."""

    fixed_count = 1
    produces = (DIALER_STEP,)

    def on_start(self) -> None:
        self._admin = _admin_url(self.environment.host or "")
        self._dialing = False
        self._last: dict[str, Any] | None = None
        if self._admin is None:
            log.warning(
                "import_while_dialing: %s is not the embedded simulator; its dialer is "
                "not started, this is a plain import run",
                self.environment.host,
            )

    @task
    def drive(self) -> None:
        RUN.ready.wait()
        plan = RUN.require_plan()
        if self._admin is None:
            gevent.sleep(plan.duration)
            return
        wanted = _phase(RUN.elapsed(), plan.duration) == 1
        if wanted != self._dialing:
            action = "start" if wanted else "pause"
            self._admin_call("POST", f"/dialer/{action}", DIALER_SETTINGS if wanted else None)
            self._dialing = wanted
        self._record(self._admin_call("GET", "/dialer"))
        gevent.sleep(_POLL_SECONDS)

    def on_stop(self) -> None:
        if self._admin is not None and self._dialing:
            self._admin_call("POST", "/dialer/pause")

    def _admin_call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        assert self._admin is not None and RUN.settings is not None
        url = f"{self._admin}/campaigns/{RUN.settings.campaign_id}{path}"
        response = requests.request(method, url, json=body, timeout=_ADMIN_TIMEOUT)
        response.raise_for_status()
        status: dict[str, Any] = response.json()
        return status

    def _record(self, status: dict[str, Any]) -> None:
        """One ``dialer step`` entry per step since the last poll, timed by their mean lateness."""
        last, self._last = self._last, status
        if last is None:
            return
        steps = status["scheduled_steps"] - last["scheduled_steps"]
        if steps <= 0:
            return
        lateness = (status["lateness_ms_total"] - last["lateness_ms_total"]) / steps
        for _ in range(min(steps, _MAX_STEPS_PER_POLL)):
            self.environment.events.request.fire(
                request_type=DIALER_REQUEST_TYPE,
                name=DIALER_STEP,
                response_time=lateness,
                response_length=0,
                exception=None,
                context={"operation": DIALER_STEP},
            )


def _admin_url(host: str) -> str | None:
    """The simulator's admin root behind ``host`` (…/apps/api/v1), when it answers health."""
    if not is_loopback(host):
        return None
    admin = host.rstrip("/").removesuffix("/apps/api/v1") + "/_simulator"
    try:
        healthy = requests.get(admin + "/health", timeout=_ADMIN_TIMEOUT).status_code == 200
    except requests.RequestException:
        return None
    return admin if healthy else None


def _phase(elapsed: float, duration: float) -> int:
    """0, 1 or 2: which third of the run ``elapsed`` seconds fall in."""
    return min(2, max(0, int(3 * elapsed / duration))) if duration > 0 else 0


@events.quitting.add_listener
def _draw(environment: Environment, **_: Any) -> None:
    """The scenario's own chart and phase table (on the master or the only process)."""
    if isinstance(environment.runner, WorkerRunner) or RUN.plan is None or RUN.started is None:
        return
    phases = _phase_table(RUN.plan.duration)
    RUN.report_dir.mkdir(parents=True, exist_ok=True)
    (RUN.report_dir / "import_while_dialing.json").write_text(
        json.dumps(phases, indent=2) + "\n", encoding="utf-8"
    )
    _chart(RUN.report_dir / "import_while_dialing.png", RUN.plan.duration)
    for phase in phases:
        log.info("import_while_dialing %s: %s", phase["phase"], phase)


def _buckets() -> list[tuple[float, dict[str, Window]]]:
    """(seconds since start, name → window) per bucket of the run."""
    width = RUN.book.bucket_seconds
    assert RUN.started is not None
    return [(index * width - RUN.started + width / 2, names) for index, names in RUN.book.by(BUCKET).items()]


def _phase_table(duration: float) -> list[dict[str, Any]]:
    merged: list[dict[str, Window]] = [{}, {}, {}]
    for seconds, names in _buckets():
        phase = merged[_phase(seconds, duration)]
        for name, window in names.items():
            if name in (IMPORT_END_TO_END, DIALER_STEP):
                phase.setdefault(name, Window(window.digits)).merge(window)
    table = []
    for label, names in zip(_PHASES, merged, strict=True):
        imports, steps = names.get(IMPORT_END_TO_END), names.get(DIALER_STEP)
        table.append(
            {
                "phase": label,
                "imports": imports.requests if imports else 0,
                "import_p50_ms": round(imports.percentile_ms(50), 1) if imports else None,
                "import_p95_ms": round(imports.percentile_ms(95), 1) if imports else None,
                "dialer_steps_per_s": round(steps.requests / (duration / 3), 1) if steps else 0.0,
                "dialer_lateness_p95_ms": round(steps.percentile_ms(95), 1) if steps else None,
            }
        )
    return table


def _chart(path: Path, duration: float) -> None:
    buckets = _buckets()
    width = RUN.book.bucket_seconds
    times = [seconds for seconds, _ in buckets]

    def series(name: str, value: Any) -> list[float]:
        return [
            value(names[name]) if name in names and names[name].requests else math.nan for _, names in buckets
        ]

    fig, (import_ax, rate_ax, late_ax) = plt.subplots(3, 1, sharex=True, figsize=(12, 8.5))
    import_ax.plot(
        times,
        series(IMPORT_END_TO_END, lambda w: w.percentile_ms(95)),
        marker=".",
        label="import end-to-end p95",
    )
    import_ax.plot(
        times,
        series(IMPORT_END_TO_END, lambda w: w.percentile_ms(50)),
        marker=".",
        label="import end-to-end p50",
    )
    rate_ax.plot(
        times,
        series(DIALER_STEP, lambda w: w.requests / width),
        marker=".",
        color="tab:green",
        label="dialer steps/s",
    )
    late_ax.plot(
        times,
        series(DIALER_STEP, lambda w: w.percentile_ms(95)),
        marker=".",
        color="tab:red",
        label="dialer step lateness p95",
    )
    import_ax.set_ylabel("ms")
    rate_ax.set_ylabel("steps/s")
    late_ax.set_ylabel("ms late")
    late_ax.set_xlabel("seconds since start")
    for ax in (import_ax, rate_ax, late_ax):
        ax.axvspan(duration / 3, 2 * duration / 3, color="tab:green", alpha=0.08, label="dialer running")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.suptitle(
        f"import while dialing ({RUN.plan.profile if RUN.plan else ''}): imports at "
        f"{RUN.plan.peak_rate if RUN.plan else 0:g} files/s; dialer in the middle third"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


__all__ = ["DialerDriver", "ImportContacts", "PlanShape"]
