"""Answers to the questions a capacity test is run for, from the run's book.

- every run: how many requests it sent against the ceiling it was given;
- ``steady`` (a scenario with adds): the service time a single add sees at the run's rate;
- ``stress``: the knee — also when it is the ceiling —, where 429s started, whether
  waiting the ``Retry-After`` got the retry through;
- ``capacity``: contacts/s through import and their spread over jobs, per batch size and
  which loads fastest, the time from a file posted to its contacts listed, and with
  ``--campaign-size`` how long a campaign that big takes to load, in how many requests,
  and what removing it costs.

Each answer is a plain mapping (``summary.json``) and the lines the terminal shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from dialer_suite.load.analysis import RunVerdict
from dialer_suite.load.book import INTENDED, WAIT, Book, Window
from dialer_suite.load.names import (
    ADD_CONTACT,
    GET_IMPORT_JOB,
    IMPORT_END_TO_END,
    POSTED_TO_LISTED,
    RETRIED_THROTTLED,
    RETRIES,
    SYNTHETIC,
    THROTTLED,
    WITH_RETRY_AFTER,
    batch_size_of,
)
from dialer_suite.load.run_plan import RunPlan
from dialer_suite.load.writes import duration_text, rate_text, removal

Answer = dict[str, Any]


def answers(run_plan: RunPlan, book: Book, verdict: RunVerdict) -> dict[str, Answer]:
    """Every answer the run's profile gives, by name."""
    found = {"sent": sent(book, verdict.seconds, run_plan.send_cap, run_plan.rate_ceiling)}
    profile = run_plan.plan.profile
    if profile in ("steady", "soak", "smoke") and ADD_CONTACT in book.overall():
        found["single_add"] = single_add(book, run_plan.plan.peak_rate)
    if run_plan.plan.stop_on_breach:
        found["stress"] = stress(book, run_plan, verdict)
    if profile == "capacity":
        found["capacity"] = capacity(book, run_plan, verdict.seconds)
    return found


def sent(book: Book, seconds: float, cap: float | None, ceiling: float | None) -> Answer:
    """Requests sent (429s included) on average and in the busiest second, against the ceiling."""
    total = sum(_attempts(window) for name, window in book.overall().items() if name not in SYNTHETIC)
    return {
        "requests": total,
        "per_s": total / seconds if seconds > 0 else None,
        "peak_per_s": max(book.sent.values(), default=0),
        "ceiling_rps": ceiling,
        "send_cap_rps": cap,
    }


def _attempts(window: Window) -> int:
    return window.requests + window.throttled


def single_add(book: Book, rate: float) -> Answer:
    """What one add costs the target at the run's rate (service time), and what our side added."""
    window = book.overall()[ADD_CONTACT]
    return {
        "rate": rate,
        "adds": window.requests,
        **{f"p{p}_ms": _number(window.percentile_ms(p)) for p in (50, 95, 99)},
        "max_ms": _number(window.max_ms()),
        "pacer_wait_p95_ms": _number(window.percentile_ms(95, WAIT)),
        "intended_p95_ms": _number(window.percentile_ms(95, INTENDED)),
    }


def stress(book: Book, run_plan: RunPlan, verdict: RunVerdict) -> Answer:
    """The knee against the ceiling, the first step with 429s, and how ``Retry-After`` went."""
    plan, ceiling = run_plan.plan, run_plan.rate_ceiling
    first_429 = next(
        (plan.stages[index].rate for index, windows in sorted(book.by("stage").items())
         if index < len(plan.stages) and any(w.throttled for w in windows.values())),
        None,
    )
    counters = book.counters
    return {
        "knee_rps": verdict.knee_rps,
        "breached": verdict.stage_breached,
        "ceiling_rps": ceiling,
        "knee_is_ceiling": ceiling is not None and verdict.knee_rps is not None
        and math.isclose(verdict.knee_rps, ceiling),
        "steps_past_ceiling": run_plan.bursts,
        "first_429_rps": first_429,
        "throttled": counters.get(THROTTLED, 0),
        "with_retry_after": counters.get(WITH_RETRY_AFTER, 0),
        "retries": counters.get(RETRIES, 0),
        "retries_throttled_again": counters.get(RETRIED_THROTTLED, 0),
        "retry_after_honoured": _honoured(counters),
    }


