"""PNG charts of a run: throughput, p95 and errors over time; for stress, latency vs offered load;
for the import-while-dialing scenario, imports and the dialer's steps over time.

Drawn with matplotlib's Agg backend from the merged HDR book, so the chart
shows exactly the numbers the gates judged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: charts are drawn without a display
import matplotlib.pyplot as plt
from matplotlib import ticker

from dialer_suite.load import dialing
from dialer_suite.load.analysis import StageResult
from dialer_suite.load.book import BUCKET, Book, Window, combined
from dialer_suite.load.names import DIALER_STEP, IMPORT_END_TO_END
from dialer_suite.load.profiles import Plan


def over_time(
    book: Book, plan: Plan, paced: tuple[str, ...], path: Path, *, title: str, started: float | None = None
) -> Path:
    """Three stacked panels over seconds since start: req/s, p95 ms, failures and 429s per second.

    The black line is the paced operations together, to read against the plan's offered rate
    (drawn up to where the run ended). Rates divide by the part of a bucket the run covered,
    so the first and last buckets do not dip.
    """
    buckets = book.by(BUCKET)
    width = book.bucket_seconds
    first = min(buckets) * width if buckets else 0.0
    origin = started if started is not None else first
    end = book.last_seen if book.last_seen is not None else origin
    spans = {i: _covered(i * width, width, origin, end) for i in buckets}
    times = [i * width - origin + width / 2 for i in buckets]
    fig, (rate_ax, latency_ax, error_ax) = plt.subplots(3, 1, sharex=True, figsize=(12, 8.5))
    for name in book.names():
        series = [buckets[i].get(name) for i in buckets]
        rate_ax.plot(
            times,
            [w.requests / spans[i] if w else 0.0 for i, w in zip(buckets, series, strict=True)],
            marker=".",
            label=name,
        )
        latency_ax.plot(
            times,
            [w.percentile_ms(95) if w and w.requests else math.nan for w in series],
            marker=".",
            label=name,
        )
    totals = [combined(buckets[i].values()) for i in buckets]
    operations = [sum(w.requests for n, w in buckets[i].items() if n in paced) / spans[i] for i in buckets]
    rate_ax.plot(times, operations, color="black", linewidth=1.5, label="paced operations")
    if plan.profile != "capacity":
        edges, rates = _stage_steps(plan, until=end - origin)
        rate_ax.step(edges, rates, where="post", color="grey", linestyle="--", label="offered (plan)")
    failures = [t.failures / spans[i] for i, t in zip(buckets, totals, strict=True)]
    throttled = [t.throttled / spans[i] for i, t in zip(buckets, totals, strict=True)]
    error_ax.bar(times, failures, width=width * 0.9, color="tab:red", label="failures/s")
    error_ax.bar(
        times, throttled, width=width * 0.9, bottom=failures, color="tab:orange", label="429 throttled/s"
    )
    rate_ax.set_ylabel("requests/s")
    latency_ax.set_ylabel("p95 latency (ms)")
    _latency_scale(latency_ax, [t.percentile_ms(95) for t in totals])
    error_ax.set_ylabel("per second")
    error_ax.set_xlabel("seconds since start")
    error_ax.set_ylim(
        bottom=0, top=max([1.0] + [(f + t) * 1.1 for f, t in zip(failures, throttled, strict=True)])
    )
    for ax in (rate_ax, latency_ax, error_ax):
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return _save(fig, path)


def _covered(start: float, width: float, origin: float, end: float) -> float:
    """Seconds of the bucket [start, start + width) inside the run [origin, end] (at least a tenth)."""
    return max(min(start + width, end) - max(start, origin), width / 10)


def _latency_scale(ax: plt.Axes, values: list[float]) -> None:
    """Log scale only when latencies span more than 20x; plain numbers on the axis either way."""
    known = [v for v in values if not math.isnan(v) and v > 0]
    if known and max(known) / min(known) > 20:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    else:
        ax.set_ylim(bottom=0)


def _stage_steps(plan: Plan, *, until: float) -> tuple[list[float], list[float]]:
    """The plan's offered rate as steps, cut where the run ended."""
    edges, rates = [], []
    for index, stage in enumerate(plan.stages):
        start = plan.stage_start(index)
        if start >= until:
            break
        edges.append(start)
        rates.append(stage.rate)
    if not edges:
        return [], []
    return [*edges, min(until, plan.duration)], [*rates, rates[-1]]


