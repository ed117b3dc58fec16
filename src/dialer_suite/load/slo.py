"""SLO gates: thresholds declared in a TOML file, checked against HDR data after a run.

File layout (see ``load_tests/slo.toml``)::

    [default]                      # every profile starts from these
    max_failure_ratio = 0.01       # all requests; 429s are counted apart, not as failures
    min_rps_of_offered = 0.9       # achieved operations/s against the plan's offered rate
    [default.requests.addContact]  # per request name
    p95_ms = 150
    [default.import]
    end_to_end_p95_ms = 5000
    min_contacts_per_s = 50
    [profile.stress]               # overrides for one profile, merged key by key
    min_knee_rps = 100

A check compares one measured number with one limit; a run passes when every
check passes. A gated request name that the scenario should have produced but
did not is a failed check, never a silent pass.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialer_suite.errors import UsageError
from dialer_suite.load.book import Window, combined
from dialer_suite.load.names import IMPORT_END_TO_END

_REQUEST_KEYS = {"p50_ms", "p95_ms", "p99_ms", "max_failure_ratio", "min_rps"}
_TOTAL_KEYS = {"max_failure_ratio", "max_throttled_ratio", "min_rps", "min_rps_of_offered"}
_IMPORT_KEYS = {"end_to_end_p95_ms", "min_contacts_per_s"}
_PROFILE_KEYS = _TOTAL_KEYS | {"min_knee_rps", "requests", "import"}


@dataclass(frozen=True)
class Gates:
    """The thresholds in force for one profile."""

    total: Mapping[str, float]
    requests: Mapping[str, Mapping[str, float]]
    imports: Mapping[str, float]
    min_knee_rps: float | None = None


@dataclass(frozen=True)
class Check:
    """One threshold against one measurement."""

    subject: str
    metric: str
    measured: float
    limit: float
    at_most: bool
    unit: str = ""

    @property
    def passed(self) -> bool:
        if math.isnan(self.measured):
            return False
        return self.measured <= self.limit if self.at_most else self.measured >= self.limit

    def line(self) -> str:
        verdict = "ok  " if self.passed else "FAIL"
        relation = ("<=" if self.passed else ">") if self.at_most else (">=" if self.passed else "<")
        measured = "no data" if math.isnan(self.measured) else f"{_fmt(self.measured)}{self.unit}"
        limit = f"{_fmt(self.limit)}{self.unit}"
        return f"{verdict} {self.subject} {self.metric}: measured {measured} {relation} limit {limit}"


def _fmt(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1 else f"{value:,.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Facts:
    """What a run (or one stage of it) measured, as the gates need it."""

    windows: Mapping[str, Window]
    seconds: float
    expected: tuple[str, ...]
    paced: tuple[str, ...]
    offered_rps: float | None = None
    knee_rps: float | None = None
    # Requests per name that finished within ``seconds`` (default: every request in ``windows``).
    completed: Mapping[str, int] | None = None


def load_gates(path: Path, profile: str) -> Gates:
    """The gates of ``profile`` from the SLO file at ``path`` (default merged with the profile)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"SLO file {path} does not exist") from None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"SLO file {path} is not readable TOML: {error}") from None
    default = document.get("default", {})
    override = document.get("profile", {}).get(profile, {})
    for where, table in ((f"{path} [default]", default), (f"{path} [profile.{profile}]", override)):
        _check_keys(where, table, _PROFILE_KEYS)
    merged = _merge(default, override)
    requests = {
        name: _numbers(f"{path} requests.{name}", table, _REQUEST_KEYS)
        for name, table in merged.get("requests", {}).items()
    }
    imports = _numbers(f"{path} import", merged.get("import", {}), _IMPORT_KEYS)
    total = _numbers(
        f"{path} [{profile}]", {k: v for k, v in merged.items() if k in _TOTAL_KEYS}, _TOTAL_KEYS
    )
    knee = merged.get("min_knee_rps")
    return Gates(total, requests, imports, float(knee) if knee is not None else None)


