"""SLO gates: thresholds declared in a TOML file, checked against HDR data after a run.

A file holds *gate tables*, one per kind of target; a run uses one of them,
and the summary names it. The shipped file (``load_tests/slo.toml``) has
``tenant`` — any target the suite did not start itself, judged by what a
healthy hosted API delivers — and ``simulator``, the tight gates of the
simulator the suite starts itself::

    [tenant.default]                      # every profile starts from these
    max_failure_ratio = 0.01              # all requests; 429s are counted apart, not as failures
    min_rps_of_offered = 0.9              # achieved operations/s against the plan's offered rate
    [tenant.default.requests.addContact]  # per request name
    p95_ms = 1000                         # service time: request sent -> answer
    intended_p95_ms = 1500                # from the intended send time (the open model)
    [tenant.default.import]
    end_to_end_p95_ms = 60000
    min_contacts_per_s = 50
    [tenant.profile.stress]               # overrides for one profile, merged key by key
    min_knee_of_ceiling = 1.0             # the knee must reach the ceiling the run was given

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
from dialer_suite.load.book import INTENDED, Window, combined
from dialer_suite.load.names import IMPORT_END_TO_END

_PERCENTILES = {"p50_ms": 50.0, "p95_ms": 95.0, "p99_ms": 99.0}
_INTENDED = {f"intended_{key}": percentile for key, percentile in _PERCENTILES.items()}
_REQUEST_KEYS = {*_PERCENTILES, *_INTENDED, "max_failure_ratio", "min_rps"}
_TOTAL_KEYS = {"max_failure_ratio", "max_throttled_ratio", "min_rps", "min_rps_of_offered"}
_IMPORT_KEYS = {"end_to_end_p95_ms", "min_contacts_per_s"}
_KNEE_KEYS = {"min_knee_rps", "min_knee_of_ceiling"}
_PROFILE_KEYS = _TOTAL_KEYS | _KNEE_KEYS | {"requests", "import"}
_TABLE_KEYS = {"description", "default", "profile"}
TENANT, SIMULATOR = "tenant", "simulator"


@dataclass(frozen=True)
class Gates:
    """The thresholds in force for one profile."""

    total: Mapping[str, float]
    requests: Mapping[str, Mapping[str, float]]
    imports: Mapping[str, float]
    min_knee_rps: float | None = None
    # The knee as a share of the run's rate ceiling (a tenant must sustain the rate it was given).
    min_knee_of_ceiling: float | None = None


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
    ceiling_rps: float | None = None


def table_names(path: Path) -> tuple[str, ...]:
    """The gate tables of the SLO file at ``path``."""
    return tuple(_document(path))


def load_gates(path: Path, table: str, profile: str) -> Gates:
    """The gates of ``profile`` in gate table ``table`` of the SLO file at ``path`` (the table's
    default merged with its profile table)."""
    document = _document(path)
    if table not in document:
        raise UsageError(
            f"SLO file {path} has no gate table [{table}]; its tables: {', '.join(document) or 'none'}"
        )
    where = f"{path} [{table}]"
    _check_keys(where, document[table], _TABLE_KEYS)
    default = document[table].get("default", {})
    override = document[table].get("profile", {}).get(profile, {})
    for part, part_table in ((f"{where} default", default), (f"{where} profile.{profile}", override)):
        _check_keys(part, part_table, _PROFILE_KEYS)
    merged = _merge(default, override)
    requests = {
        name: _numbers(f"{where} requests.{name}", limits, _REQUEST_KEYS)
        for name, limits in merged.get("requests", {}).items()
    }
    imports = _numbers(f"{where} import", merged.get("import", {}), _IMPORT_KEYS)
    total = _numbers(f"{where} {profile}", {k: v for k, v in merged.items() if k in _TOTAL_KEYS}, _TOTAL_KEYS)
    knees = _numbers(f"{where} {profile}", {k: v for k, v in merged.items() if k in _KNEE_KEYS}, _KNEE_KEYS)
    return Gates(total, requests, imports, knees.get("min_knee_rps"), knees.get("min_knee_of_ceiling"))


def _document(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"SLO file {path} does not exist") from None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"SLO file {path} is not readable TOML: {error}") from None
    if "default" in document or "profile" in document:
        raise UsageError(
            f"SLO file {path}: gates go under a table name, e.g. [tenant.default] and "
            "[tenant.profile.smoke] (see load_tests/slo.toml), not at the top level"
        )
    not_tables = sorted(name for name, value in document.items() if not isinstance(value, Mapping))
    if not_tables:
        raise UsageError(f"SLO file {path}: {', '.join(not_tables)} must be gate tables ([name.default])")
    return document


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
    checks += _knee_checks(gates, facts)
    return checks


def _knee_checks(gates: Gates, facts: Facts) -> list[Check]:
    if facts.knee_rps is None:
        return []
    checks = []
    if gates.min_knee_rps is not None:
        checks.append(Check("stress", "knee (highest step within SLO)", facts.knee_rps, gates.min_knee_rps,
                            False, " req/s"))
    if gates.min_knee_of_ceiling is not None and facts.ceiling_rps:
        limit = gates.min_knee_of_ceiling * facts.ceiling_rps
        metric = f"knee (highest step within SLO; {gates.min_knee_of_ceiling:g} x the ceiling)"
        checks.append(Check("stress", metric, facts.knee_rps, limit, False, " req/s"))
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
    for key, percentile in _PERCENTILES.items():
        if key in limits:
            checks.append(Check(name, f"p{percentile:g}", window.percentile_ms(percentile), limits[key], True,
                                " ms"))
    for key, percentile in _INTENDED.items():
        if key in limits:
            measured = window.percentile_ms(percentile, INTENDED)
            checks.append(Check(name, f"p{percentile:g} from intended send time", measured, limits[key], True,
                                " ms"))
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
