"""The data factory only hands out safe, distinct numbers, and says so when it runs out."""

from __future__ import annotations

import phonenumbers
import pytest

from dialer_suite.api.testdata import (
    PhoneFactory,
    fictional_capacity,
    make_contact,
    parse_number_range,
    punctuated_forms,
    run_tag,
)
from dialer_suite.config.settings import Settings
from dialer_suite.errors import UsageError


def _e164(number: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.E164)


def test_fictional_pool_holds_about_one_hundred_thousand_numbers() -> None:
    assert 95_000 <= fictional_capacity() <= 110_000


def test_every_fictional_number_is_valid_by_libphonenumber() -> None:
    numbers = PhoneFactory("validity").take(fictional_capacity())
    for number in numbers[::37]:
        assert phonenumbers.is_valid_number(phonenumbers.parse(number)), number


def test_factory_never_gives_the_same_number_twice() -> None:
    factory = PhoneFactory("distinct")
    numbers = factory.take(5000) + factory.take(5000)
    assert len(set(numbers)) == len(numbers)


def test_different_seeds_start_at_different_places() -> None:
    assert PhoneFactory("run-a").take(50) != PhoneFactory("run-b").take(50)


def test_running_out_of_fictional_numbers_asks_for_a_range() -> None:
    factory = PhoneFactory("exhaust", more_numbers=Settings.declared("phone_range").how())
    factory.take(fictional_capacity())
    assert factory.capacity == 0
    with pytest.raises(UsageError, match="DIALER_PHONE_RANGE"):
        factory.one()


def test_a_user_range_adds_its_numbers_first() -> None:
    factory = PhoneFactory(0, extra=parse_number_range("+15035550100:100"))
    assert factory.capacity == fictional_capacity() + 100


def test_loopback_factory_goes_past_the_fictional_pool_with_possible_numbers() -> None:
    factory = PhoneFactory("loopback", allow_possible=True)
    numbers = factory.take(fictional_capacity() + 1000)
    assert factory.capacity is None
    assert len(set(numbers)) == len(numbers)
    for number in numbers[-1000::50]:
        assert phonenumbers.is_possible_number(phonenumbers.parse(number)), number


@pytest.mark.parametrize("number", ["+12015550123", "+442079460123", "+61255501234"])
def test_punctuated_forms_are_the_same_number(number: str) -> None:
    forms = punctuated_forms(number)
    assert len(set(forms)) == len(forms) >= 2
    assert {_e164(form) for form in forms} == {number}


def test_north_american_numbers_have_the_vendor_dash_paren_form() -> None:
    assert "+1-(201)-555-0123" in punctuated_forms("+12015550123")


def test_contacts_carry_the_run_id_and_example_domains() -> None:
    contact = make_contact("abc123", 7, "+12015550123")
    assert contact["external_unique_id"].startswith(run_tag("abc123"))
    assert "abc123" in contact["name"]
    assert contact["email"].endswith("@example.com")


@pytest.mark.parametrize(
    "text", ["5035550100:100", "+15035550100", "+15035550100:0", "+15035550199-+15035550100", "+1503x"]
)
def test_bad_phone_ranges_are_refused_with_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="phone range"):
        parse_number_range(text)


def test_range_start_end_counts_inclusively() -> None:
    block = parse_number_range("+15035550100-+15035550199")
    assert block.count == 100
    assert block.number(0) == "+15035550100"
    assert block.number(99) == "+15035550199"
