"""A baseline read into a twin: the choice played for every assumption, what the twin plays
beyond them, and the line that explains each.

``read_twin`` runs the rule table (``rules``) over the baseline for every
assumption the simulator can play, then reads what is left: the spec's keys
the tenant never sent, the keys it sent that the spec does not know, its
contact status values and its rate limit. ``Twin.config`` makes the
``SimulatorConfig`` that plays all of it; the simulator never reads a
baseline itself (it sits a layer below the contract suite).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.api import spec
from dialer_suite.config.simulator import VENDOR_RATE_LIMIT
from dialer_suite.contract.baseline import Baseline
from dialer_suite.contract.facts import DRIFT, known_paths
from dialer_suite.contract.twin.observed import Observed
from dialer_suite.contract.twin.rules import RULES, WHY_NOT, Row
from dialer_suite.simulator import assumptions
from dialer_suite.simulator.config import SimulatorConfig
from dialer_suite.simulator.twin import TwinPlay

MATCHED, UNTESTED, CANNOT = "matched", "untested", "cannot match"
_SHOWN = 4  # keys named per line of the explanation; the rest are counted


@dataclass(frozen=True)
class Line:
    """One line of ``baseline explain``: what was observed, and what the twin plays for it."""

    subject: str
    observed: str
    plays: str
    verdict: str = MATCHED


@dataclass(frozen=True)
class Twin:
    """What a baseline's tenant does, as a simulator can play it."""

    source: str  # how to name the baseline: its file, date and target
    choices: Mapping[str, str]  # every assumption id → the choice played
    lines: tuple[Line, ...]
    play: TwinPlay
    settings: Mapping[str, Any] = field(default_factory=dict)

    def subjects(self, verdict: str) -> list[Line]:
        return [found for found in self.lines if found.verdict == verdict]

    def config(self, base: SimulatorConfig | None = None, given: Collection[str] = ()) -> SimulatorConfig:
        """``base`` playing this twin. What a person set (``given``: setting names, such as
        ``rate_limit`` or ``assume``) wins: their ``assume`` ids over the baseline's choices."""
        base = base or SimulatorConfig()
        chosen = {**self.choices, **(base.assume if "assume" in given else {})}
        settings = {name: value for name, value in self.settings.items() if name not in given}
        return dataclasses.replace(base, assume=chosen, vendor_profile=None, twin=self.play, **settings)


def read_twin(baseline: Baseline) -> Twin:
    """The twin of the tenant ``baseline`` was recorded against."""
    seen = Observed(baseline.data)
    choices: dict[str, str] = {}
    lines: list[Line] = []
    settings: dict[str, Any] = {}
    for assumption_id, declared in assumptions.catalog().items():
        row, fact = _decide(seen, RULES.get(assumption_id, ()))
        if row is None:
            choices[assumption_id] = declared.default
            lines.append(_undecided(seen, assumption_id, declared.default))
            continue
        choices[assumption_id] = row.choice
        settings.update(row.settings)
        lines.append(Line(assumption_id, fact, _plays(row, declared.default)))
    play, unplayable = _play(seen)
    lines += [_rate(settings), *_beyond(seen, play, unplayable)]
    data = baseline.data
    return Twin(f"{baseline.path} ({baseline.label}, recorded against {data['target']})", choices,
                tuple(lines), play, settings)


def _decide(seen: Observed, rows: tuple[Row, ...]) -> tuple[Row | None, str]:
    for row in rows:
        fact = row.signal(seen)
        if fact is not None:
            return row, fact
    return None, ""


def _plays(row: Row, default: str) -> str:
    text = row.choice + (" (the default)" if row.choice == default else "")
    if row.alike:
        text += f"; {', '.join(row.alike)} would answer the suite the same"
    return f"{text}; {row.note}" if row.note else text


def _undecided(seen: Observed, assumption_id: str, default: str) -> Line:
    """No row matched: untested or held plays the default; differs is a reading we lack."""
    state = seen.state(assumption_id)
    if state != "differs":
        observed = "no test or evidence" if state == "untested" else "held, with no evidence of its own"
        if seen.generated_state(assumption_id) == "differs":
            observed += " of scenarios; generated data saw it differ, but not how"
        return Line(assumption_id, observed, f"{default} (the default)",
                    UNTESTED if state == "untested" else MATCHED)
    explain = WHY_NOT.get(assumption_id)
    why = (explain(seen) if explain else None) or "no choice of the simulator answers that way"
    return Line(assumption_id, _differs(seen, assumption_id), f"cannot match: {why}; "
                f"plays {default} (the default)", CANNOT)


