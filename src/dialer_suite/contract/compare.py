"""What changed between two baselines (a recorded one and a run, or two recorded files).

The rules, conservative on purpose — a regression check that cries wolf gets
switched off:

- A **test** judged by its fact (scenarios) changed when its outcome, kind,
  assumption ids or normalised failure line differ; one judged by outcome (the
  embedded dialer) when outcome, kind or ids differ. A failure of a test the
  baseline did not run is **new**: the baseline cannot vouch for it.
- A test on **generated data** (property, stateful, a sampled campaign) is
  never compared line by line: its failure is known when every assumption it
  names was already seen to differ in the baseline, else it is *not judged*
  (other data may simply not have met that case); a pass after a failure is
  not judged either. A documented failure fails whatever the baseline says.
- **Run-level facts** — statuses per operation, the spec's keys, the headers
  that carry behaviour, the shapes that broke assumptions, contact status
  values, evidence per assumption — count only when scenarios saw them, and
  only where both sides exercised the operation (status) with scenarios. A
  fact that *appeared* is a change; one that *disappeared* is a change only
  when every scenario test of the old side ran on the new side too (a run
  with ``-k`` cannot tell "gone" from "not asked"). A 429 comes and goes with
  load: its presence is never compared. Keys the spec does not know stay
  drift: the new ones are listed, never failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.contract.baseline import FACT, GENERATED_DATA, LEVELS, RUN
from dialer_suite.contract.facts import DRIFT, GENERATED, HEADERS, KEYS, SCENARIOS, SHAPES, path_ids
from dialer_suite.contract.report import DOCUMENTED
from dialer_suite.http.availability import SERVER_ERROR

SAME, KNOWN, CHANGED, NEW, NOT_JUDGED = "same", "known", "changed", "new", "not judged"
# Statuses whose presence depends on load, not on the vendor's behaviour.
_TIMING = frozenset({"429"})
_KIND_LABEL = {KEYS: "key", HEADERS: "header", SHAPES: "assumed shape"}
_SHAPE_IDS = re.compile(r"^\[([^\]]*)\] ")
# Failures no baseline makes known: the vendor's documented contract broken, or a 5xx.
_NEVER_KNOWN = (DOCUMENTED, SERVER_ERROR)


@dataclass(frozen=True)
class Change:
    """One fact that differs: what, before → after, the assumptions it is about, and whether
    the test it belongs to fails for it (else the run-level check does)."""

    subject: str
    before: str
    after: str
    assumptions: tuple[str, ...] = ()
    per_test: bool = False

    def line(self) -> str:
        about = ", ".join(self.assumptions) or "no assumption"
        return f"[{about}] {self.subject}: {self.before} → {self.after}"


@dataclass
class Comparison:
    old: dict[str, Any]
    new: dict[str, Any]
    complete: bool
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_drift: list[str] = field(default_factory=list)

    def assumption_lines(self) -> list[str]:
        """``id: before → after`` (held/differs/untested) for every assumption a change is about."""
        ids = sorted({i for change in self.changes for i in change.assumptions})
        lines = []
        for i in ids:
            before, after = self._state(self.old, i, "before"), self._state(self.new, i, "after")
            if (before, after) == ("untested", "untested"):
                lines.append(f"{i}: changed (no test or evidence of its own; see below)")
            else:
                lines.append(f"{i}: {before} → {after}" + (", other evidence" if before == after else ""))
        return lines

    def _state(self, data: dict[str, Any], assumption_id: str, side: str) -> str:
        """The recorded state; "untested" made "held" where a test that failed for the
        assumption on one side passes on this one (a pass carries no assumption ids)."""
        state = str(data["assumptions"].get(assumption_id, {}).get("state", "untested"))
        passing = any(change.per_test and assumption_id in change.assumptions
                      and getattr(change, side) == "passed" for change in self.changes)
        return "held" if state == "untested" and passing else state


def known_differences(data: dict[str, Any]) -> set[str]:
    """The assumptions a baseline saw differ, by scenarios or by generated data."""
    return {i for i, row in data["assumptions"].items()
            if "differs" in (row.get("state"), row.get(GENERATED))}


def describe(entry: dict[str, Any] | None) -> str:
    """A test's entry as one phrase: ``passed``, ``failed [ids]: fact``, ``not run``."""
    if entry is None or entry["outcome"] == "skipped":
        return "not run"
    if entry["outcome"] == "passed":
        return "passed"
    kind = entry.get("kind")
    about = kind if kind in _NEVER_KNOWN else ", ".join(entry.get("assumptions", ()))
    fact = entry.get("fact")
    return f"failed [{about}]" + (f": {fact}" if fact else "")


