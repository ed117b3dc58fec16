"""The pytest side of the vendor baseline: record a run, or judge it against a recorded one.

Registered by the suite's plugin (``plugin.py``) when ``--record-baseline`` or
``--baseline`` is given. It tells the run report which test is running (so
that every fact knows whether a scenario saw it), turns each failure the
baseline recorded into an xfail with the baseline's date (exit code 0, JUnit
shows it skipped with the reason), fails what differs as "vendor behaviour
changed since the baseline" with before → after, and appends one last item
that judges the facts no single test owns (statuses, keys, headers, shapes,
status values, evidence).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.contract import compare
from dialer_suite.contract.baseline import (
    FACT,
    GENERATED_DATA,
    OUTCOME,
    RUN,
    Baseline,
    snapshot,
    test_entry,
    write,
)
from dialer_suite.contract.facts import SCENARIOS
from dialer_suite.contract.report import DOCUMENTED, Outcome, RunReport
from dialer_suite.http.availability import SERVER_ERROR, UNAVAILABLE

CHECK_NAME = "test_vendor_behaviour_matches_the_baseline"
CHECK_ID = f"contract_tests/baseline::{CHECK_NAME}"
HOOKS_KEY: pytest.StashKey[BaselineHooks] = pytest.StashKey()
_GENERATING = ("property", "stateful")
_JUNIT_PROPERTY = "changed since baseline"


class BaselineChanged(AssertionError):
    """Run-level facts differ from the baseline; the message lists them before → after."""


class BaselineCheck(pytest.Item):
    """The facts no single test owns, against the baseline: runs after every test."""

    hooks: BaselineHooks

    def runtest(self) -> None:
        result = self.hooks.comparison()
        self.hooks.publish(result)
        run_level = [change for change in result.changes if not change.per_test]
        if run_level:
            assert self.hooks.baseline is not None
            raise BaselineChanged("\n".join(
                [f"vendor behaviour changed since the {self.hooks.baseline.label}: "
                 f"{len(run_level)} fact(s) no single test owns"]
                + [f"- {change.line()}" for change in run_level]))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, BaselineChanged):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, CHECK_NAME


def level_of(item: pytest.Item, embedded: bool) -> str:
    """How a test's outcome can be compared from run to run (see ``compare``)."""
    if item.get_closest_marker("summary"):
        return RUN
    if any(item.get_closest_marker(name) for name in _GENERATING):
        return GENERATED_DATA
    if item.get_closest_marker("dialer"):
        # The embedded dialer is driven the same way every run; a tenant's campaign is sampled.
        return OUTCOME if embedded else GENERATED_DATA
    return FACT


