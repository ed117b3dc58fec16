"""The contract suite's pytest plugin: options, staging safety gates, outcome reports.

Registered by ``contract_tests/conftest.py`` (``pytest_plugins``), which is an
initial conftest both for ``pytest contract_tests`` and for ``pytest tests
contract_tests`` at the repository root — pytest only honours
``pytest_addoption`` in plugins and initial conftests.

It loads the settings once (options > environment > file; a bad value ends the
run with one line), decides the seed, skips what the target does not allow
(writes to non-loopback hosts, rate-limit bursts on a tenant) with the way to
allow it, files every failing test as "target unavailable" or "vendor server
error" when the target's availability says so (``target_plugin``: also the
plan, the preflight and exit code 69), else as "documented contract" or
"assumption", and writes ``reports/contract-summary.md`` and the JUnit XML at
the end.
"""

from __future__ import annotations

import random
import re
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.api import spec
from dialer_suite.config.flags import given_by_flags, without_flags
from dialer_suite.config.settings import Settings, settings_from, settings_layers
from dialer_suite.contract import baseline, rendering
from dialer_suite.contract.baseline_plugin import HOOKS_KEY, BaselineCheck, BaselineHooks
from dialer_suite.contract.cli import EXIT_CODES
from dialer_suite.contract.facts import Seen
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.options import BASE_URL_PLUGIN, DEST_PREFIX, add_options
from dialer_suite.contract.property import broken_assumptions
from dialer_suite.contract.report import ASSUMPTION, DOCUMENTED, Outcome, RunReport
from dialer_suite.contract.state import REPORT_KEY, SETTINGS_KEY, remember
from dialer_suite.contract.target_plugin import TargetHooks
from dialer_suite.errors import UsageError
from dialer_suite.http.availability import SERVER_ERROR, UNAVAILABLE, Availability

JUNIT_NAME = "contract-junit.xml"
TARGET_KEY = pytest.StashKey[TargetHooks]()
_LABELS = {
    DOCUMENTED: "vendor broke its documented contract",
    SERVER_ERROR: "vendor server error: the target answered others, not this request",
    UNAVAILABLE: "target unavailable: not the vendor's behaviour",
}
def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    group = parser.getgroup(
        "dialer-suite",
        "dialer-suite contract suite (each option also from the variable named with it, or from "
        f"[tool.dialer-suite] in pyproject.toml; settings with no option: {without_flags(Settings)}; "
        f"dialer-suite contract: {EXIT_CODES}; plain pytest: 4 usage, 2 interrupted)",
    )
    add_options(group.addoption, skip=_base_url_of_plugin(pluginmanager))


def _base_url_of_plugin(pluginmanager: pytest.PytestPluginManager) -> tuple[str, ...]:
    """``("base_url",)`` when pytest-base-url gives ``--base-url`` (not blocked by -p no:base_url)."""
    return ("base_url",) if pluginmanager.has_plugin(BASE_URL_PLUGIN) else ()


def _given_base_url(config: pytest.Config) -> str | None:
    """pytest-base-url's ``--base-url`` (its default: $PYTEST_BASE_URL), else its ini value.

    Read here because its own configure hook copies the ini value only after ours ran."""
    given = config.getoption("base_url", None) or config.getini("base_url")
    return str(given) if given else None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    skipped = _base_url_of_plugin(config.pluginmanager)
    overrides = given_by_flags(Settings, lambda dest: config.getoption(dest, None), dest_prefix=DEST_PREFIX)
    if skipped:
        overrides["base_url"] = _given_base_url(config)
    if overrides["seed"] is None and config.getoption("hypothesis_seed", None) is not None:
        overrides["seed"] = config.getoption("hypothesis_seed")
    path = config.getoption("dialer_config")
    try:
        layers = settings_layers(overrides, config_path=Path(path) if path else None)
        settings = settings_from(layers)
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None
    if settings.seed is None:
        # A seed always exists, so every run can be repeated: it is printed and reported.
        settings = replace(settings, seed=random.SystemRandom().randrange(2**31))
    if settings.embedded and settings.simulator.faults:
        from dialer_suite.simulator import faults

        try:
            faults.validate(settings.simulator.faults)
        except UsageError as error:
            raise pytest.UsageError(f"{layers.origin('simulator', 'faults')}: {error}") from None
    # The target's availability: shared by every sender of the run (the conftest's clients).
    availability = Availability(settings.outage_limit)
    run_report = RunReport(RunLedger(settings.run_id), seed=settings.seed,
                           target=settings.base_url or _embedded(settings),
                           target_host=settings.target_name, embedded=settings.embedded,
                           availability=availability)
    remember(config, settings, run_report)
    _baseline_hooks(config, settings, run_report)
    target = TargetHooks(config, settings, run_report, availability)
    config.stash[TARGET_KEY] = target
    config.pluginmanager.register(target, "dialer-suite-target")
    if getattr(config.option, "xmlpath", None) is None and hasattr(config.option, "xmlpath"):
        # JUnit XML by default; the junitxml plugin reads this in its own configure hook.
        config.option.xmlpath = str(Path(settings.reports_dir) / JUNIT_NAME)