def latency_vs_load(
    stages: list[StageResult],
    book: Book,
    paced: tuple[str, ...],
    knee_rps: float | None,
    path: Path,
    *,
    title: str,
    p95_limit: float | None,
) -> Path:
    """Stress: p50/p95/p99 and achieved rate per offered rate, the knee marked."""
    by_stage = book.by("stage")
    offered = [result.offered_rps for result in stages]
    windows = [
        combined(w for n, w in by_stage.get(result.index, {}).items() if n in paced) for result in stages
    ]
    fig, ax = plt.subplots(figsize=(10, 6))
    for percentile, style in ((50, "o-"), (95, "s-"), (99, "^-")):
        ax.plot(offered, [w.percentile_ms(percentile) for w in windows], style, label=f"p{percentile}")
    if p95_limit is not None:
        ax.axhline(p95_limit, color="tab:red", linestyle=":", label=f"p95 limit {p95_limit:g} ms")
    breached = [
        (r.offered_rps, w.percentile_ms(95)) for r, w in zip(stages, windows, strict=True) if not r.passed
    ]
    if breached:
        ax.scatter(
            [rate for rate, _ in breached],
            [p95 for _, p95 in breached],
            s=160,
            marker="x",
            color="tab:red",
            zorder=5,
            label="step breached an SLO",
        )
    if knee_rps:
        ax.axvline(knee_rps, color="black", linestyle="--", label=f"knee {knee_rps:g} req/s")
    ax.set_xlabel("offered load (requests/s)")
    ax.set_ylabel("latency from intended send (ms)")
    _latency_scale(ax, [w.percentile_ms(p) for w in windows for p in (50, 99)])
    ax.grid(True, alpha=0.3)
    achieved_ax = ax.twinx()
    achieved_ax.plot(offered, [r.achieved_rps for r in stages], "k.:", label="achieved req/s")
    achieved_ax.set_ylabel("achieved requests/s")
    lines, labels = ax.get_legend_handles_labels()
    more_lines, more_labels = achieved_ax.get_legend_handles_labels()
    ax.legend(lines + more_lines, labels + more_labels, loc="upper left", fontsize=9)
    ax.set_title(title)
    fig.tight_layout()
    return _save(fig, path)


def import_while_dialing(book: Book, plan: Plan, path: Path, *, started: float) -> Path:
    """Import end-to-end p50/p95, dialer steps/s and step lateness over time; the dialer's third shaded."""
    buckets = dialing.buckets(book, started)
    times = [seconds for seconds, _ in buckets]
    width = book.bucket_seconds

    def series(name: str, value: Callable[[Window], float]) -> list[float]:
        return [value(ns[name]) if name in ns and ns[name].requests else math.nan for _, ns in buckets]

    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(12, 8.5))
    lines = (
        (0, IMPORT_END_TO_END, lambda w: w.percentile_ms(95), None, "import end-to-end p95"),
        (0, IMPORT_END_TO_END, lambda w: w.percentile_ms(50), None, "import end-to-end p50"),
        (1, DIALER_STEP, lambda w: w.requests / width, "tab:green", "dialer steps/s"),
        (2, DIALER_STEP, lambda w: w.percentile_ms(95), "tab:red", "dialer step lateness p95"),
    )
    for index, name, value, color, label in lines:
        axes[index].plot(times, series(name, value), marker=".", color=color, label=label)
    for ax, unit in zip(axes, ("ms", "steps/s", "ms late"), strict=True):
        ax.set_ylabel(unit)
        third = plan.duration / 3
        ax.axvspan(third, 2 * third, color="tab:green", alpha=0.08, label="dialer running")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    axes[-1].set_xlabel("seconds since start")
    fig.suptitle(
        f"import while dialing ({plan.profile}): imports at {plan.peak_rate:g} files/s; "
        "dialer in the middle third"
    )
    fig.tight_layout()
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