def _honoured(counters: Mapping[str, int]) -> bool | None:
    """True when every retry sent after waiting a 429's Retry-After got through; None untested."""
    if not counters.get(RETRIES):
        return None
    return counters.get(RETRIED_THROTTLED, 0) == 0 and counters.get(WITH_RETRY_AFTER, 0) > 0


def capacity(book: Book, run_plan: RunPlan, seconds: float) -> Answer:
    """Contacts/s through import, per batch size, the spread over jobs, posted → listed, the forecast."""
    overall = book.overall()
    imports = overall.get(IMPORT_END_TO_END, Window(3))
    jobs = imports.requests - imports.failures
    groups = sorted((_group(size, window) for name, window in book.asides().items()
                     if (size := batch_size_of(name)) is not None), key=lambda group: group["batch_size"])
    fastest = max(groups, key=lambda g: g["contacts_per_s"] or 0.0, default=None)
    polls = overall.get(GET_IMPORT_JOB, Window(3)).requests
    listed = book.asides().get(POSTED_TO_LISTED)
    found: Answer = {
        "contacts": imports.contacts,
        "jobs": jobs,
        "failed_jobs": imports.failures,
        "seconds": seconds,
        "contacts_per_s": imports.contacts / seconds if seconds > 0 and imports.contacts else None,
        "polls_per_job": polls / imports.requests if imports.requests else None,
        "batch_sizes": groups,
        "fastest_batch_size": fastest["batch_size"] if fastest and len(groups) > 1 else None,
        "posted_to_listed_ms": _spread(listed),
    }
    if run_plan.campaign_size and fastest and fastest["contacts_per_s"]:
        found["forecast"] = forecast(run_plan, fastest, found["polls_per_job"] or 1.0)
    return found


def _group(size: int, window: Window) -> Answer:
    done = window.requests - window.failures
    average = window.contacts / done if done else float(size)
    span = (window.last - window.first) if window.first is not None and window.last is not None else 0.0

    def per_job(millis: float) -> float | None:
        return None if math.isnan(millis) or millis <= 0 else average / (millis / 1000)

    return {
        "batch_size": size,
        "jobs": done,
        "failed_jobs": window.failures,
        "contacts": window.contacts,
        "contacts_per_s": window.contacts / span if span > 0 and window.contacts else None,
        "per_job_contacts_per_s": {
            "p50": per_job(window.percentile_ms(50)),
            "slowest": per_job(window.max_ms()),
            "fastest": per_job(window.min_ms()),
        },
    }


def _spread(window: Window | None) -> Answer | None:
    if window is None or not window.requests:
        return None
    return {"files": window.requests, "failed": window.failures, "p50_ms": _number(window.percentile_ms(50)),
            "max_ms": _number(window.max_ms())}


def forecast(run_plan: RunPlan, group: Answer, polls_per_job: float) -> Answer:
    """A campaign of ``run_plan.campaign_size`` contacts in files of the fastest batch size."""
    size = run_plan.campaign_size or 0
    files = math.ceil(size / group["batch_size"])
    requests = math.ceil(files * (1 + polls_per_job))
    at_rate = size / group["contacts_per_s"]
    ceiling = run_plan.rate_ceiling
    at_ceiling = requests / ceiling if ceiling else 0.0
    found: Answer = {
        "campaign_size": size,
        "batch_size": group["batch_size"],
        "files": files,
        "requests": requests,
        "seconds": max(at_rate, at_ceiling),
        "seconds_at_measured_rate": at_rate,
        "seconds_of_requests_at_ceiling": at_ceiling if ceiling else None,
    }
    if ceiling:
        cost = removal(size, ceiling)
        found["removal_seconds"] = cost.seconds
        found["removal_rate"] = cost.rate
    return found


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


# -- what the terminal shows ------------------------------------------------------------------