class BaselineHooks:
    """Per session: the baseline to judge by (if any), where to record (if asked)."""

    def __init__(self, config: pytest.Config, report: RunReport, baseline: Baseline | None,
                 record: Path | None, embedded: bool) -> None:
        self.config = config
        self.report = report
        self.baseline = baseline
        self.record = record
        self.embedded = embedded
        self.recorded: str | None = None
        self._known = compare.known_differences(baseline.data) if baseline else set()
        self._published = False
        assert report.seen is not None, "the run report must collect facts for a baseline"
        self.seen = report.seen

    # -- where facts come from ----------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.seen.source = SCENARIOS if level_of(item, self.embedded) == FACT else None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        # Fixture teardown (the session's cleanup comes last) is no test's fact.
        self.seen.source = None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list[pytest.Item]) -> None:
        # After -k/-m deselection, so that a judged run always ends with the check.
        if self.baseline is not None:
            check = BaselineCheck.from_parent(session, name=CHECK_NAME, nodeid=CHECK_ID)
            check.hooks = self
            items.append(check)

    # -- per test -------------------------------------------------------------------

    def skipped(self, nodeid: str, why: str) -> None:
        self.seen.skipped[nodeid] = why

    def judge(self, item: pytest.Item, report: pytest.TestReport, outcome: Outcome) -> None:
        """File the test's level and, against a baseline, turn its report into the verdict."""
        level = level_of(item, self.embedded)
        self.seen.levels[outcome.nodeid] = level
        if self.baseline is None:
            return
        if outcome.kind == UNAVAILABLE:
            # The target's availability, not the vendor's behaviour: nothing to compare.
            outcome.verdict = compare.NOT_JUDGED
            return
        before = self.baseline.data["tests"].get(outcome.nodeid)
        after = test_entry(outcome, level, self.report.run_id)
        verdict = compare.verdict_for(before, after, self._known)
        documented = report.failed and outcome.kind in (DOCUMENTED, SERVER_ERROR)
        # A documented break (or a vendor server error) fails whatever the baseline recorded:
        # never "known".
        outcome.verdict = outcome.kind if documented and verdict == compare.KNOWN else verdict
        label = self.baseline.label
        if report.failed and not documented:
            ids = ", ".join(outcome.assumption_ids)
            if verdict == compare.KNOWN:
                _xfail(report, f"known vendor behaviour ({label}): differs from {ids}")
            elif verdict == compare.NOT_JUDGED:
                why = ("judged fact by fact by " + CHECK_NAME if level == RUN
                       else "found by generated data, not in the baseline")
                _xfail(report, f"vendor differs from {ids}; not judged against the {label}: {why}")
            else:
                _relabel(report, _changed(label, verdict, before, after))
        elif report.failed and verdict in (compare.CHANGED, compare.NEW):
            report.sections.append(("dialer-suite baseline", _changed(label, verdict, before, after)))
        elif report.passed and verdict == compare.CHANGED:
            report.outcome = "failed"
            report.longrepr = _changed(label, verdict, before, after)

    # -- the end ----------------------------------------------------------------------

    def comparison(self) -> compare.Comparison:
        assert self.baseline is not None
        return compare.compare(self.baseline.data, snapshot(self.report, datetime.now(UTC)))

    def publish(self, result: compare.Comparison) -> None:
        """The changes as properties of the JUnit test suite: they come before every test case."""
        xml = self.report_xml()
        if xml is None or self._published or self.baseline is None:
            return
        self._published = True
        for line in compare.lines(result, self.baseline.label):
            xml.add_global_property(_JUNIT_PROPERTY, line.strip())

    def report_xml(self) -> Any:
        from _pytest.junitxml import xml_key  # the one way to reach the JUnit writer from a hook

        return self.config.stash.get(xml_key, None)

    def summary(self) -> tuple[list[str], dict[str, Any]] | None:
        """The "changed since baseline" section (terminal lines, JSON), None without a baseline."""
        if self.baseline is None:
            return None
        result = self.comparison()
        known = [f"{o.nodeid} [{', '.join(o.assumption_ids)}]" for o in self.report.outcomes
                 if o.verdict == compare.KNOWN]
        text = compare.lines(result, self.baseline.label)
        text.append(f"known vendor behaviour ({self.baseline.label}): {len(known)} test(s)")
        text += [f"  - {line}" for line in known]
        if result.new_drift:
            text.append(f"drift new since the {self.baseline.label} (reported, not failed):")
            text += [f"  - {line}" for line in result.new_drift]
        if result.notes:
            text.append(f"not judged against the {self.baseline.label}: {len(result.notes)}")
            text += [f"  - {line}" for line in result.notes]
        data = compare.to_json(result, self.baseline.label)
        data["known"] = known
        data["file"] = str(self.baseline.path)
        return text, data

    def write_record(self, session: pytest.Session, exitstatus: int) -> None:
        """Write the baseline, unless the run stopped early: a partial baseline would pass
        off every test it missed as "not in the baseline" on the next run."""
        if self.record is None:
            return
        finished = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
        if not finished or session.shouldstop or session.shouldfail or not self.report.outcomes:
            self.recorded = f"baseline NOT recorded: the run did not finish ({self.record})"
            return
        unavailable = [o for o in self.report.outcomes if o.kind == UNAVAILABLE]
        if unavailable:
            # An outage is not what the vendor does; a baseline missing these tests would pass
            # off their next real failure as "not in the baseline".
            self.recorded = (f"baseline NOT recorded: the target was unavailable for "
                             f"{len(unavailable)} test(s) ({self.record})")
            return
        write(self.record, snapshot(self.report, datetime.now(UTC)))
        self.recorded = f"baseline recorded in {self.record}"


def _changed(label: str, verdict: str, before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    what = "not in the" if verdict == compare.NEW else "vendor behaviour changed since the"
    return f"{what} {label}: {compare.describe(before)} → {compare.describe(after)}"


def _xfail(report: pytest.TestReport, reason: str) -> None:
    report.outcome = "skipped"
    report.wasxfail = reason


def _relabel(report: pytest.TestReport, text: str) -> None:
    """Lead the failure (short summary, JUnit message) with what changed; keep the traceback."""
    report.sections.append(("dialer-suite baseline", text))
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        crash.message = f"{text}\n{crash.message}"
    else:
        report.longrepr = f"{text}\n{report.longrepr}"
