"""SLO gates: the file format, and checks that name what was measured against which limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer_suite.errors import UsageError
from dialer_suite.load.book import Book
from dialer_suite.load.names import ADD_CONTACT, IMPORT_END_TO_END
from dialer_suite.load.runner import load_tests_dir
from dialer_suite.load.slo import Facts, Gates, evaluate, load_gates

SLO = """
[lab.default]
max_failure_ratio = 0.01
min_rps_of_offered = 0.9
[lab.default.requests.addContact]
p95_ms = 100
p99_ms = 200
[lab.default.import]
end_to_end_p95_ms = 1000
[lab.profile.stress]
min_knee_rps = 50
[lab.profile.stress.requests.addContact]
p95_ms = 300
"""


@pytest.fixture
def slo_file(tmp_path: Path) -> Path:
    path = tmp_path / "slo.toml"
    path.write_text(SLO)
    return path


def _book(latencies: list[float], failures: int = 0) -> Book:
    book = Book()
    for i, millis in enumerate(latencies):
        book.record(ADD_CONTACT, millis, failed=i < failures, now=0.0)
    return book


def _facts(book: Book, **extra: object) -> Facts:
    fields: dict = {"expected": (ADD_CONTACT,), "paced": (ADD_CONTACT,), "offered_rps": 10.0, "seconds": 10.0}
    fields.update(extra)
    return Facts(book.overall(), **fields)


def test_profile_tables_override_the_default_key_by_key(slo_file: Path) -> None:
    gates = load_gates(slo_file, "lab", "stress")
    assert gates.requests[ADD_CONTACT] == {"p95_ms": 300.0, "p99_ms": 200.0}
    assert gates.min_knee_rps == 50.0


def test_the_shipped_slo_file_loads_for_every_profile() -> None:
    from dialer_suite.load.profiles import PROFILE_NAMES

    for table in ("tenant", "simulator"):
        for profile in PROFILE_NAMES:
            assert load_gates(load_tests_dir() / "slo.toml", table, profile).total


def test_an_unknown_key_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "slo.toml"
    path.write_text("[lab.default.requests.addContact]\np95 = 3\n")
    with pytest.raises(UsageError, match="p95"):
        load_gates(path, "lab", "smoke")


def test_gates_outside_a_table_are_refused_saying_where_they_go(tmp_path: Path) -> None:
    path = tmp_path / "slo.toml"
    path.write_text("[default]\nmax_failure_ratio = 0.01\n")
    with pytest.raises(UsageError, match=r"\[tenant.default\]"):
        load_gates(path, "tenant", "smoke")


def test_a_table_the_file_lacks_is_named_with_the_ones_it_has(slo_file: Path) -> None:
    with pytest.raises(UsageError, match="no gate table \\[tenant\\]; its tables: lab"):
        load_gates(slo_file, "tenant", "smoke")


def test_the_tenant_table_gates_the_service_time_the_simulator_table_also_the_intended_time() -> None:
    tenant = load_gates(load_tests_dir() / "slo.toml", "tenant", "smoke").requests[ADD_CONTACT]
    simulator = load_gates(load_tests_dir() / "slo.toml", "simulator", "smoke").requests[ADD_CONTACT]
    assert not any(key.startswith("intended") for key in tenant)
    assert "intended_p99_ms" in simulator


def test_a_slow_intended_time_fails_its_own_gate_while_the_service_time_passes(tmp_path: Path) -> None:
    path = tmp_path / "slo.toml"
    path.write_text("[lab.default.requests.addContact]\np95_ms = 100\nintended_p95_ms = 100\n")
    book = Book()
    for _ in range(100):
        book.record(ADD_CONTACT, 5.0, intended_ms=900.0, wait_ms=850.0, now=0.0)
    failed = [c.line() for c in evaluate(load_gates(path, "lab", "smoke"), _facts(book)) if not c.passed]
    assert failed == ["FAIL addContact p95 from intended send time: measured 900.1 ms > limit 100 ms"]


def test_the_knee_as_a_share_of_the_ceiling_is_checked_against_the_runs_ceiling() -> None:
    gates = Gates({}, {}, {}, min_knee_of_ceiling=1.0)
    below = evaluate(gates, Facts({}, 10.0, (), (), knee_rps=8.0, ceiling_rps=10.0))
    at = evaluate(gates, Facts({}, 10.0, (), (), knee_rps=10.0, ceiling_rps=10.0))
    assert [c.passed for c in below] == [False] and [c.passed for c in at] == [True]
    assert "1 x the ceiling" in below[0].metric


def test_a_fast_clean_run_passes_every_check(slo_file: Path) -> None:
    checks = evaluate(load_gates(slo_file, "lab", "smoke"), _facts(_book([5.0] * 100)))
    assert checks and all(check.passed for check in checks), [c.line() for c in checks]


def test_a_slow_run_fails_the_percentile_with_measured_and_limit(slo_file: Path) -> None:
    checks = evaluate(load_gates(slo_file, "lab", "smoke"), _facts(_book([5.0] * 90 + [400.0] * 10)))
    failed = [check.line() for check in checks if not check.passed]
    assert failed == [
        "FAIL addContact p95: measured 400.1 ms > limit 100 ms",
        "FAIL addContact p99: measured 400.1 ms > limit 200 ms",
    ]


def test_failures_breach_the_failure_ratio(slo_file: Path) -> None:
    checks = evaluate(load_gates(slo_file, "lab", "smoke"), _facts(_book([5.0] * 100, failures=5)))
    assert [c.metric for c in checks if not c.passed] == ["failure ratio"]


def test_an_achieved_rate_below_the_offered_one_fails(slo_file: Path) -> None:
    checks = evaluate(load_gates(slo_file, "lab", "smoke"), _facts(_book([5.0] * 50)))
    assert [c.metric for c in checks if not c.passed] == ["achieved/offered rate"]


def test_an_expected_request_without_data_fails_instead_of_passing(slo_file: Path) -> None:
    facts = _facts(_book([5.0] * 100), expected=(ADD_CONTACT, IMPORT_END_TO_END))
    failed = [c.line() for c in evaluate(load_gates(slo_file, "lab", "smoke"), facts) if not c.passed]
    assert failed == ["FAIL import end-to-end p95: measured no data > limit 1,000 ms"]
