"""The rule table reads a baseline's evidence into the choice the twin plays.

One behaviour per test, on baselines made by hand with only the facts it is
about. The table itself must cover the simulator: every assumption has rows
and every choice is reachable from one, so a new choice (or a new evidence
line) without its row fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.twin.baselines import answer, as_baseline, baseline_data, differs, failed, held, passed

from dialer_suite.contract.twin.build import CANNOT, UNTESTED, Twin, read_twin
from dialer_suite.contract.twin.rules import RULES
from dialer_suite.simulator import assumptions


def _twin(**facts: Any) -> Twin:
    return read_twin(as_baseline(baseline_data(**facts)))


def _line(twin: Twin, subject: str) -> Any:
    return next(found for found in twin.lines if found.subject == subject)


def test_every_assumption_of_the_simulator_has_rows_and_every_choice_a_row_that_plays_it() -> None:
    unreachable = {
        f"{assumption_id}={choice}"
        for assumption_id, declared in assumptions.catalog().items() for choice in declared.choices
        if not any(choice == row.choice or choice in row.alike for row in RULES.get(assumption_id, ()))
    }
    assert not unreachable, f"choices no row of contract/twin/rules.py plays: {sorted(unreachable)}"


def test_every_row_names_a_choice_its_assumption_has() -> None:
    catalog = assumptions.catalog()
    wrong = [f"{i}: {row.choice} {row.alike}" for i, rows in RULES.items() for row in rows
             if i not in catalog or not {row.choice, *row.alike} <= set(catalog[i].choices)]
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("facts", "assumption_id", "choice"),
    [
        ({"assumptions": {"job-id-location": held("held: job id found in X-Job-Id header")}},
         "job-id-location", "x-job-id"),
        ({"assumptions": {"job-id-location": held("held: job id found in body job_id")},
          "operations": {"importContacts": {"202": answer(["job_id", "status"])}}},
         "job-id-location", "body-job-id-status"),
        ({"tests": {"test_delete_naming_several_keys_x": failed("deleteContact: expected 200, got 404")}},
         "delete-key-precedence", "all-must-match"),
        ({"tests": {"test_a_body_not_sent_as_json_is_refused_with_415[addContact]":
                    failed("addContact: expected 415 (Content-Type text/plain), got 400"),
                    "test_a_body_that_is_not_json_is_refused_with_400[addContact]": passed()}},
         "error-codes", "all-400"),
        ({"tests": {"test_a_body_that_is_not_json_is_refused_with_400[addContact]": passed(),
                    "test_a_body_not_sent_as_json_is_refused_with_415[addContact]": passed()}},
         "error-codes", "rails"),
        ({"assumptions": {"list-pagination": differs("differs: no X-Total-Count header")},
          "tests": {"test_a_page_number_that_cannot_be_one_is_refused_with_422":
                    failed("listContacts: expected 422 (page 0), got 200: the target carried it out")}},
         "list-pagination", "ignored"),
        ({"assumptions": {"list-pagination": differs("differs: no X-Total-Count header")},
          "tests": {"test_list_without_paging_holds_every_contact": passed()}},
         "list-pagination", "no-total"),
        ({"operations": {"updateContact": {"409": answer(by="generated data")}}},
         "dialing-writes", "409"),
    ],
    ids=["evidence-line", "evidence-and-key", "failure-line", "codes-all-400", "codes-rails",
         "paging-ignored", "paging-no-total", "generated-data-status"],
)
def test_the_first_row_whose_evidence_is_in_the_baseline_decides_the_choice(
    facts: dict[str, Any], assumption_id: str, choice: str
) -> None:
    twin = _twin(**facts)
    assert twin.choices[assumption_id] == choice, _line(twin, assumption_id)


def test_a_choice_the_suite_cannot_tell_from_another_names_the_other() -> None:
    twin = _twin(tests={"test_delete_naming_several_keys_x": failed(
        "DELETE {…} answered record <n>, expected contact <n>")})
    assert twin.choices["delete-key-precedence"] == "phone-first"
    assert "external-id-first would answer the suite the same" in _line(twin, "delete-key-precedence").plays


def test_no_429_in_a_whole_burst_makes_a_twin_without_a_rate_limit() -> None:
    twin = _twin(tests={"test_burst_past_the_rate_limit_is_answered_429_with_retry_after": failed(
        "100 requests in a burst (limit 10/s) were all answered [<n>]; expected some <n>")})
    assert twin.config().rate_limit is None
    assert _line(twin, "rate limit").plays == "no rate limit"


def test_an_untested_assumption_plays_the_default_and_is_listed_untested() -> None:
    twin = _twin()
    line = _line(twin, "job-statuses")
    assert (twin.choices["job-statuses"], line.verdict) == ("examples", UNTESTED)
    assert "job-statuses" in {found.subject for found in twin.subjects(UNTESTED)}


def test_an_assumption_that_differs_in_a_way_no_choice_plays_cannot_be_matched() -> None:
    twin = _twin(assumptions={"job-counts": differs("differs: the counts are strings")})
    line = _line(twin, "job-counts")
    assert line.verdict == CANNOT and "the counts are strings" in line.observed, line
    assert twin.choices["job-counts"] == "counts" and "plays counts (the default)" in line.plays


def test_a_list_paged_by_default_without_x_total_count_is_no_reading_the_simulator_plays() -> None:
    twin = _twin(assumptions={"list-pagination": differs("differs: no X-Total-Count header")},
                 tests={"test_list_without_paging_holds_every_contact": failed(
                     "listContacts without page/per answered 25 contacts; <n> … missing", "list-pagination")})
    line = _line(twin, "list-pagination")
    assert line.verdict == CANNOT and "answered 25 contacts" in line.observed, line


def test_what_a_person_set_wins_over_the_baseline() -> None:
    twin = _twin(assumptions={"job-id-location": held("held: job id found in Location header")},
                 tests={"test_burst_past_the_rate_limit_x": failed("100 requests … were all answered")})
    base = twin.config()
    config = twin.config(type(base)(rate_limit=5.0, assume={"auth-401": "403"}, vendor_profile="lean"),
                         given={"rate_limit", "assume"})
    assert (config.rate_limit, config.vendor_profile, config.twin) == (5.0, None, twin.play)
    assert config.choices["auth-401"] == "403" and config.choices["job-id-location"] == "location-only"
