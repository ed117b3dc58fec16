"""``dialer-suite contract [pytest args]``: the contract suite, then a short summary.

Every argument goes to pytest unchanged (``-m quick``, ``--base-url URL``,
``-k isolation``...; ``dialer-suite contract --help`` shows pytest's help with
the suite's options). Exit codes (``EXIT_CODES``): 0 green; 1 the vendor's
behaviour; 2 our usage or settings (pytest's 4); 69 the target is not usable
(``contract.target_plugin``); 130 interrupted (pytest's 2).

``--baseline FILE`` is checked here, before pytest starts: a missing,
unreadable or malformed baseline, or one recorded against another spec, is one
line and exit code 2 — never a run that silently compares with nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from dialer_suite.errors import TARGET_NOT_USABLE, UsageError

# The suite of the source checkout (an editable install), else the copy the wheel ships.
_CHECKOUT_SUITE = Path(__file__).resolve().parents[3] / "contract_tests"
_PACKAGED_SUITE = Path(__file__).resolve().parents[1] / "_suite" / "contract_tests"
# pytest.ExitCode values, without importing pytest into the dispatcher.
_INTERRUPTED, _USAGE_ERROR = 2, 4
# The exit code of every dialer-suite command for a bad setting or argument, and for Ctrl-C.
_BAD_USAGE = 2
_CTRL_C = 130
EXIT_CODES = ("exit 0 green, 1 the vendor's behaviour (a contract failure, a vendor server error, "
              "a change since the baseline), 2 usage or settings, 69 the target is not usable "
              "(unreachable, credentials refused, campaign missing, outage past --outage-limit), "
              "130 interrupted")


def register(subparsers: Any) -> None:
    # No option parsing of our own: a prefix character that never occurs makes
    # argparse hand every argument, dashes included, to pytest.
    parser = subparsers.add_parser(
        "contract", help=f"run the contract suite (pytest contract_tests; args go to pytest); {EXIT_CODES}",
        prefix_chars="\0", add_help=False,
    )
    parser.add_argument("pytest_args", nargs="*")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    suite = suite_dir()
    _check_baseline_args(args.pytest_args)
    reports = _reports_dir(args.pytest_args)
    summary_path = reports / "contract-summary.json"
    summary_path.unlink(missing_ok=True)
    # A child process: pytest's assertion rewriting and plugins start from a clean
    # interpreter, as with `pytest contract_tests`.
    code = subprocess.call([sys.executable, "-m", "pytest", str(suite), *args.pytest_args])
    if code == _USAGE_ERROR and not summary_path.exists():
        # A bad setting or option: pytest has printed the one line that says which.
        return _BAD_USAGE
    if code == _INTERRUPTED:
        code = _CTRL_C
        if not summary_path.exists():
            return code
    print(short_summary(_load(summary_path), code, reports))
    return code


def suite_dir() -> Path:
    """The contract suite to run: the checkout's, so that an editable install runs the tests
    being edited (as ``api.spec`` reads the spec being edited), else the packaged copy."""
    for suite in (_CHECKOUT_SUITE, _PACKAGED_SUITE):
        if suite.is_dir():
            return suite
    raise UsageError(f"no contract suite at {_CHECKOUT_SUITE} or {_PACKAGED_SUITE}: reinstall dialer-suite")


def _option(pytest_args: list[str], name: str) -> str | None:
    """The value given to a pytest option (``--name=V`` or ``--name V``; the last one wins)."""
    value = None
    for index, arg in enumerate(pytest_args):
        if arg.startswith(f"{name}="):
            value = arg.split("=", 1)[1]
        elif arg == name and index + 1 < len(pytest_args):
            value = pytest_args[index + 1]
    return value


def _check_baseline_args(pytest_args: list[str]) -> None:
    """Refuse a bad ``--baseline`` or ``--record-baseline`` before a run of minutes starts."""
    if "--help" in pytest_args or "-h" in pytest_args:
        return
    compare_with = _option(pytest_args, "--baseline")
    if compare_with is not None:
        from dialer_suite.contract.baseline import load

        load(Path(compare_with))
    record = _option(pytest_args, "--record-baseline")
    if record is not None and Path(record).is_dir():
        raise UsageError(f"--record-baseline {record} is a directory; name the file to write")


def _reports_dir(pytest_args: list[str]) -> Path:
    """Where the plugin writes (``--reports-dir``, else settings), without running pytest."""
    from dialer_suite.config.settings import Settings, load_settings

    given = _option(pytest_args, str(Settings.declared("reports_dir").flag))
    if given is not None:
        return Path(given)
    return Path(load_settings().reports_dir)


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def short_summary(data: dict[str, Any] | None, code: int, reports: Path) -> str:
    """A few lines: verdict by kind, requests, contacts written, where the reports are."""
    if data is None:
        return f"dialer-suite contract: exit {code}; no summary was written (no test ran)"
    if data.get("unusable"):
        return (f"dialer-suite contract: TARGET NOT USABLE (exit {code}) — {data['unusable']}; no test "
                f"ran ({reports / 'contract-junit.xml'})")
    documented, assumed = data["documented_failures"], data["assumption_failures"]
    verdict = {0: "PASSED", TARGET_NOT_USABLE: "TARGET NOT USABLE"}.get(code, "FAILED")
    left = "unknown" if data["left"] is None else data["left"]
    lines = [
        f"dialer-suite contract: {verdict} — {data['passed']}/{data['tests']} tests passed, "
        f"{data['calls']} requests, seed {data['seed']}, run id {data['run_id']}",
        f"  vendor broke its documented contract: {len(documented)}; vendor behaviour differs "
        f"from our assumption: {len(assumed)}; vendor server error: "
        f"{len(data.get('server_error_failures', []))}",
        f"  drift (unknown keys): {len(data['drift'])}; contacts created {data['created']}, "
        f"removed {data['removed']}, left {left}",
        f"  reports: {reports / 'contract-summary.md'}, {reports / 'contract-junit.xml'}",
    ]
    if not data.get("embedded", True) and (data["left"] or (data["left"] is None and data["created"])):
        lines.append(f"  remove what this run left: dialer-suite cleanup --run-id {data['run_id']}")
    watched = data.get("availability") or {}
    if watched.get("outages") or data.get("unavailable_failures"):
        lines.insert(2, f"  target unavailable (not the vendor's behaviour): {len(watched['outages'])} "
                        f"outage(s), {len(data['unavailable_failures'])} test(s) could not finish"
                        + (f"; stopped: {watched['gave_up']}" if watched.get("gave_up") else ""))
    judged = data.get("changed_since_baseline")
    if judged:
        lines.insert(1, f"  {judged['label']}: {len(judged['changed'])} change(s) in vendor behaviour, "
                        f"{len(judged['known'])} test(s) of known vendor behaviour (xfail), "
                        f"{len(judged['not_judged'])} not judged")
    return "\n".join(lines)
