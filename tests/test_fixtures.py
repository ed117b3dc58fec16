"""Each fixture file is valid, or invalid in exactly the way its name says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

from dialer_suite.api import speccheck
from dialer_suite.api.spec import load_spec, schema_validator
from dialer_suite.api.testdata import EXAMPLE_DOMAINS, fictional_blocks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IMPORTS = FIXTURES / "imports"
CONTACT_SCHEMA = {"$ref": "#/components/schemas/ContactInput"}


def _load(name: str) -> Any:
    return json.loads((IMPORTS / name).read_text(encoding="utf-8"))


def _is_fictional(phone: str) -> bool:
    e164 = phonenumbers.format_number(phonenumbers.parse(phone), phonenumbers.PhoneNumberFormat.E164)
    return any(
        e164.startswith(block.prefix)
        and len(e164) == len(block.prefix) + block.width
        and block.first <= int(e164[len(block.prefix) :]) < block.first + block.count
        for block in fictional_blocks()
    )


def _is_possible(phone: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return False


def _assert_safe_and_schema_valid(contacts: list[dict[str, Any]]) -> None:
    validator = schema_validator(CONTACT_SCHEMA)
    for contact in contacts:
        assert list(validator.iter_errors(contact)) == [], contact
        assert contact["email"].rsplit("@", 1)[1] in EXAMPLE_DOMAINS, contact
        assert _is_fictional(contact["outbound_number"]), contact


def test_documented_fixtures_equal_the_examples_embedded_in_the_spec() -> None:
    embedded = {
        f"{op}.{where}.{name}.json": value
        for op, where, name, value, _ in speccheck.iter_examples(load_spec())
    }
    on_disk = {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in (FIXTURES / "documented").glob("*.json")
    }
    assert on_disk == embedded


def test_valid_file_holds_ten_valid_fictional_contacts() -> None:
    contacts = _load("valid-10.json")
    assert len(contacts) == 10
    _assert_safe_and_schema_valid(contacts)
    assert all(_is_fictional(contact["phone_number"]) for contact in contacts)
    assert len({contact["phone_number"] for contact in contacts}) == 10


def test_duplicate_phone_file_repeats_exactly_one_number_in_another_format() -> None:
    contacts = _load("duplicate-phone.json")
    _assert_safe_and_schema_valid(contacts)
    normalized = [
        phonenumbers.format_number(phonenumbers.parse(c["phone_number"]), phonenumbers.PhoneNumberFormat.E164)
        for c in contacts
    ]
    assert len(normalized) - len(set(normalized)) == 1
    assert len({c["phone_number"] for c in contacts}) == len(contacts), (
        "the repeat must be written differently"
    )


def test_invalid_phones_file_is_invalid_only_in_the_marked_phones() -> None:
    contacts = _load("invalid-phones.json")
    _assert_safe_and_schema_valid(contacts)
    marked = [c for c in contacts if c["external_unique_id"].endswith("-invalid-phone")]
    assert marked and len(marked) < len(contacts)
    for contact in contacts:
        expected_possible = contact not in marked
        assert _is_possible(contact["phone_number"]) is expected_possible, contact
        if expected_possible:
            assert _is_fictional(contact["phone_number"]), contact


def test_empty_array_file_is_an_empty_array() -> None:
    assert _load("empty-array.json") == []


def test_not_an_array_file_is_an_object_wrapping_valid_contacts() -> None:
    document = _load("not-an-array.json")
    assert isinstance(document, dict)
    _assert_safe_and_schema_valid(document["contacts"])


def test_malformed_file_is_not_json() -> None:
    with pytest.raises(json.JSONDecodeError):
        _load("malformed.json")


def test_committed_fixtures_are_what_the_generator_writes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("fixtures_generate", FIXTURES / "generate.py")
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    for name, content in generate.small_fixtures().items():
        text = content if isinstance(content, str) else json.dumps(content, indent=2)
        assert (IMPORTS / name).read_text(encoding="utf-8") == text + "\n", name