def verdict_for(before: dict[str, Any] | None, after: dict[str, Any], known: set[str]) -> str:
    """SAME, KNOWN, CHANGED, NEW or NOT_JUDGED for one test's entry against the baseline's."""
    if after["outcome"] == "skipped":
        return SAME
    levels = [entry.get("judged", FACT) for entry in (before, after) if entry is not None]
    level = max(levels, key=LEVELS.index)
    failed = after["outcome"] == "failed"
    ran_before = before is not None and before["outcome"] != "skipped"
    if level == RUN:
        return NOT_JUDGED if failed else SAME
    if level == GENERATED_DATA:
        if failed and after.get("kind") in _NEVER_KNOWN:
            was = ran_before and before is not None and before.get("kind") == after.get("kind")
            return KNOWN if was else (CHANGED if ran_before else NEW)
        if failed:
            return KNOWN if set(after.get("assumptions", ())) <= known else NOT_JUDGED
        return NOT_JUDGED if ran_before and before is not None and before["outcome"] == "failed" else SAME
    if not ran_before:
        return NEW if failed else SAME
    assert before is not None
    if _signature(before, level) == _signature(after, level):
        return KNOWN if failed else SAME
    return CHANGED


def _signature(entry: dict[str, Any], level: str) -> tuple[Any, ...]:
    return (entry["outcome"], entry.get("kind"), tuple(entry.get("assumptions", ()))
            if entry["outcome"] == "failed" else (), entry.get("fact") if level == FACT else None)