def _baseline_hooks(config: pytest.Config, settings: Settings, run_report: RunReport) -> None:
    """Record or judge against a vendor baseline when asked (``baseline_plugin``)."""
    compare_with, record = config.getoption("dialer_baseline"), config.getoption("dialer_record_baseline")
    if (compare_with is None and record is None) or config.getoption("help", False):
        return  # `--help` reads no file: a CI check parses command lines with it
    try:
        loaded = baseline.load(Path(compare_with)) if compare_with is not None else None
        if loaded is not None and not config.getoption("dialer_baseline_target_changed"):
            baseline.check_target(loaded, run_report.target)
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None
    run_report.seen = Seen(run_id=settings.run_id)
    hooks = BaselineHooks(config, run_report, loaded, Path(record) if record else None, settings.embedded)
    config.stash[HOOKS_KEY] = hooks
    config.pluginmanager.register(hooks, "dialer-suite-baseline")


def _embedded(settings: Settings) -> str:
    """The embedded simulator, and the reading of the vendor page it plays when not the default."""
    simulator = settings.simulator
    reading = [f"profile {simulator.vendor_profile}"] if simulator.vendor_profile else []
    reading += [f"{key}={value}" for key, value in sorted(simulator.assume.items())]
    return "embedded simulator" + (f" ({', '.join(reading)})" if reading else "")


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is None:
        return []
    target = settings.target_name if settings.base_url else _embedded(settings) + " on a free port"
    return [
        f"dialer-suite: target {target}; run id {settings.run_id}; seed {settings.seed} "
        f"(repeat with --dialer-seed {settings.seed} --run-id <new id>); pacing under "
        f"{settings.pace:g} requests/s; writes "
        f"{'allowed' if settings.writes_allowed else 'refused'}",
    ]


# Generated tests are one item per operation, named "test_x[METHOD /path]".
_WRITING_OPERATION = re.compile(r"\[(POST|PUT|PATCH|DELETE) ")
_GENERATED_OPERATION = re.compile(r"\[([A-Z]+) (/[^\]]*)\]")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that judge what the whole run saw go last (a stable sort keeps the rest in order).
    items.sort(key=lambda item: item.get_closest_marker("summary") is not None)
    settings = config.stash[SETTINGS_KEY]
    refusal = settings.refuse_writes_reason()
    for item in items:
        if item.get_closest_marker("property") and _WRITING_OPERATION.search(item.name):
            item.add_marker(pytest.mark.writes)
        if refusal and item.get_closest_marker("writes"):
            item.add_marker(pytest.mark.skip(reason=refusal))
        if item.get_closest_marker("rate_limit") and not settings.rate_limit_tests_allowed:
            item.add_marker(pytest.mark.skip(reason=(
                f"bursting past the rate limit of {settings.target_name} may disturb a shared "
                f"tenant; opt in with {Settings.declared('allow_rate_limit_tests').how('1')}"
            )))


def pytest_deselected(items: list[pytest.Item]) -> None:
    """The statuses deselected tests would have produced are "deselected", not "no test of this
    run produced it": a ``-m quick`` run leaves them out on purpose."""
    run_report = items[0].config.stash.get(REPORT_KEY, None) if items else None
    if run_report is None:
        return
    selection = _selection(items[0].config)
    why = f"deselected ({selection})" if selection else "deselected"
    for item in items:
        for operation, status in _produces(item):
            run_report.not_exercised(operation, status, why)


def _selection(config: pytest.Config) -> str:
    """The options that select tests, as the person wrote them: ``-m quick -k isolation``."""
    given = [(flag, config.getoption(dest, None)) for flag, dest in (("-m", "markexpr"), ("-k", "keyword"))]
    return " ".join(shlex.join([flag, value]) for flag, value in given if value)


def _produces(item: pytest.Item) -> list[tuple[str, int | None]]:
    """The declared statuses a test would make the target answer (None: any of the operation's).

    Its ``produces`` marks; a generated test (schemathesis) sends an operation valid and invalid
    requests alike, and the stateful test every operation, so either may produce any status."""
    produced: list[tuple[str, int | None]] = [
        (str(mark.args[0]), int(mark.args[1])) for mark in item.iter_markers("produces")]
    if item.get_closest_marker("stateful"):
        produced.append(("*", None))
    elif item.get_closest_marker("property"):
        named = _GENERATED_OPERATION.search(item.name)
        produced += [(op.operation_id, None) for op in spec.iter_operations()
                     if named and (op.method, op.path) == named.groups()]
    return produced