def _differs(seen: Observed, assumption_id: str) -> str:
    """What the baseline shows of an assumption that differs: evidence first, then failures."""
    found = [text for text in seen.evidence(assumption_id) if text.startswith("differs")]
    for nodeid, entry in seen.tests(""):
        if entry["outcome"] == "failed" and assumption_id in entry.get("assumptions", ()):
            found.append(f"{nodeid.rpartition('::')[2]} failed" +
                         (f": {entry['fact']}" if entry.get("fact") else ""))
    return "; ".join(found[:2]) or "differs"


def _rate(settings: Mapping[str, Any]) -> Line:
    if "rate_limit" in settings and settings["rate_limit"] is None:
        return Line("rate limit", "no 429 in a burst past the documented limit", "no rate limit")
    return Line("rate limit", "the baseline keeps the form of a 429, not the rate",
                f"the vendor's documented {VENDOR_RATE_LIMIT:g} requests/s (--rate-limit to change)")


# -- beyond the assumptions ----------------------------------------------------------


def _play(seen: Observed) -> tuple[TwinPlay, list[str]]:
    """What the twin plays beyond the choices, and the status values it cannot play."""
    spelled, unplayable = _spellings(seen)
    return TwinPlay(dropped=_dropped(seen), drift=_drift(seen), statuses=spelled), unplayable


def _beyond(seen: Observed, play: TwinPlay, unplayable: list[str]) -> list[Line]:
    dropped, drift, spelled = play.dropped, play.drift, play.statuses
    lines = [
        Line("keys of the spec", _count(dropped, "never seen in an answer whose keys were seen")
             if dropped else "every key of the spec seen, where its answer was",
             "left out, as the tenant does" if dropped else "every key of the spec"),
        Line("drift keys", _count(drift, "the spec does not know") if drift else "none",
             "served, with a plausible value for their name" if drift else "none"),
    ]
    values = ", ".join(seen.contact_statuses) or "none"
    played = "the documented values (new contacts Upcoming; the dialer under /_simulator the rest)"
    if spelled:
        played += "; " + ", ".join(f"{value!r} for {documented!r}" for documented, value in spelled.items())
    lines.append(Line("contact statuses", f"values seen: {values}", played))
    if unplayable:
        lines.append(Line("contact statuses", f"values outside the documented 21: {', '.join(unplayable)}",
                          "cannot match: no documented status they spell, so no place in the "
                          "documented state machine; never served", CANNOT))
    return lines


def _dropped(seen: Observed) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per answer whose keys scenarios saw: the spec's keys it never carried, at a level of the
    body where it carried keys (of a level never seen nothing is known, so nothing is left out)."""
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for operation_id, answers in sorted(seen.data["operations"].items()):
        for status in sorted(answers):
            keys = seen.keys(operation_id, status)
            if keys is None:
                continue
            levels = {path.rpartition("/")[0] for path in keys}
            unseen = sorted(path for path in known_paths(operation_id, int(status)) - keys
                            if path.rpartition("/")[0] in levels)
            if unseen:
                found.setdefault(operation_id, {})[status] = tuple(unseen)
    return found


def _drift(seen: Observed) -> dict[str, dict[str, tuple[str, ...]]]:
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for operation_id, answers in sorted(seen.data["operations"].items()):
        for status, entry in sorted(answers.items()):
            if entry.get(DRIFT):
                found.setdefault(operation_id, {})[status] = tuple(sorted(entry[DRIFT]))
    return found


def _spellings(seen: Observed) -> tuple[dict[str, str], list[str]]:
    """(documented status → the value the tenant writes for it, values that spell none)."""
    documented = {_plain(value): value for value in spec.contact_statuses()}
    spelled: dict[str, str] = {}
    unplayable: list[str] = []
    for value in seen.contact_statuses:
        if value in documented.values():
            continue
        match = documented.get(_plain(value))
        if match is None:
            unplayable.append(value)
        else:
            spelled[match] = value
    return spelled, unplayable


def _plain(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def _count(paths: Mapping[str, Mapping[str, tuple[str, ...]]], what: str) -> str:
    total = sum(len(found) for answers in paths.values() for found in answers.values())
    shown = [f"{operation_id} {status}: " + ", ".join(found[:_SHOWN]) + (" …" if len(found) > _SHOWN else "")
             for operation_id, answers in paths.items() for status, found in answers.items()]
    return f"{total} key(s) {what}: " + "; ".join(shown)
