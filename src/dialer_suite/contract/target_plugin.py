"""The pytest side of the target: the plan, the preflight, outages filed apart, exit code 69.

Registered by the suite's plugin (``plugin.py``) for every run:

- after collection it prints the plan (``budget``): about how many requests,
  contacts and minutes the selected tests take at the run's pace;
- before the first test, against a tenant, the ``preflight``: when the target
  cannot run the selected tests, one line says what to fix, no test runs, the
  JUnit file holds one error entry (``contract_tests/preflight::target_is_usable``)
  and the exit code is 69;
- each failing test is filed "target unavailable" when one of its requests
  gave up on the target, and "vendor server error" when one got a 5xx again and
  again while the target answered others (``http.availability``) — before the
  documented/assumption filing, which only the vendor's answers may decide;
- when the target stayed unusable past ``--outage-limit``, the run stops after
  the test at hand (the session's cleanup still runs), and exits 69;
- the JUnit report names its test suite after the suite (``JUNIT_SUITE``,
  unless ``junit_suite_name`` says otherwise), and the target (its host, never
  credentials) and whether it is the embedded simulator.

Exit codes: 0 green; 1 the vendor's behaviour (a documented or assumed
contract, a vendor server error, a changed baseline); 2 usage or settings
(``dialer-suite contract``; plain pytest says 4); 69 the target is not usable
(sysexits' EX_UNAVAILABLE): the preflight failed, the run gave up waiting for
the target, or a test could not finish because the target was unavailable.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from dialer_suite.config.settings import Settings
from dialer_suite.contract import budget
from dialer_suite.contract.preflight import Needs, preflight
from dialer_suite.contract.report import RunReport
from dialer_suite.errors import TARGET_NOT_USABLE
from dialer_suite.http.availability import SERVER_ERROR, UNAVAILABLE, Availability, TargetUnavailable

_SUITE = "contract_tests"
PREFLIGHT_ID = f"{_SUITE}/preflight::target_is_usable"
_VERDICTS_AT = pytest.StashKey[int]()
JUNIT_SUITE = "dialer-suite contract"
# junitxml's name when no ini value names the suite.
_PYTEST_SUITE = "pytest"


class TargetHooks:
    """Per session: the settings, the run report and the target's availability."""

    def __init__(self, config: pytest.Config, settings: Settings, report: RunReport,
                 availability: Availability) -> None:
        self.config = config
        self.settings = settings
        self.report = report
        self.availability = availability
        self.plan: budget.Plan | None = None
        self.preflight_line: str | None = None
        # Kinds of the tests that finally failed (after a baseline's verdict), "other" for the
        # baseline's own check.
        self.failed: Counter[str] = Counter()

    # -- before the first test ------------------------------------------------------

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        xml = _junit(self.config)
        if xml is not None:
            if self.config.getini("junit_suite_name") == _PYTEST_SUITE:
                xml.suite_name = JUNIT_SUITE
            xml.add_global_property("dialer-suite target", self.settings.target_name)
            xml.add_global_property("dialer-suite embedded simulator",
                                    "yes" if self.settings.embedded else "no")

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        items = _suite_items(session.items)
        if self.config.option.collectonly or not items:
            return
        self.plan = budget.plan(items, self.settings)
        self._write(self.plan.line(self.settings.target_name))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        """The preflight; when the target is not usable no test runs (True ends the loop)."""
        running = [item for item in _suite_items(session.items) if not item.get_closest_marker("skip")]
        if self.settings.embedded or session.testsfailed or self.config.option.collectonly or not running:
            return None
        checked = preflight(self.settings, needs(running))
        self.report.preflight_requests = checked.requests
        self.preflight_line = checked.line()
        if checked.unusable is None:
            self._write(self.preflight_line)
            return None
        self.report.unusable = checked.unusable
        _junit_error(self.config, self.preflight_line)
        return True

    # -- each test --------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        item.stash[_VERDICTS_AT] = len(self.availability.verdicts)

    def filed(self, item: pytest.Item, error: BaseException | None) -> str | None:
        """UNAVAILABLE or SERVER_ERROR when the target's availability decides the test's
        failure; None when the vendor's answers do (documented or assumption)."""
        kinds = {v.kind for v in self.availability.verdicts[item.stash.get(_VERDICTS_AT, 0):]}
        if isinstance(error, TargetUnavailable) or UNAVAILABLE in kinds:
            return UNAVAILABLE
        return SERVER_ERROR if SERVER_ERROR in kinds else None

    def after(self, item: pytest.Item) -> None:
        """Stop the run once it gave up waiting for the target (the cleanup still runs)."""
        if self.availability.gave_up and not item.session.shouldstop:
            item.session.shouldstop = f"target not usable: {self.availability.gave_up}"

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed[getattr(report, "dialer_kind", "other")] += 1

    # -- the end ----------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """69 when the target was not usable: the preflight said so, the run gave up waiting, or
        a test could not finish for it — the run did not check everything, and a baseline was
        not recorded (the vendor failures it found are in the summary all the same)."""
        if self.report.unusable or self.availability.gave_up or self.failed[UNAVAILABLE]:
            session.exitstatus = TARGET_NOT_USABLE

    def _write(self, line: str) -> None:
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            terminal.write_line(line)


def _suite_items(items: list[pytest.Item]) -> list[pytest.Item]:
    """The contract suite's items (``pytest tests contract_tests`` collects the self-tests too)."""
    return [item for item in items if _SUITE in item.path.parts]


def needs(items: list[pytest.Item]) -> Needs:
    """What the tests about to run rely on besides the campaign (from their fixtures and marks)."""
    fixtures = {name for item in items for name in getattr(item, "fixturenames", ())}
    return Needs(
        other_campaign="other_campaign" in fixtures,
        # Generated requests go to the campaign or the missing one (the data policy's campaigns).
        missing_campaign=bool({"missing_campaign", "data_policy"} & fixtures),
        writes=any(item.get_closest_marker("writes") for item in items),
    )


def _junit(config: pytest.Config) -> Any:
    from _pytest.junitxml import xml_key  # the one way to reach the JUnit writer from a hook

    return config.stash.get(xml_key, None)


def _junit_error(config: pytest.Config, line: str) -> None:
    """One error entry in the JUnit report, so that CI shows why no test ran."""
    xml = _junit(config)
    if xml is None:
        return
    location = ("contract_tests/preflight", None, "target_is_usable")
    for when, outcome, longrepr in (("setup", "failed", line), ("teardown", "passed", None)):
        xml.pytest_runtest_logreport(pytest.TestReport(
            PREFLIGHT_ID, location, {}, outcome, longrepr, when))  # type: ignore[arg-type]
