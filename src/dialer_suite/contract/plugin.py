"""The contract suite's pytest plugin: options, staging safety gates, outcome reports.

Registered by ``contract_tests/conftest.py`` (``pytest_plugins``), which is an
initial conftest both for ``pytest contract_tests`` and for ``pytest tests
contract_tests`` at the repository root — pytest only honours
``pytest_addoption`` in plugins and initial conftests.

It loads the settings once (options > environment > file; a bad value ends the
run with one line), decides the seed, skips what the target does not allow
(writes to non-loopback hosts, rate-limit bursts) with the way to allow it,
files every test outcome as "documented contract" or "assumption", and writes
``reports/contract-summary.md`` and the JUnit XML at the end.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.config.settings import Settings, load_settings
from dialer_suite.contract import baseline, rendering
from dialer_suite.contract.baseline_plugin import HOOKS_KEY, BaselineCheck, BaselineHooks
from dialer_suite.contract.facts import Seen
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.property import broken_assumptions
from dialer_suite.contract.report import ASSUMPTION, DOCUMENTED, Outcome, RunReport
from dialer_suite.contract.state import REPORT_KEY, SETTINGS_KEY, remember
from dialer_suite.errors import UsageError

JUNIT_NAME = "contract-junit.xml"

# Options map onto settings names; None means "not given", so lower layers apply.
_OPTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("--base-url", "base_url", {"help": "target base URL incl. /apps/api/v1 (default: start the "
                                "embedded simulator) [DIALER_BASE_URL]"}),
    ("--username", "username", {"help": "tenant subdomain (HTTP Basic user) [DIALER_USERNAME]; "
                                "the token is read from DIALER_API_TOKEN only"}),
    ("--campaign-id", "campaign_id", {"help": "campaign the suite writes to [DIALER_CAMPAIGN_ID]"}),
    ("--other-campaign-id", "other_campaign_id",
     {"help": "a second campaign, for isolation checks [DIALER_OTHER_CAMPAIGN_ID]"}),
    ("--missing-campaign-id", "missing_campaign_id",
     {"help": "a campaign id that does not exist [DIALER_MISSING_CAMPAIGN_ID]"}),
    ("--allow-writes", "allow_writes", {"action": "store_const", "const": True,
                                        "help": "allow writes to a non-loopback host "
                                        "[DIALER_ALLOW_WRITES=1]"}),
    ("--allow-rate-limit-tests", "allow_rate_limit_tests",
     {"action": "store_const", "const": True,
      "help": "allow bursting past the rate limit of a non-loopback host "
      "[DIALER_ALLOW_RATE_LIMIT_TESTS=1]"}),
    ("--rate-limit", "rate_limit", {"help": "requests/s to pace under [DIALER_RATE_LIMIT]"}),
    ("--phone-range", "phone_range", {"help": "a number range you control, START:COUNT "
                                      "[DIALER_PHONE_RANGE]"}),
    ("--run-id", "run_id", {"help": "tag of everything this run writes [DIALER_RUN_ID]"}),
    ("--dialer-seed", "seed", {"help": "seed of the property tests [DIALER_SEED]; "
                               "--hypothesis-seed also works"}),
    ("--max-examples", "max_examples", {"help": "examples per operation and mode "
                                        "[DIALER_MAX_EXAMPLES]"}),
    ("--large-import-size", "large_import_size", {"help": "contacts in the large-import scenario "
                                                  "[DIALER_LARGE_IMPORT_SIZE]"}),
    ("--job-timeout", "job_timeout", {"help": "seconds an import job may take "
                                      "[DIALER_JOB_TIMEOUT]"}),
    ("--reports-dir", "reports_dir", {"help": "where reports go [DIALER_REPORTS_DIR]"}),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dialer-suite", "dialer-suite contract suite")
    for flag, name, kwargs in _OPTIONS:
        group.addoption(flag, dest=f"dialer_{name}", default=None, **kwargs)
    group.addoption("--dialer-config", dest="dialer_config", default=None,
                    help="a TOML settings file [DIALER_CONFIG]")
    group.addoption("--record-baseline", dest="dialer_record_baseline", default=None, metavar="FILE",
                    help="record what the target does (per assumption, operation and test) in FILE")
    group.addoption("--baseline", dest="dialer_baseline", default=None, metavar="FILE",
                    help="judge the run against a recorded baseline: known vendor behaviour passes "
                    "(xfail), anything that changed fails")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    overrides = {name: config.getoption(f"dialer_{name}") for _, name, _ in _OPTIONS}
    if overrides["seed"] is None and config.getoption("hypothesis_seed", None) is not None:
        overrides["seed"] = config.getoption("hypothesis_seed")
    path = config.getoption("dialer_config")
    try:
        settings = load_settings(overrides, config_path=Path(path) if path else None)
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None
    if settings.seed is None:
        # A seed always exists, so every run can be repeated: it is printed and reported.
        settings = replace(settings, seed=random.SystemRandom().randrange(2**31))
    if settings.embedded and settings.simulator_faults:
        from dialer_suite.simulator import faults

        try:
            faults.validate(settings.simulator_faults)
        except UsageError as error:
            raise pytest.UsageError(f"DIALER_SIMULATOR_FAULTS: {error}") from None
    run_report = RunReport(RunLedger(settings.run_id), seed=settings.seed,
                           target=settings.base_url or _embedded(settings))
    remember(config, settings, run_report)
    _baseline_hooks(config, settings, run_report)
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
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None
    run_report.seen = Seen(run_id=settings.run_id)
    hooks = BaselineHooks(config, run_report, loaded, Path(record) if record else None, settings.embedded)
    config.stash[HOOKS_KEY] = hooks
    config.pluginmanager.register(hooks, "dialer-suite-baseline")


def _embedded(settings: Settings) -> str:
    """The embedded simulator, and the reading of the vendor page it plays when not the default."""
    reading = [f"profile {settings.simulator_vendor_profile}"] if settings.simulator_vendor_profile else []
    reading += [f"{key}={value}" for key, value in sorted(settings.simulator_assume.items())]
    return "embedded simulator" + (f" ({', '.join(reading)})" if reading else "")


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is None:
        return []
    target = settings.base_url or _embedded(settings) + " on a free port"
    return [
        f"dialer-suite: target {target}; run id {settings.run_id}; seed {settings.seed} "
        f"(repeat with --dialer-seed {settings.seed} --run-id <new id>); pacing under "
        f"{settings.rate_limit:g} requests/s; writes "
        f"{'allowed' if settings.writes_allowed else 'refused'}",
    ]


# Generated tests are one item per operation, named "test_x[METHOD /path]".
_WRITING_OPERATION = re.compile(r"\[(POST|PUT|PATCH|DELETE) ")


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
                f"bursting past the rate limit of {settings.base_url} may disturb a shared "
                "tenant; opt in with --allow-rate-limit-tests or DIALER_ALLOW_RATE_LIMIT_TESTS=1"
            )))


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
    if report.failed:
        for mark in item.iter_markers("produces"):
            run_report.not_exercised(str(mark.args[0]), int(mark.args[1]),
                                     f"{report.nodeid} asked for it and got another answer")
        kind, ids = classify(marked, call.excinfo.value if call.excinfo else None)
        label = ("vendor behaviour differs from our assumption " + ", ".join(ids)) if ids else (
            "vendor broke its documented contract")
        report.sections.append(("dialer-suite", label))
        outcome = Outcome(report.nodeid, kind, False, ids, _message(report))
    elif report.when == "call":
        outcome = Outcome(report.nodeid, ASSUMPTION if marked else DOCUMENTED, True, marked)
    else:
        return report
    run_report.add_outcome(outcome)
    if hooks is not None:
        hooks.judge(item, report, outcome)
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
    if run_report is None or not run_report.outcomes:
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
    if run_report is None or settings is None or not run_report.outcomes:
        return
    hooks = session.config.stash.get(HOOKS_KEY, None)
    if hooks is not None:
        hooks.write_record(session, exitstatus)
    rendering.write(run_report, Path(settings.reports_dir), hooks.summary() if hooks else None)
