"""Phone numbers for load workers."""

from __future__ import annotations

import phonenumbers
import pytest

from dialer_suite.api.testdata import fictional_blocks
from dialer_suite.load.phones import PhoneSource


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
