"""Reading a whole list however the target pages it: ``http.paging.read_whole_list``.

A fake target, written apart from the simulator's schemes, pages a list of
contacts the ways vendors do (by default or not, ``per`` or ``per_page``,
refused or cut page sizes, ``Link`` absolute or relative, ``Total`` or
``X-Total-Count``); every test reads it whole and says what it took.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest

from dialer_suite.http.pages import ListAnswer, ListPaging, is_refusal, next_link
from dialer_suite.http.paging import ListingProblem, read_whole_list

RESOURCE = "/outbound_dialer/campaigns/11/contacts"
URL = "http://127.0.0.1:9000/apps/api/v1" + RESOURCE


@dataclass
class FakeTarget:
    """A list of ``size`` contacts, paged as told; ``asked`` keeps every query it was sent."""

    size: int
    names: tuple[str, ...] = ("per", "per_page")
    default: int | None = None  # the page answered without parameters; None: the whole list
    cap: int = 100
    clamp: bool = False
    total: str | None = "X-Total-Count"
    link: str | None = None  # "absolute" (another host: a tunnel), "relative", or None
    per_page_header: bool = False
    refuse_all: bool = False
    asked: list[dict[str, Any]] = field(default_factory=list)

    def fetch(self, query: Mapping[str, Any]) -> ListAnswer:
        self.asked.append(dict(query))
        contacts = [{"id": i, "phone_number": f"+1201555{i:04d}"} for i in range(self.size)]
        if self.refuse_all and query:
            return self._refused(query)
        asked = [(name, int(query[name])) for name in self.names if name in query]
        if any(size > self.cap for _, size in asked) and not self.clamp:
            return self._refused(query)
        if "page" not in query and not asked and self.default is None:
            return ListAnswer(200, contacts, self._total(), URL)
        name, size = asked[0] if asked else (self.names[0], self.default or self.cap)
        size, page = min(size, self.cap), int(query.get("page", 1))
        headers = self._total()
        if self.per_page_header:
            headers["Per-Page"] = str(size)
        if self.link and page * size < self.size:
            where = "https://acme.example.com/apps/api/v1" + RESOURCE if self.link == "absolute" else RESOURCE
            headers["Link"] = f'<{where}?{urlencode({"page": page + 1, name: size})}>; rel="next"'
        return ListAnswer(200, contacts[(page - 1) * size: page * size], headers, URL)

    def _total(self) -> dict[str, str]:
        return {self.total: str(self.size)} if self.total else {}

    def _refused(self, query: Mapping[str, Any]) -> ListAnswer:
        assert is_refusal(query, 422)
        return ListAnswer(422, {"message": "no"}, {}, URL)


def _read(target: FakeTarget, paging: ListPaging | None = None) -> list[dict[str, Any]]:
    return read_whole_list(target.fetch, paging or ListPaging(), RESOURCE).contacts


def _ids(contacts: list[dict[str, Any]]) -> list[int]:
    return [contact["id"] for contact in contacts]


def test_an_answer_whose_total_agrees_and_names_no_next_page_is_read_in_one_request() -> None:
    target = FakeTarget(150)
    assert _ids(_read(target)) == list(range(150))
    assert target.asked == [{}]


def test_a_list_that_pages_by_default_is_read_whole_with_the_size_it_takes() -> None:
    target = FakeTarget(250, default=25, total="Total", link="absolute", per_page_header=True)
    assert _ids(_read(target)) == list(range(250))
    assert target.asked[:3] == [{}, {"page": 1, "per": 1000}, {"page": 1, "per": 100}]
    assert target.asked[3:] == [{"page": "2", "per": "100"}, {"page": "3", "per": "100"}]


def test_refused_page_sizes_are_stepped_down_before_paging_is_given_up() -> None:
    target = FakeTarget(120, default=25, cap=25)
    assert _ids(_read(target)) == list(range(120))
    assert [q.get("per") for q in target.asked[1:5]] == [1000, 100, 50, 25]


def test_per_page_is_asked_when_per_is_not_honoured() -> None:
    target = FakeTarget(60, names=("per_page",), default=10, total="Total", link="absolute",
                        per_page_header=True)
    paging = ListPaging()
    assert _ids(_read(target, paging)) == list(range(60))
    assert paging.size == ("per_page", 100) and paging.not_honoured == {"per"}


def test_relative_links_and_cut_pages_without_a_total_are_followed_to_the_end() -> None:
    target = FakeTarget(230, names=("per",), default=20, clamp=True, total=None, link="relative")
    assert _ids(_read(target)) == list(range(230))


def test_a_link_is_followed_on_our_own_base_only_as_a_page_of_the_same_list() -> None:
    elsewhere = {"Link": '<https://elsewhere.example/admin/users?page=2>; rel="next"'}
    answer = ListAnswer(200, [{"id": 1}], elsewhere, URL)
    with pytest.raises(ListingProblem, match="not a page of this list"):
        read_whole_list(lambda query: answer, ListPaging(), RESOURCE)


def test_an_answer_that_says_there_is_more_is_never_taken_for_the_whole_list() -> None:
    target = FakeTarget(120, default=25, refuse_all=True)
    with pytest.raises(ListingProblem, match="holds 25 of the 120 contacts its X-Total-Count counts"):
        _read(target)


def test_a_target_that_refuses_paging_parameters_is_read_by_its_links() -> None:
    contacts = [{"id": i} for i in range(70)]

    def fetch(query: Mapping[str, Any]) -> ListAnswer:
        if {"page", "per", "per_page"} & set(query):
            return ListAnswer(400, None, {}, URL)
        start = int(query.get("cursor", 0))
        more = {"Link": f'<{RESOURCE}?cursor={start + 25}>; rel="next"'} if start + 25 < 70 else {}
        return ListAnswer(200, contacts[start:start + 25], {"Total": "70", **more}, URL)

    paging = ListPaging()
    assert _ids(read_whole_list(fetch, paging, RESOURCE).contacts) == list(range(70))
    assert paging.refuses_paging == 400


def test_pages_that_do_not_reach_the_total_fail_naming_both() -> None:
    target = FakeTarget(50, default=25, total="Total")
    target.size, shown = 50, target.fetch

    def fetch(query: Mapping[str, Any]) -> ListAnswer:
        answer = shown(query)
        return ListAnswer(answer.status, answer.body, {**answer.headers, "Total": "60"}, answer.url)

    with pytest.raises(ListingProblem, match="Total says 60 contacts but the pages held 50"):
        read_whole_list(fetch, ListPaging(), RESOURCE)


def test_a_list_without_end_is_bounded_in_answers() -> None:
    counter = iter(range(10**6))

    def fetch(query: Mapping[str, Any]) -> ListAnswer:
        item = next(counter)
        return ListAnswer(200, [{"id": item}], {"Link": f'<{RESOURCE}?page={item + 1}>; rel="next"'}, URL)

    with pytest.raises(ListingProblem, match="after 7 answers"):
        read_whole_list(fetch, ListPaging(), RESOURCE, max_pages=7)


def test_a_list_without_end_is_bounded_in_time() -> None:
    now = iter(range(0, 10**6, 10))
    target = FakeTarget(10**4, default=1, total=None, link="relative")
    with pytest.raises(ListingProblem, match="the time limit"):
        read_whole_list(target.fetch, ListPaging(), RESOURCE, max_seconds=100,
                        clock=lambda: float(next(now)))


def test_what_one_read_learnt_saves_the_next_its_questions() -> None:
    target = FakeTarget(40, default=25, total="Total", link="absolute")
    paging = ListPaging()
    _read(target, paging)
    target.asked.clear()
    assert _ids(_read(target, paging)) == list(range(40))
    assert target.asked == [{"page": 1, "per": 100}]


def test_the_evidence_says_how_the_target_pages() -> None:
    target = FakeTarget(30, default=25, total="Total", link="absolute", per_page_header=True)
    listing = read_whole_list(target.fetch, ListPaging(), RESOURCE)
    assert listing.evidence == (
        (False, "without paging parameters only a first page is answered (25 per page)"),
        (True, "per=1000 refused with 422"),
        (True, "pages asked with page and per=100"),
        (False, "the total in Total"),
        (True, 'Link rel="next" names the next page'),
    )


def test_a_whole_list_with_its_total_is_evidence_that_the_assumption_held() -> None:
    listing = read_whole_list(FakeTarget(3).fetch, ListPaging(), RESOURCE)
    assert all(held for held, _ in listing.evidence), listing.evidence


@pytest.mark.parametrize(("header", "expected"), [
    ('<https://a.example/x?page=2>; rel="next"', "https://a.example/x?page=2"),
    ('<https://a.example/x?page=1>; rel="prev", </x?page=3>; rel=next', "/x?page=3"),
    ('</x?page=9>; rel="last", </x?page=2>; rel="next last"', "/x?page=2"),
    ('</x?page=1>; rel="first"', None),
    ("", None),
])
def test_the_next_link_is_read_from_a_link_header(header: str, expected: str | None) -> None:
    assert next_link(header) == expected