def _report_id(item: pytest.Item) -> str:
    """A generated test's id with its operation, as parametrize gives other tests.

    Schemathesis names the item ``test_x[POST /path]`` but leaves the id
    ``file::test_x`` for all six operations, so JUnit, the summary and
    selfcheck's kill matrix could not tell which operation failed.
    """
    label = item.name[len(getattr(item, "originalname", item.name)):]
    return item.nodeid + label if label and not item.nodeid.endswith(label) else item.nodeid


def assumption_ids_of(item: pytest.Item) -> tuple[str, ...]:
    return tuple(str(arg) for mark in item.iter_markers("assumption") for arg in mark.args)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report: pytest.TestReport = yield
    run_report = item.config.stash.get(REPORT_KEY, None)
    if run_report is None:
        return report
    if isinstance(item, BaselineCheck):
        return report
    report.nodeid = _report_id(item)
    hooks = item.config.stash.get(HOOKS_KEY, None)
    if report.skipped:
        why = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if hooks is not None:
            hooks.skipped(report.nodeid, why)
        for mark in item.iter_markers("produces"):
            run_report.not_exercised(str(mark.args[0]), int(mark.args[1]), f"skipped: {why}")
        return report
    marked = assumption_ids_of(item)
    target = item.config.stash[TARGET_KEY]
    if report.failed:
        for mark in item.iter_markers("produces"):
            run_report.not_exercised(str(mark.args[0]), int(mark.args[1]),
                                     f"{report.nodeid} asked for it and got another answer")
        error = call.excinfo.value if call.excinfo else None
        decided = target.filed(item, error)
        kind, ids = (decided, ()) if decided else classify(marked, error)
        label = ("vendor behaviour differs from our assumption " + ", ".join(ids)) if ids else _LABELS[kind]
        report.sections.append(("dialer-suite", label))
        outcome = Outcome(report.nodeid, kind, False, ids, _message(report))
    elif report.when == "call":
        outcome = Outcome(report.nodeid, ASSUMPTION if marked else DOCUMENTED, True, marked)
    else:
        return report
    run_report.add_outcome(outcome)
    if hooks is not None:
        hooks.judge(item, report, outcome)
    report.dialer_kind = outcome.kind  # type: ignore[attr-defined]  # the exit code counts kinds
    target.after(item)
    return report


def classify(marked: tuple[str, ...], error: BaseException | None) -> tuple[str, tuple[str, ...]]:
    """The kind of a failure and its assumption ids: what the failure says it broke, else the test.

    A failure may say which part of the spec it broke (``assumptions`` on the
    exception: ``()`` a documented part, ids the assumptions): a documented test
    that fails only because a response broke an assumption is filed under that
    assumption, and a documented break found by an assumption test is documented.
    Otherwise (a test's own expectation) the test's ``assumption`` marks decide.
    """
    broke = broken_assumptions(error)
    if broke is None:
        return (ASSUMPTION if marked else DOCUMENTED), marked
    if not broke:
        return DOCUMENTED, ()
    return ASSUMPTION, tuple(dict.fromkeys((*marked, *broke)))


def _message(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    return str(getattr(crash, "message", "") or report.longreprtext[:500])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run_report = config.stash.get(REPORT_KEY, None)
    if run_report is None:
        return
    if run_report.unusable:
        terminalreporter.section("dialer-suite preflight")
        terminalreporter.write_line(config.stash[TARGET_KEY].preflight_line or run_report.unusable)
        return
    if not run_report.outcomes:
        return
    hooks = config.stash.get(HOOKS_KEY, None)
    terminalreporter.section("dialer-suite contract summary")
    for line in rendering.terminal_lines(run_report, hooks.summary() if hooks else None):
        terminalreporter.write_line(line)
    if hooks is not None and hooks.recorded:
        terminalreporter.write_line(hooks.recorded)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the Markdown/JSON summary (after the fixtures' cleanup has counted removals), and
    the baseline when asked to record one."""
    run_report = session.config.stash.get(REPORT_KEY, None)
    settings = session.config.stash.get(SETTINGS_KEY, None)
    if run_report is None or settings is None or not (run_report.outcomes or run_report.unusable):
        return
    hooks = session.config.stash.get(HOOKS_KEY, None)
    if hooks is not None:
        hooks.write_record(session, exitstatus)
    rendering.write(run_report, Path(settings.reports_dir), hooks.summary() if hooks else None)
