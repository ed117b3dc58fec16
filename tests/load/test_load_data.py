"""Phone numbers for load workers, and where an import's 202 names its job."""

from __future__ import annotations

import phonenumbers
import pytest

from dialer_suite.load.importjob import job_id_of
from dialer_suite.load.phones import PhoneSource
from dialer_suite.testdata import fictional_blocks


@pytest.mark.parametrize("loopback", [True, False])
def test_workers_never_hand_out_the_same_number(loopback: bool) -> None:
    sources = [PhoneSource(loopback=loopback, run_id="r1", worker=w, workers=3) for w in range(3)]
    numbers = [number for source in sources for number in source.take(300)]
    assert len(set(numbers)) == len(numbers)


def test_loopback_numbers_are_possible_numbers() -> None:
    for number in PhoneSource(loopback=True, run_id="r2").take(200):
        assert phonenumbers.is_possible_number(phonenumbers.parse(number)), number


def test_numbers_for_a_real_target_are_fictional() -> None:
    prefixes = tuple(block.prefix for block in fictional_blocks())
    for number in PhoneSource(loopback=False, run_id="r3", worker=1, workers=2).take(50):
        assert number.startswith(prefixes), number


@pytest.mark.parametrize(
    ("body", "headers", "job_id"),
    [
        ({"id": 530, "status": "in_progress"}, {}, 530),
        ({"job_id": 7}, {}, 7),
        (None, {"X-Job-Id": "12"}, 12),
        (None, {"location": "/apps/api/v1/outbound_dialer/campaigns/1/contacts/jobs/44"}, 44),
        (None, {}, None),
        ({"id": True}, {}, None),
    ],
)
def test_the_job_id_is_found_wherever_the_202_puts_it(
    body: object, headers: dict, job_id: int | None
) -> None:
    assert job_id_of(body, headers) == job_id
