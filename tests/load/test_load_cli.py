"""The ``load`` command's own arguments."""

from __future__ import annotations

import pytest

from dialer_suite.errors import UsageError
from dialer_suite.load.cli import parse_duration
from dialer_suite.load.runner import locustfile_for


@pytest.mark.parametrize(("text", "seconds"), [("90", 90.0), ("90s", 90.0), ("2.5m", 150.0), ("2h", 7200.0)])
def test_durations_take_seconds_minutes_or_hours(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5 days", "-3s", "1e3"])
def test_a_malformed_duration_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--duration"):
        parse_duration(text)


def test_every_shipped_scenario_has_a_locustfile() -> None:
    from dialer_suite.load.profiles import SCENARIOS

    for scenario in SCENARIOS:
        assert locustfile_for(scenario).is_file()


def test_an_unknown_scenario_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"add_contact.*mix"):
        locustfile_for("nosuch")
