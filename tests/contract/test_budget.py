"""The plan printed before the first test: what the selected tests will cost the target."""

from __future__ import annotations

from typing import Any, cast

import pytest

from dialer_suite.config.settings import load_settings
from dialer_suite.contract.budget import plan

TENANT = {"DIALER_BASE_URL": "https://vendor.test/apps/api/v1", "DIALER_API_TOKEN": "t"}


class _Item:
    """Enough of a pytest item for the plan: a name and marks (``cost`` with its kwargs)."""

    def __init__(self, name: str, *marks: str, **cost: Any) -> None:
        self.name = name
        self.marks: dict[str, Any] = {mark: getattr(pytest.mark, mark).mark for mark in marks}
        if cost:
            self.marks["cost"] = pytest.mark.cost(**cost).mark

    def get_closest_marker(self, name: str) -> Any:
        return self.marks.get(name)


def _plan(items: list[_Item], **environ: str) -> Any:
    settings = load_settings(environ={**TENANT, **environ}, config_path=None)
    return plan(cast(list[pytest.Item], items), settings)


def test_a_read_only_run_costs_its_requests_and_writes_nothing() -> None:
    read_only = _plan([_Item("test_read")])
    assert (read_only.requests, read_only.contacts) == (6, 0)


def test_skipped_tests_cost_nothing() -> None:
    assert _plan([_Item("test_w", "writes", "skip")]).requests == 0


def test_the_large_import_costs_its_size_and_the_cleanup_a_delete_per_contact() -> None:
    large = _Item("test_large", "writes", requests=6, contacts="large_import_size")
    small, big = _plan([large]), _plan([large], DIALER_LARGE_IMPORT_SIZE="500")
    assert (small.contacts, big.contacts) == (105 + 4, 500 + 4)
    # A DELETE per contact, and the listings of both campaigns, a page per 100 contacts.
    assert big.requests - small.requests == 395 + 2 * (6 - 2)


def test_generated_tests_cost_their_examples_and_the_minutes_follow_the_pace() -> None:
    adds = _Item("test_valid[POST /outbound_dialer/campaigns/{campaign_id}/contacts]", "property", "writes",
                 requests_per_example=3, contacts_per_example=0.5)
    reads = _Item("test_valid[GET /outbound_dialer/campaigns/{campaign_id}/contacts]", "property",
                  requests_per_example=2, contacts_per_example=0.5)
    few, more = _plan([adds, reads], DIALER_MAX_EXAMPLES="4"), _plan([adds, reads], DIALER_MAX_EXAMPLES="40")
    assert more.requests - few.requests == 36 * (3 + 2) + 18 + 2 * (1 - 1), "examples, and a DELETE each"
    assert (few.contacts, more.contacts) == (2 + 4, 20 + 4), "only adds and imports write"
    assert _plan([adds], DIALER_RATE_LIMIT="1").minutes == pytest.approx(
        _plan([adds], DIALER_RATE_LIMIT="10").minutes * 10)


def test_the_embedded_simulator_is_discarded_with_its_contacts_not_cleaned_up() -> None:
    writes = [_Item("test_w", "writes")]
    tenant = _plan(writes)
    embedded = plan(cast(list[pytest.Item], writes), load_settings(environ={}, config_path=None))
    assert tenant.requests - embedded.requests == tenant.contacts + 2
    assert "discarded with the simulator" in embedded.line("the embedded simulator")
    assert "under a minute" in embedded.line("the embedded simulator")