def lines(found: Mapping[str, Answer]) -> list[str]:
    """The answers as the terminal shows them, after the table."""
    shown: list[str] = []
    if "sent" in found:
        shown += _sent_lines(found["sent"])
    if "single_add" in found:
        shown += _single_add_lines(found["single_add"])
    if "stress" in found:
        shown += _stress_lines(found["stress"])
    if "capacity" in found:
        shown += _capacity_lines(found["capacity"])
    return shown


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _sent_lines(sent_: Answer) -> list[str]:
    per_s = sent_["per_s"]
    line = (f"sent {sent_['requests']} requests ({rate_text(per_s) if per_s else '-'} on average, at most "
            f"{sent_['peak_per_s']} in one second)")
    if sent_["ceiling_rps"] is not None:
        line += f"; ceiling {rate_text(sent_['ceiling_rps'])}"
        if sent_["send_cap_rps"] != sent_["ceiling_rps"]:
            line += f", bursts allowed up to {rate_text(sent_['send_cap_rps'])}"
    else:
        line += "; no ceiling (the embedded simulator)"
    return [line]


def _single_add_lines(add: Answer) -> list[str]:
    return [
        f"a single add at {rate_text(add['rate'])}: p50 {_ms(add['p50_ms'])}, p95 {_ms(add['p95_ms'])}, "
        f"p99 {_ms(add['p99_ms'])} (service time, {add['adds']} adds); our pacer added p95 "
        f"{_ms(add['pacer_wait_p95_ms'])}, from the intended send time p95 {_ms(add['intended_p95_ms'])}"
    ]


def _stress_lines(found: Answer) -> list[str]:
    shown = []
    knee, ceiling = found["knee_rps"], found["ceiling_rps"]
    if knee is not None and found["knee_is_ceiling"]:
        past = "" if found["steps_past_ceiling"] else (
            "; steps past it need bursts over the limit allowed (--allow-rate-limit-tests)")
        shown.append(f"knee at the ceiling: {rate_text(knee)} sustained within the SLOs{past}")
    elif knee is not None and found["breached"]:
        where = ""
        if ceiling is not None:
            where = f", {'above' if knee > ceiling else 'below'} the ceiling of {rate_text(ceiling)}"
        shown.append(f"knee: {knee:.1f} req/s offered (the highest step before the first breach){where}")
    elif knee is not None:
        shown.append(f"knee: not reached - every step up to {knee:.1f} req/s stayed within the SLOs")
    first = found["first_429_rps"]
    shown.append("429s: none" if first is None else
                 f"429s started at {rate_text(first)} offered ({found['throttled']} in all, "
                 f"{found['with_retry_after']} with Retry-After)")
    honoured = found["retry_after_honoured"]
    if honoured is not None:
        again = found["retries_throttled_again"]
        shown.append(f"Retry-After honoured: {'yes' if honoured else 'no'} - {found['retries']} retries "
                     f"after waiting it, {again} throttled again")
    return shown


def _capacity_lines(found: Answer) -> list[str]:
    shown = []
    for group in found["batch_sizes"]:
        job = group["per_job_contacts_per_s"]
        shown.append(
            f"files of {group['batch_size']}: {_count(group['jobs'], 'job')}, {group['contacts']} contacts "
            f"at {_rate(group['contacts_per_s'])} contacts/s; per job p50 {_rate(job['p50'])}, slowest "
            f"{_rate(job['slowest'])}, fastest {_rate(job['fastest'])} contacts/s"
        )
    if found["fastest_batch_size"] is not None:
        shown.append(f"fastest batch size: {found['fastest_batch_size']} contacts per file")
    listed = found["posted_to_listed_ms"]
    if listed is not None:
        shown.append(f"file posted -> its contacts listed: p50 {_ms(listed['p50_ms'])}, max "
                     f"{_ms(listed['max_ms'])} ({listed['files']} file(s) timed)")
    if "forecast" in found:
        plan = found["forecast"]
        line = (f"forecast: {plan['campaign_size']:,} contacts in {plan['files']:,} files of "
                f"{plan['batch_size']} take about {duration_text(plan['seconds'])} and "
                f"{plan['requests']:,} requests")
        if plan.get("removal_seconds") is not None:
            line += (f"; removing them takes about {duration_text(plan['removal_seconds'])} at "
                     f"{rate_text(plan['removal_rate'])}")
        shown.append(line)
    return shown


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"
