"""What a baseline observed, asked one fact at a time: the material the twin's rules read.

A baseline (``contract.baseline``) keeps, per ``x-assumption``, a state and
evidence lines; per test its outcome and normalised failure line; per
operation and status code the keys, headers and broken shapes scenarios saw.
A twin rule asks a question of that ("did a delete naming several keys answer
404?"), and ``Signal``s are those questions: each answers with the fact it
found, as the line ``baseline explain`` shows, or None.

Facts only generated data saw (a sampled campaign, property tests) are used
too: a baseline never *judges* by them, but they are still what the target
did, and the twin may as well do it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dialer_suite.contract.facts import DRIFT, GENERATED, KEYS, SCENARIOS

# A question about the baseline: the fact that answers it (one line), or None.
Signal = Callable[["Observed"], str | None]


@dataclass(frozen=True)
class Observed:
    """A loaded baseline's data, with the questions the twin's rules ask of it."""

    data: Mapping[str, Any]

    def state(self, assumption_id: str) -> str:
        """held, differs or untested, as recorded (untested when the baseline does not name it)."""
        return str(self.data["assumptions"].get(assumption_id, {}).get("state", "untested"))

    def generated_state(self, assumption_id: str) -> str:
        """What generated data alone showed of it (untested when nothing)."""
        return str(self.data["assumptions"].get(assumption_id, {}).get(GENERATED, "untested"))

    def evidence(self, assumption_id: str) -> list[str]:
        return list(self.data["assumptions"].get(assumption_id, {}).get("evidence", ()))

    def tests(self, part: str) -> list[tuple[str, Mapping[str, Any]]]:
        """The tests that ran whose node id contains ``part``: (node id, entry)."""
        return [(nodeid, entry) for nodeid, entry in sorted(self.data["tests"].items())
                if part in nodeid and entry["outcome"] != "skipped"]

    def answers(self, operation_id: str) -> Mapping[str, Mapping[str, Any]]:
        """Status code → what was seen of that answer, for ``operation_id``."""
        found: Mapping[str, Mapping[str, Any]] = self.data["operations"].get(operation_id, {})
        return found

    def answered(self, operation_id: str, status: str) -> bool:
        return status in self.answers(operation_id)

    def by_scenarios(self, operation_id: str, status: str) -> Mapping[str, Any] | None:
        """The answer as scenarios saw it (its keys, headers, shapes), None if they did not."""
        entry = self.answers(operation_id).get(status)
        return entry if entry is not None and entry["by"] == SCENARIOS else None

    def keys(self, operation_id: str, status: str) -> set[str] | None:
        """Every key path scenarios saw in the answer (the spec's and drift), None if unseen."""
        entry = self.by_scenarios(operation_id, status)
        if entry is None or KEYS not in entry:
            return None
        return set(entry[KEYS]) | set(entry.get(DRIFT, ()))

    @property
    def contact_statuses(self) -> list[str]:
        return sorted(self.data["contact_statuses"])


# -- the questions ---------------------------------------------------------------------


def line(assumption_id: str, text: str) -> Signal:
    """An evidence line of ``assumption_id`` that starts with ``text``."""

    def ask(seen: Observed) -> str | None:
        return next((found for found in seen.evidence(assumption_id) if found.startswith(text)), None)

    return ask


def failed(test: str, text: str = "", *, about: tuple[str, ...] | None = None) -> Signal:
    """A test (node id containing ``test``) that failed with ``text`` in its failure line (and,
    given ``about``, filed under exactly those assumption ids: not for another reason first)."""

    def ask(seen: Observed) -> str | None:
        for nodeid, entry in seen.tests(test):
            fact = str(entry.get("fact", ""))
            filed = about is None or sorted(entry.get("assumptions", ())) == sorted(about)
            if entry["outcome"] == "failed" and text in fact and filed:
                return f"{_name(nodeid)} failed: {fact}" if fact else f"{_name(nodeid)} failed"
        return None

    return ask


def passed(test: str) -> Signal:
    """Every test whose node id contains ``test`` ran and passed (at least one did)."""

    def ask(seen: Observed) -> str | None:
        ran = seen.tests(test)
        if ran and all(entry["outcome"] == "passed" for _, entry in ran):
            return f"{_name(ran[0][0]) if len(ran) == 1 else test + '…'} passed"
        return None

    return ask


def answered(operation_id: str, status: str) -> Signal:
    """``operation_id`` answered ``status`` at least once (scenarios or generated data)."""

    def ask(seen: Observed) -> str | None:
        return f"{operation_id} answered {status}" if seen.answered(operation_id, status) else None

    return ask


def key(operation_id: str, status: str, path: str, present: bool = True) -> Signal:
    """Scenarios saw the answer's keys, with (or without) the key path ``path``."""

    def ask(seen: Observed) -> str | None:
        found = seen.keys(operation_id, status)
        if found is None or (path in found) != present:
            return None
        return f"{operation_id} {status} {'with' if present else 'without'} key {path}"

    return ask


def broke(assumption_id: str, text: str) -> Signal:
    """An answer seen by scenarios broke an assumed shape of ``assumption_id``, saying ``text``."""

    def ask(seen: Observed) -> str | None:
        for answers in seen.data["operations"].values():
            for entry in answers.values():
                for shape in entry.get("shapes", ()):
                    if assumption_id in shape.split("] ")[0] and text in shape:
                        return shape
        return None

    return ask


def codes(expected: Mapping[str, int]) -> Signal:
    """Each kind of bad request (tests named ``part``) was answered the status ``expected`` says.

    A test that passed got the status it expects (the number in its name), one that
    failed says what it got; a request carried out (2xx) says nothing of codes.
    At least one kind must have answered.
    """

    def ask(seen: Observed) -> str | None:
        shown = []
        for part, status in expected.items():
            got = set()
            for nodeid, entry in seen.tests(part):
                fact = str(entry.get("fact", ""))
                if entry["outcome"] == "passed":
                    got.add(_expected_status(nodeid))
                elif "carried it out" not in fact and ", got " in fact:
                    got.add(int(fact.rpartition(", got ")[2][:3]))
            if got and got != {status}:
                return None
            if got:
                shown.append(f"{_KINDS.get(part, part)}: {status}")
        return "; ".join(shown) or None

    return ask


_KINDS = {
    "refused_with_400": "a body that is not JSON",
    "refused_with_415": "a body not sent as JSON",
    "import_not_sent_as_a_form": "an import not sent as a form",
    "update_to_a_phone_already": "an update to a phone taken",
    "page_number_that_cannot_be_one": "page 0",
}


def _expected_status(nodeid: str) -> int:
    """The status a refusal test expects: the one its name ends with (``…_with_415``), else 422
    (an update to a phone already taken)."""
    found = re.search(r"_([45][0-9]{2})(?:\[|$)", nodeid)
    return int(found.group(1)) if found else 422


def every(*signals: Signal) -> Signal:
    """All of ``signals``: their facts joined with ``; ``."""

    def ask(seen: Observed) -> str | None:
        found = [signal(seen) for signal in signals]
        return None if any(fact is None for fact in found) else "; ".join(str(f) for f in found)

    return ask


def either(*signals: Signal) -> Signal:
    """The first of ``signals`` that finds its fact."""

    def ask(seen: Observed) -> str | None:
        return next((fact for fact in (signal(seen) for signal in signals) if fact is not None), None)

    return ask


def _name(nodeid: str) -> str:
    return nodeid.rpartition("::")[2]