def compare(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """Every change from ``old`` to ``new``, by the rules of this module."""
    result = Comparison(old, new, complete=_scenario_tests(old) <= _scenario_tests(new))
    _tests(result)
    _evidence(result)
    _operations(result)
    _contact_values(result)
    return result


def _scenario_tests(data: dict[str, Any]) -> set[str]:
    """The tests whose requests are the same every run: only their facts can go missing."""
    return {nodeid for nodeid, entry in data["tests"].items()
            if entry["outcome"] != "skipped" and entry.get("judged", FACT) == FACT}


def _tests(result: Comparison) -> None:
    known = known_differences(result.old)
    for nodeid, after in sorted(result.new["tests"].items()):
        before = result.old["tests"].get(nodeid)
        verdict = verdict_for(before, after, known)
        ids = tuple(dict.fromkeys([*(before or {}).get("assumptions", ()), *after.get("assumptions", ())]))
        if verdict in (CHANGED, NEW):
            subject = nodeid + (" (not in the baseline)" if verdict == NEW else "")
            result.changes.append(Change(subject, describe(before), describe(after), ids, per_test=True))
        elif verdict == NOT_JUDGED and after.get("judged") != RUN and (before or {}).get("judged") != RUN:
            result.notes.append(f"{nodeid}: {describe(before)} → {describe(after)} (generated data: "
                                "not judged against the baseline)")


def _evidence(result: Comparison) -> None:
    old, new = result.old["assumptions"], result.new["assumptions"]
    for assumption_id in sorted(new):
        before = set(old.get(assumption_id, {}).get("evidence", ()))
        after = set(new[assumption_id].get("evidence", ()))
        if not after:
            continue
        if not before:
            result.notes.append(f"{assumption_id}: first observed by scenarios: {'; '.join(sorted(after))}")
            continue
        gone = before - after
        if after - before or (gone and result.complete):
            result.changes.append(Change(f"{assumption_id} evidence", "; ".join(sorted(before)),
                                         "; ".join(sorted(after)), (assumption_id,)))
        elif gone:
            result.notes.append(f"{assumption_id}: not seen this run: {'; '.join(sorted(gone))}")


def _operations(result: Comparison) -> None:
    old, new = result.old["operations"], result.new["operations"]
    for operation_id in sorted(set(old) | set(new)):
        before, after = old.get(operation_id, {}), new.get(operation_id, {})
        for status, entry in sorted(after.items()):
            added = set(entry.get(DRIFT, ())) - set(before.get(status, {}).get(DRIFT, ()))
            result.new_drift += [f"{operation_id} {status}: {key}" for key in sorted(added)]
        exact_before = {s for s, e in before.items() if e["by"] == SCENARIOS}
        exact_after = {s for s, e in after.items() if e["by"] == SCENARIOS}
        if not exact_before or not exact_after:
            continue  # not exercised by scenarios on one side: untested, not changed
        seen_before = ", ".join(sorted(exact_before)) or "none"
        seen_after = ", ".join(sorted(exact_after)) or "none"
        for status in sorted(exact_after - set(before) - _TIMING):
            result.changes.append(Change(f"{operation_id} answered {status}", f"never ({seen_before})",
                                         f"seen ({seen_after})", path_ids(operation_id, int(status))))
        for status in sorted(exact_before - set(after) - _TIMING):
            _gone(result, Change(f"{operation_id} answered {status}", f"seen ({seen_before})",
                                 f"never ({seen_after})", path_ids(operation_id, int(status))))
        for status in sorted(exact_before & exact_after):
            _answer(result, operation_id, status, before[status], after[status])


def _answer(result: Comparison, operation_id: str, status: str, before: dict[str, Any],
            after: dict[str, Any]) -> None:
    for kind, label in _KIND_LABEL.items():
        was, now = set(before.get(kind, ())), set(after.get(kind, ()))
        for fact in sorted(now ^ was):
            change = Change(f"{operation_id} {status} {label} {fact}", "present" if fact in was else "absent",
                            "present" if fact in now else "absent", _ids(operation_id, status, kind, fact))
            if fact in now:
                result.changes.append(change)
            else:
                _gone(result, change)


def _ids(operation_id: str, status: str, kind: str, fact: str) -> tuple[str, ...]:
    if kind == SHAPES:
        match = _SHAPE_IDS.match(fact)
        return tuple(i.strip() for i in match.group(1).split(",")) if match else ()
    return path_ids(operation_id, int(status), fact if kind == KEYS else "")


def _contact_values(result: Comparison) -> None:
    old, new = result.old["contact_statuses"], result.new["contact_statuses"]
    exact_before = {v for v, by in old.items() if by == SCENARIOS}
    exact_after = {v for v, by in new.items() if by == SCENARIOS}
    if not exact_before or not exact_after:
        return
    for value in sorted(exact_after - set(old)):
        result.changes.append(Change(f"contact status value {value!r}", "never listed", "listed"))
    for value in sorted(exact_before - set(new)):
        _gone(result, Change(f"contact status value {value!r}", "listed", "never listed"))


def _gone(result: Comparison, change: Change) -> None:
    """A fact the old side saw and the new one did not: a change only if the new run asked."""
    if result.complete:
        result.changes.append(change)
    else:
        result.notes.append(f"{change.line()} (not judged: this run did not run every scenario "
                            "test of the baseline)")


def lines(result: Comparison, label: str) -> list[str]:
    """The changes for a person: the assumptions first, then each fact before → after."""
    if not result.changes:
        return [f"no vendor behaviour changed since the {label}"]
    out = [f"vendor behaviour changed since the {label}: {len(result.changes)} change(s)"]
    assumptions = result.assumption_lines()
    if assumptions:
        out.append(f"  assumptions whose behaviour changed ({len(assumptions)}), before → after:")
        out += [f"    {line}" for line in assumptions]
    out.append("  changes, before → after:")
    out += [f"    - {change.line()}" for change in result.changes]
    return out


def to_json(result: Comparison, label: str) -> dict[str, Any]:
    return {
        "label": label,
        "changed": [change.line() for change in result.changes],
        "assumptions_changed": result.assumption_lines(),
        "not_judged": result.notes,
        "new_drift": result.new_drift,
    }
