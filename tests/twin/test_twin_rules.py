"""The rule table reads a baseline's evidence into the choice the twin plays.

One behaviour per test, on baselines made by hand with only the facts it is
about. The table itself must cover the simulator: every assumption has rows
and every choice is reachable from one, so a new choice (or a new evidence
line) without its row fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from tests.tenant import TenantOptions, build_app
from tests.twin.baselines import answer, as_baseline, baseline_data, differs, failed, held, passed

from dialer_suite.contract.normalize import stable_fact
from dialer_suite.contract.twin.build import CANNOT, UNTESTED, Twin, read_twin
from dialer_suite.contract.twin.rules import RULES
from dialer_suite.http.pages import ListAnswer, ListPaging, Query
from dialer_suite.http.paging import read_whole_list
from dialer_suite.simulator import SimulatorConfig, assumptions
from dialer_suite.simulator.app import create_app
from dialer_suite.simulator.paging import SCHEMES


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
        ({"operations": {"updateContact": {"409": answer(by="generated data")}}},
         "dialing-writes", "409"),
    ],
    ids=["evidence-line", "evidence-and-key", "failure-line", "codes-all-400", "codes-rails",
         "generated-data-status"],
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


def test_what_a_person_set_wins_over_the_baseline() -> None:
    twin = _twin(assumptions={"job-id-location": held("held: job id found in Location header")},
                 tests={"test_burst_past_the_rate_limit_x": failed("100 requests … were all answered")})
    base = twin.config()
    config = twin.config(type(base)(rate_limit=5.0, assume={"auth-401": "403"}, vendor_profile="lean"),
                         given={"rate_limit", "assume"})
    assert (config.rate_limit, config.vendor_profile, config.twin) == (5.0, None, twin.play)
    assert config.choices["auth-401"] == "403" and config.choices["job-id-location"] == "location-only"


# -- list-pagination: which reading the whole-list reader's evidence fits ------------------


# A list within every default page, then one past the largest (as a run's lists grow).
_SIZES = (3, 150)


def _evidence_read_from(app: Any, campaign: int, auth: tuple[str, str]) -> list[str]:
    """The list-pagination lines a baseline keeps after the suite's reader read the list whole
    at each of ``_SIZES``, with one ``ListPaging`` as in a run."""
    path = f"/apps/api/v1/outbound_dialer/campaigns/{campaign}/contacts"
    paging, lines, added = ListPaging(), set(), 0
    with TestClient(app) as client:

        def fetch(query: Query) -> ListAnswer:
            got = client.get(path, params=dict(query), auth=auth)
            return ListAnswer(got.status_code, got.json(), got.headers, str(got.url))

        for size in _SIZES:
            for index in range(added, size):
                assert client.post(path, json={"phone_number": f"+1201555{index:04d}"}, auth=auth).is_success
            added = size
            listing = read_whole_list(fetch, paging, path)
            assert len(listing.contacts) == size
            lines |= {f"{'held' if kept else 'differs'}: {stable_fact(detail)}"
                      for kept, detail in listing.evidence}
    return sorted(lines)


def _paged(*evidence: str) -> Twin:
    state = held if all(text.startswith("held") for text in evidence) else differs
    return _twin(assumptions={"list-pagination": state(*evidence)})


@pytest.mark.parametrize("reading", list(SCHEMES))
def test_each_reading_of_the_list_is_played_again_from_what_the_reader_recorded_against_it(
    tmp_path: Path, reading: str
) -> None:
    app = create_app(SimulatorConfig(db_path=str(tmp_path / "sim.db"), rate_limit=None,
                                     assume={"list-pagination": reading}))
    evidence = _evidence_read_from(app, 1, ("acme", "dev-token"))
    twin = _paged(*evidence)
    assert twin.choices["list-pagination"] == reading, (evidence, _line(twin, "list-pagination"))


@pytest.mark.parametrize(("options", "reading"), [(TenantOptions(rate_limit=None), "both-conventions"),
                                                  (TenantOptions(rate_limit=None, paging="none"), "ignored")],
                         ids=["pages-by-default", "whole-list"])
def test_the_independent_tenants_paging_is_played_by_the_reading_that_pages_like_it(
    options: TenantOptions, reading: str
) -> None:
    auth = (options.username, options.token)
    evidence = _evidence_read_from(build_app(options), options.campaigns[0], auth)
    assert _paged(*evidence).choices["list-pagination"] == reading, evidence


def test_a_list_paged_by_default_taking_per_and_per_page_with_link_and_total_plays_both_conventions() -> None:
    twin = _paged("differs: without paging parameters only a first page is answered (25 per page)",
                  "held: per=<n> refused with 422", "held: pages asked with page and per=<n>",
                  "differs: the total in Total", 'held: Link rel="next" names the next page')
    assert twin.choices["list-pagination"] == "both-conventions", _line(twin, "list-pagination")


def test_a_list_paged_by_default_that_ignores_per_plays_the_bulk_user_api() -> None:
    twin = _paged("differs: without paging parameters only a first page is answered (25 per page)",
                  "differs: per is not honoured: pages keep the target's own size",
                  "held: pages asked with page and per_page=<n>", "differs: the total in Total",
                  'held: Link rel="next" names the next page')
    assert twin.choices["list-pagination"] == "bulk-user-api", _line(twin, "list-pagination")


def test_paging_evidence_too_thin_to_tell_readings_apart_plays_the_default() -> None:
    # Every list fitted one page: the whole list with its total fits first-page and
    # pages-by-default too, but nothing showed them.
    twin = _paged("held: without paging parameters the whole list is answered, as its total says",
                  "held: the total in X-Total-Count")
    assert twin.choices["list-pagination"] == "page-per", _line(twin, "list-pagination")


def test_paging_evidence_no_reading_produces_cannot_be_matched_and_names_the_line() -> None:
    refused = "differs: paging parameters refused with 400: the list is read without them"
    line = _line(_paged(refused, "differs: no total header"), "list-pagination")
    assert line.verdict == CANNOT and refused in line.plays and "plays page-per" in line.plays, line


def test_paging_evidence_each_line_of_which_some_reading_produces_but_no_one_all_cannot_be_matched() -> None:
    line = _line(_paged("differs: without paging parameters only a first page is answered (25 per page)",
                        "held: the total in X-Total-Count"), "list-pagination")
    assert line.verdict == CANNOT and "no one reading fits them all" in line.plays, line
