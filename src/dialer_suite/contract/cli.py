"""``dialer-suite contract [OPTIONS] [PYTEST ARGS] [-- PYTEST ARGS]``: the contract suite, then
the verdict and where the reports are.

Every argument goes to pytest unchanged (``-m quick``, ``--base-url URL``,
``-k isolation``...). Before pytest starts, the suite's own options are read
here (``contract.options``) so that ``--help`` shows them, short and with their
defaults; a bad setting, an old option spelling or a bad ``--baseline`` is one
line and exit code 2, as in every command — never a run of minutes that
compares with nothing. pytest's own help is ``dialer-suite contract -- --help``:
as with ``cargo test -- --help``, what follows ``--`` belongs to the tool run
underneath. Exit codes (``EXIT_CODES``): 0 green; 1 the vendor's behaviour; 2
our usage or settings (pytest's 4); 69 the target is not usable
(``contract.target_plugin``); 130 interrupted (pytest's 2).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

from dialer_suite.errors import TARGET_NOT_USABLE, UsageError

# The suite of the source checkout (an editable install), else the copy the wheel ships.
_CHECKOUT_SUITE = Path(__file__).resolve().parents[3] / "contract_tests"
_PACKAGED_SUITE = Path(__file__).resolve().parents[1] / "_suite" / "contract_tests"
# pytest.ExitCode values, without importing pytest into the dispatcher.
_INTERRUPTED, _USAGE_ERROR = 2, 4
# The exit code of every dialer-suite command for a bad setting or argument, and for Ctrl-C.
_BAD_USAGE = 2
_CTRL_C = 130
_PYTEST_ONLY = "--"
_PYTEST_HELP = frozenset({"-h", "--help"})
EXIT_CODES = ("exit 0 green, 1 the vendor's behaviour (a contract failure, a vendor server error, "
              "a change since the baseline), 2 usage or settings, 69 the target is not usable "
              "(unreachable, credentials refused, campaign missing, outage past --outage-limit), "
              "130 interrupted")
_DESCRIPTION = (
    "Run the contract suite (pytest on contract_tests/) against the embedded simulator, or "
    "against your tenant when a base URL is given, then print the verdict and where the reports "
    "are. Any pytest argument works here too (-m quick, -k NAME, -x, --junitxml FILE). pytest's "
    "own options: dialer-suite contract -- --help (what follows -- goes to pytest as it is)."
)


def register(subparsers: Any) -> None:
    # No option parsing by argparse here: a prefix character that never occurs makes it hand
    # every argument, dashes included, to ``run``, which reads the suite's own and passes all on.
    parser = subparsers.add_parser(
        "contract", help=f"run the contract suite (pytest contract_tests; args go to pytest); {EXIT_CODES}",
        prefix_chars="\0", add_help=False,
    )
    # REMAINDER keeps a "--" (the other nargs drop it): what follows it is pytest's alone.
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    parser.set_defaults(handler=run)


class _OptionsParser(argparse.ArgumentParser):
    """The suite's options among pytest's: refusals are one line (``UsageError``)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def options_parser() -> argparse.ArgumentParser:
    """The suite's own options, as ``--help`` shows them and as ``run`` reads them."""
    from dialer_suite.config.flags import without_flags
    from dialer_suite.config.settings import Settings
    from dialer_suite.contract.options import add_options

    parser = _OptionsParser(
        prog="dialer-suite contract", add_help=False, allow_abbrev=False,
        usage="%(prog)s [OPTIONS] [PYTEST ARGS] [-- PYTEST ARGS]", description=_DESCRIPTION,
        epilog="Every option can also come from the variable named with it, or from "
        "[tool.dialer-suite] in pyproject.toml; options win over the environment, which wins over "
        f"the file. Settings with no option: {without_flags(Settings)}. Exit codes: {EXIT_CODES}.",
    )
    parser.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    add_options(parser.add_argument)
    return parser


