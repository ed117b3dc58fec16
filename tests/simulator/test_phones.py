"""Phone and email rules: the fast path must agree with libphonenumber everywhere it applies."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer_suite.api.testdata import PhoneFactory, punctuated_forms
from dialer_suite.simulator.phones import _normalize_slowly, is_email, normalize_phone

_DIGITS = st.text("0123456789", min_size=10, max_size=10)


_FORMS = st.sampled_from(["+1{}{}{}", "+1 {}-{}-{}", "+1-({})-{}-{}"])


@given(_DIGITS, _FORMS)
@settings(max_examples=500, deadline=None)
def test_fast_path_agrees_with_libphonenumber(digits: str, form: str) -> None:
    text = form.format(digits[:3], digits[3:6], digits[6:])
    assert normalize_phone(text) == _normalize_slowly.__wrapped__(text), text


@pytest.mark.parametrize("text", ["+1 111-111-1111", "+1 760-867-5309", "+1-(201)-471-6992"])
def test_every_documented_number_is_accepted(text: str) -> None:
    assert normalize_phone(text) is not None


def test_all_forms_of_a_number_normalize_to_its_e164() -> None:
    for e164 in PhoneFactory(seed=3).take(20):
        assert {normalize_phone(form) for form in punctuated_forms(e164)} == {e164}


@pytest.mark.parametrize("text", ["", "abc", "+1", "12", "+1201555012", "+999 1234", "😀", "+" + "1" * 300])
def test_impossible_numbers_are_refused(text: str) -> None:
    assert normalize_phone(text) is None


@pytest.mark.parametrize(
    "text", ["customer@somedomain.com", "a.b+c@example.co.uk", "!#$%&'*+-/=?^_`{|}~@a.io"]
)
def test_ordinary_emails_are_accepted(text: str) -> None:
    assert is_email(text)


@pytest.mark.parametrize(
    "text", ["", "no-at-sign", "a@b", "a b@example.com", "a@@example.com", "@example.com"]
)
def test_non_emails_are_refused(text: str) -> None:
    assert not is_email(text)