def _check_keys(where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise UsageError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _numbers(where: str, table: Mapping[str, Any], allowed: set[str]) -> dict[str, float]:
    _check_keys(where, table, allowed)
    numbers = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise UsageError(f"{where}.{key} must be a non-negative number, got {value!r}")
        numbers[key] = float(value)
    return numbers


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(merged.get(key, {}), value) if isinstance(value, Mapping) else value
    return merged


def evaluate(gates: Gates, facts: Facts) -> list[Check]:
    """Every check of ``gates`` against ``facts``, in a stable order."""
    checks = _total_checks(gates, facts)
    for name, limits in sorted(gates.requests.items()):
        if name in facts.expected:
            checks += _request_checks(name, limits, facts)
    if IMPORT_END_TO_END in facts.expected:
        checks += _import_checks(gates, facts)
    if gates.min_knee_rps is not None and facts.knee_rps is not None:
        checks.append(
            Check(
                "stress",
                "knee (highest step within SLO)",
                facts.knee_rps,
                gates.min_knee_rps,
                False,
                " req/s",
            )
        )
    return checks


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else math.nan


def _total_checks(gates: Gates, facts: Facts) -> list[Check]:
    total = combined(facts.windows.values())
    limits = gates.total
    checks = []
    if "max_failure_ratio" in limits:
        ratio = total.failures / total.requests if total.requests else math.nan
        checks.append(Check("all requests", "failure ratio", ratio, limits["max_failure_ratio"], True))
    if "max_throttled_ratio" in limits:
        attempts = total.requests + total.throttled
        ratio = total.throttled / attempts if attempts else math.nan
        checks.append(Check("all requests", "429 ratio", ratio, limits["max_throttled_ratio"], True))
    if "min_rps" in limits:
        checks.append(
            Check(
                "all requests",
                "req/s",
                _rate(total.requests, facts.seconds),
                limits["min_rps"],
                False,
                " req/s",
            )
        )
    if "min_rps_of_offered" in limits and facts.offered_rps and facts.paced:
        completed = facts.completed
        if completed is None:
            completed = {name: window.requests for name, window in facts.windows.items()}
        done = sum(completed.get(name, 0) for name in facts.paced)
        achieved = _rate(done, facts.seconds) / facts.offered_rps
        checks.append(
            Check("paced operations", "achieved/offered rate", achieved, limits["min_rps_of_offered"], False)
        )
    return checks


def _request_checks(name: str, limits: Mapping[str, float], facts: Facts) -> list[Check]:
    window = facts.windows.get(name, Window(3))
    checks = []
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        if key in limits:
            percentile = float(key[1:3])
            checks.append(Check(name, key[:3], window.percentile_ms(percentile), limits[key], True, " ms"))
    if "max_failure_ratio" in limits:
        ratio = window.failures / window.requests if window.requests else math.nan
        checks.append(Check(name, "failure ratio", ratio, limits["max_failure_ratio"], True))
    if "min_rps" in limits:
        checks.append(
            Check(name, "req/s", _rate(window.requests, facts.seconds), limits["min_rps"], False, " req/s")
        )
    return checks


def _import_checks(gates: Gates, facts: Facts) -> list[Check]:
    window = facts.windows.get(IMPORT_END_TO_END, Window(3))
    checks = []
    if "end_to_end_p95_ms" in gates.imports:
        measured = window.percentile_ms(95) if window.requests > window.failures else math.nan
        checks.append(
            Check("import", "end-to-end p95", measured, gates.imports["end_to_end_p95_ms"], True, " ms")
        )
    if "min_contacts_per_s" in gates.imports:
        measured = _rate(window.contacts, facts.seconds) if window.contacts else math.nan
        checks.append(
            Check("import", "contacts/s", measured, gates.imports["min_contacts_per_s"], False, " contacts/s")
        )
    return checks