def run(args: argparse.Namespace) -> int:
    ours, pytest_only = _split(args.pytest_args)
    parser = options_parser()
    options, _ = parser.parse_known_args(ours)
    if options.help:
        print(parser.format_help(), end="")
        return 0
    if _PYTEST_HELP & set(pytest_only):
        return _pytest([*ours, *pytest_only])  # with the suite's options among pytest's own
    reports = _reports_dir(options)
    summary_path = reports / "contract-summary.json"
    summary_path.unlink(missing_ok=True)
    code = _pytest([*ours, *pytest_only])
    written = summary_path.exists()
    if code == _USAGE_ERROR and not written:
        # A bad option of pytest's: pytest has printed the one line that says which.
        return _BAD_USAGE
    if code == _INTERRUPTED:
        code = _CTRL_C
    if not written and code in (0, _CTRL_C):
        return code  # --collect-only, --fixtures, Ctrl-C before a test: pytest said it all
    print(short_summary(_load(summary_path), code, reports))
    return code


def suite_dir() -> Path:
    """The contract suite to run: the checkout's, so that an editable install runs the tests
    being edited (as ``api.spec`` reads the spec being edited), else the packaged copy."""
    for suite in (_CHECKOUT_SUITE, _PACKAGED_SUITE):
        if suite.is_dir():
            return suite
    raise UsageError(f"no contract suite at {_CHECKOUT_SUITE} or {_PACKAGED_SUITE}: reinstall dialer-suite")


def _pytest(arguments: list[str]) -> int:
    # A child process: pytest's assertion rewriting and plugins start from a clean
    # interpreter, as with `pytest contract_tests`.
    return subprocess.call([sys.executable, "-m", "pytest", str(suite_dir()), *arguments])


def _split(arguments: list[str]) -> tuple[list[str], list[str]]:
    """The arguments before ``--`` (the suite's options among pytest's) and after (pytest's)."""
    if _PYTEST_ONLY not in arguments:
        return arguments, []
    at = arguments.index(_PYTEST_ONLY)
    return arguments[:at], arguments[at + 1:]


def _reports_dir(options: argparse.Namespace) -> Path:
    """Where the plugin will write, from the settings as the plugin will read them; a bad setting
    or baseline is refused here, before a run of minutes starts."""
    from dialer_suite.config.flags import given_by_flags
    from dialer_suite.config.settings import Settings, settings_from, settings_layers
    from dialer_suite.contract.options import DEST_PREFIX

    given = given_by_flags(Settings, lambda dest: getattr(options, dest), dest_prefix=DEST_PREFIX)
    config = Path(options.dialer_config) if options.dialer_config else None
    settings = settings_from(settings_layers(given, config_path=config))
    if options.dialer_baseline is not None:
        from dialer_suite.contract.baseline import load

        load(Path(options.dialer_baseline))
    record = options.dialer_record_baseline
    if record is not None and Path(record).is_dir():
        raise UsageError(f"--record-baseline {record} is a directory; name the file to write")
    return Path(settings.reports_dir)


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def short_summary(data: dict[str, Any] | None, code: int, reports: Path) -> str:
    """The verdict as the command's exit code says it, and where the reports are: pytest's
    section above it ("dialer-suite contract summary") has the details, printed once."""
    if data is None:
        return f"dialer-suite contract: exit {code}; no summary was written (no test ran)"
    if data.get("unusable"):
        return (f"dialer-suite contract: TARGET NOT USABLE (exit {code}) — {data['unusable']}; no test "
                f"ran ({reports / 'contract-junit.xml'})")
    verdict = {0: "PASSED", TARGET_NOT_USABLE: "TARGET NOT USABLE"}.get(code, "FAILED")
    lines = [f"dialer-suite contract: {verdict} (exit {code}) — {data['passed']}/{data['tests']} tests "
             f"passed, run id {data['run_id']}; reports: {reports / 'contract-summary.md'}, "
             f"{reports / 'contract-junit.xml'}"]
    if not data.get("embedded", True) and (data["left"] or (data["left"] is None and data["created"])):
        lines.append(f"  remove what this run left: dialer-suite cleanup --run-id {data['run_id']}")
    return "\n".join(lines)
