"""SLO gates: the file format, and checks that name what was measured against which limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer_suite.errors import UsageError
from dialer_suite.load.book import Book
from dialer_suite.load.names import ADD_CONTACT, IMPORT_END_TO_END
from dialer_suite.load.runner import load_tests_dir
from dialer_suite.load.slo import Facts, evaluate, load_gates

SLO = """
[default]
max_failure_ratio = 0.01
min_rps_of_offered = 0.9
[default.requests.addContact]
p95_ms = 100
p99_ms = 200
[default.import]
end_to_end_p95_ms = 1000
[profile.stress]
min_knee_rps = 50
[profile.stress.requests.addContact]
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
    gates = load_gates(slo_file, "stress")
    assert gates.requests[ADD_CONTACT] == {"p95_ms": 300.0, "p99_ms": 200.0}
    assert gates.min_knee_rps == 50.0


def test_the_shipped_slo_file_loads_for_every_profile() -> None:
    from dialer_suite.load.profiles import PROFILE_NAMES

    for profile in PROFILE_NAMES:
        assert load_gates(load_tests_dir() / "slo.toml", profile).total


def test_an_unknown_key_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "slo.toml"
    path.write_text("[default.requests.addContact]\np95 = 3\n")
    with pytest.raises(UsageError, match="p95"):
        load_gates(path, "smoke")


def test_a_fast_clean_run_passes_every_check(slo_file: Path) -> None:
    checks = evaluate(load_gates(slo_file, "smoke"), _facts(_book([5.0] * 100)))
    assert checks and all(check.passed for check in checks), [c.line() for c in checks]


def test_a_slow_run_fails_the_percentile_with_measured_and_limit(slo_file: Path) -> None:
    checks = evaluate(load_gates(slo_file, "smoke"), _facts(_book([5.0] * 90 + [400.0] * 10)))
    failed = [check.line() for check in checks if not check.passed]
    assert failed == [
        "FAIL addContact p95: measured 400.1 ms > limit 100 ms",
        "FAIL addContact p99: measured 400.1 ms > limit 200 ms",
    ]


def test_failures_breach_the_failure_ratio(slo_file: Path) -> None:
    checks = evaluate(load_gates(slo_file, "smoke"), _facts(_book([5.0] * 100, failures=5)))
    assert [c.metric for c in checks if not c.passed] == ["failure ratio"]


def test_an_achieved_rate_below_the_offered_one_fails(slo_file: Path) -> None:
    checks = evaluate(load_gates(slo_file, "smoke"), _facts(_book([5.0] * 50)))
    assert [c.metric for c in checks if not c.passed] == ["achieved/offered rate"]


def test_an_expected_request_without_data_fails_instead_of_passing(slo_file: Path) -> None:
    facts = _facts(_book([5.0] * 100), expected=(ADD_CONTACT, IMPORT_END_TO_END))
    failed = [c.line() for c in evaluate(load_gates(slo_file, "smoke"), facts) if not c.passed]
    assert failed == ["FAIL import end-to-end p95: measured no data > limit 1,000 ms"]
