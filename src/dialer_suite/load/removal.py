"""Removing what a run wrote, paced, with a progress bar and an ETA — for the load command after a
run and for ``dialer-suite cleanup``.

The removal itself is the cleanup core (``http.cleanup``); this module gives it
a client of its own paced under the ceiling, a few deletes in flight so a slow
answer does not drop the rate below the pace, and a progress bar. The bar
draws in place on a terminal and otherwise prints a line every tenth of the
way, so a CI log shows progress without thousands of lines.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from dialer_suite.config.settings import Settings
from dialer_suite.http.cleanup import CleanupResult, Select, clean_up_run, remove_contacts
from dialer_suite.http.client import DialerClient
from dialer_suite.http.throttle import HEADROOM
from dialer_suite.load.writes import duration_text, rate_text

# Deletes in flight keep the pace as long as an answer takes less than this many seconds.
_ANSWER_SECONDS = 0.5
_MAX_WORKERS = 8
_BAR = 30
_REDRAW_SECONDS = 0.5
# Off a terminal, a line every tenth of the way.
_LINES = 10
# Deletes done before the measured rate is trusted over the planned one.
_RATE_AFTER = 5


def workers_for(pace: float) -> int:
    """Deletes in flight: enough that answers of up to half a second keep the pace."""
    return max(1, min(_MAX_WORKERS, math.ceil(pace * _ANSWER_SECONDS)))


class ProgressBar:
    """``http.cleanup.Progress`` on a stream: what is found, removed, and how long the rest takes."""

    def __init__(
        self, what: str, rate: float, *, stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._what = what
        self._rate = rate
        self._stream = stream or sys.stderr
        self._clock = clock
        self._tty = self._stream.isatty()
        self._started = clock()
        self._drawn = 0.0
        self._lines = 0
        self.total = 0
        self.removed = 0

    def found(self, count: int) -> None:
        if not self.total:
            self._print(f"removing {count:,} {self._what} at {rate_text(self._rate)}: about "
                        f"{duration_text(count / self._rate)}")
        self.total += count
        self._draw(force=True)

    def done(self, count: int) -> None:
        self.removed += count
        self._draw(force=self.removed >= self.total)

    def finish(self) -> None:
        if self._tty and self.total:
            self._stream.write("\n")
            self._stream.flush()

    def line(self) -> str:
        share = self.removed / self.total if self.total else 1.0
        filled = round(_BAR * share)
        elapsed = self._clock() - self._started
        rate = self.removed / elapsed if self.removed >= _RATE_AFTER and elapsed > 0 else self._rate
        left = (self.total - self.removed) / rate if rate > 0 else math.inf
        return (f"[{'#' * filled}{'.' * (_BAR - filled)}] {self.removed:,}/{self.total:,} {share:4.0%} "
                f"{duration_text(elapsed)} elapsed, about {duration_text(left)} left ({rate_text(rate)})")

    def _draw(self, *, force: bool) -> None:
        now = self._clock()
        if self._tty:
            if force or now - self._drawn >= _REDRAW_SECONDS:
                self._drawn = now
                self._stream.write("\r" + self.line())
                self._stream.flush()
            return
        step = max(1, math.ceil(self.total / _LINES))
        if (force and self.removed >= self.total) or self.removed >= (self._lines + 1) * step:
            self._lines = self.removed // step
            self._print(self.line())

    def _print(self, text: str) -> None:
        if self._tty:
            text = "\r" + text
        self._stream.write(text + "\n")
        self._stream.flush()


def pace_of(settings: Settings) -> float:
    """Requests/s a removal sends at: under the ceiling, like every paced client."""
    return settings.pace * HEADROOM


def remove_run(
    settings: Settings, run_id: str, campaign_ids: Iterable[int], *, jobs: Iterable[tuple[int, int]] = (),
    stream: TextIO | None = None,
) -> tuple[CleanupResult, ProgressBar]:
    """Remove every contact of run ``run_id`` from ``campaign_ids`` (after its ``jobs`` end)."""
    bar = ProgressBar(f"contacts of run {run_id}", pace_of(settings), stream=stream)
    with DialerClient.from_settings(settings) as client:
        try:
            result = clean_up_run(client, run_id, campaign_ids, jobs=jobs, job_timeout=settings.job_timeout,
                                  workers=workers_for(settings.pace), progress=bar)
        finally:
            bar.finish()
    return result, bar


def remove_selected(
    settings: Settings, campaign_ids: Iterable[int], select: Select, what: str, *,
    stream: TextIO | None = None,
) -> tuple[CleanupResult, ProgressBar]:
    """Remove every listed contact of ``campaign_ids`` that ``select`` picks."""
    bar = ProgressBar(what, pace_of(settings), stream=stream)
    with DialerClient.from_settings(settings) as client:
        try:
            result = remove_contacts(client, campaign_ids, select, workers=workers_for(settings.pace),
                                     progress=bar)
        finally:
            bar.finish()
    return result, bar


def cleanup_command(run_id: str, settings: Settings, campaign_ids: Iterable[int]) -> str:
    """The command that removes what run ``run_id`` left (resumes one that was cut short)."""
    command = f"dialer-suite cleanup --run-id {run_id}"
    if settings.base_url:
        command += f" --base-url {settings.base_url}"
    if not settings.loopback:
        command += " --allow-writes"
    flags = ("--campaign-id", "--other-campaign-id")
    return command + "".join(f" {flag} {campaign}" for flag, campaign in zip(flags, campaign_ids,
                                                                                 strict=False))


def result_lines(result: CleanupResult, run_id: str | None = None) -> list[str]:
    """What a removal did, in lines: removed, at what rate, and every contact it could not remove."""
    rate = result.deletes / result.seconds if result.seconds > 0 else 0.0
    whose = f" of run {run_id}" if run_id else ""
    lines = [f"cleanup: removed {result.removed:,} contact(s){whose} in {duration_text(result.seconds)} "
             f"({result.deletes:,} deletes, {rate_text(rate)}); left on the target: {len(result.left)}"]
    lines += [f"  left: {leftover}" for leftover in result.left]
    lines += [f"  problem: {problem}" for problem in result.problems]
    return lines
