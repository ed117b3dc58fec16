"""The CI setups in docs/ci are valid YAML and every command line in them is one the CLI accepts.

A team copies these files; a renamed option would break their nightly run
without anyone noticing here. So every ``dialer-suite`` and ``pytest`` command
of every script is extracted (placeholders such as ``${{ secrets.X }}`` and
``$BASELINE`` replaced by dummy values) and parsed, with no network and no
test run: ``dialer-suite``'s own argparse for its commands, and for the pytest
arguments of ``dialer-suite contract ...`` (or a plain pytest command) a child
``python -m pytest contract_tests <args> --collect-only``, which exits 4 and
says "unrecognized arguments" for an unknown option. Not ``--help``: pytest 9
stops parsing at ``--help`` and exits 0 whatever else the line holds. The
child runs in a temporary folder (collection writes the JUnit file), and the
file a ``--baseline`` names — a file of the team's repository — is replaced by
a valid baseline made for the current spec.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialer_suite.cli import build_parser
from dialer_suite.contract import baseline
from dialer_suite.contract.report import RunReport
from dialer_suite.errors import UsageError

_ROOT = Path(__file__).resolve().parents[1]
_CI = _ROOT / "docs" / "ci"
_WORKFLOWS = sorted(p for p in _CI.iterdir() if p.suffix in (".yml", ".yaml"))
_SCRIPT_KEYS = ("script", "before_script", "after_script")
_SHELL_WORDS = {"if", "then", "else", "elif", "fi", "do", "done", "!", "{", "}", "set", "-e", "+e"}
_OPERATORS = re.compile(r"^[;&|()<>]+$")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _scripts(node: Any) -> Iterator[str]:
    """GitHub ``run:`` values and GitLab ``script``/``before_script``/``after_script`` items."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                yield value
            elif key in _SCRIPT_KEYS:
                yield from ([value] if isinstance(value, str) else [v for v in value if isinstance(v, str)])
            else:
                yield from _scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _scripts(item)


def _expand(text: str) -> str:
    """Placeholders as dummy values: ``${{ expr }}`` → 1, ``$VAR`` / ``${VAR}`` → dummy."""
    text = re.sub(r"\$\{\{[^}]*\}\}", "1", text)
    return re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", "dummy", text)


def commands(script: str) -> Iterator[list[str]]:
    """The simple commands of a shell script that run ``dialer-suite`` or pytest."""
    text = _expand(script.replace("\\\n", " "))
    for line in text.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        segment: list[str] = []
        for token in [*lexer, ";"]:
            if not _OPERATORS.match(token):
                segment.append(token)
                continue
            if token in (">", ">>", "<", "2>"):
                segment.append("\0redirect")
                continue
            yield from _wanted(segment)
            segment = []


def _wanted(segment: list[str]) -> Iterator[list[str]]:
    words = [w for i, w in enumerate(segment) if w != "\0redirect"
             and (i == 0 or segment[i - 1] != "\0redirect")]
    while words and words[0] in _SHELL_WORDS:
        words.pop(0)
    if words and (words[0] in ("dialer-suite", "pytest") or words[:3] == ["python", "-m", "pytest"]):
        yield words


def _all_commands() -> list[tuple[str, list[str]]]:
    return [(path.name, argv) for path in _WORKFLOWS for script in _scripts(_load(path))
            for argv in commands(script)]


@functools.cache
def _valid_baseline() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="dialer-ci-baseline-"))
    # Recorded against the embedded simulator: the command lines are checked without a base URL.
    report = RunReport(target="embedded simulator", embedded=True)
    baseline.write(folder / "baseline.json", baseline.snapshot(report, datetime.now(UTC)))
    return folder / "baseline.json"


@functools.cache
def pytest_collect(args: tuple[str, ...]) -> tuple[int, str]:
    """Exit code and output of ``pytest contract_tests <args> --collect-only`` in a temporary folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    given = list(args)
    for index, arg in enumerate(given):
        if arg == "--baseline" and index + 1 < len(given):
            given[index + 1] = str(_valid_baseline())
        elif arg.startswith("--baseline="):
            given[index] = f"--baseline={_valid_baseline()}"
    with tempfile.TemporaryDirectory(prefix="dialer-ci-") as folder:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", str(_ROOT / "contract_tests"), "-p", "no:cacheprovider",
             *given, "--collect-only", "-q"],
            cwd=folder, env=env, capture_output=True, text=True, timeout=120,
        )
    return run.returncode, run.stdout[-500:] + run.stderr[-500:]


def _accepted(argv: list[str]) -> str | None:
    """None when the CLI accepts ``argv``, else what it said."""
    if argv[0] == "dialer-suite":
        try:
            parsed = build_parser().parse_args(argv[1:])
        except (UsageError, SystemExit) as problem:
            return f"dialer-suite refused it: {problem}"
        if parsed.command != "contract":
            return None
        pytest_args = parsed.pytest_args
    else:
        pytest_args = argv[3:] if argv[0] == "python" else argv[1:]
        pytest_args = [a for a in pytest_args if a != "contract_tests"]
    code, output = pytest_collect(tuple(pytest_args))
    if code != 0 or "unrecognized arguments" in output:
        return f"pytest exited {code}: {output.strip()}"
    return None


def test_there_are_workflows_for_github_and_gitlab() -> None:
    assert {p.name for p in _WORKFLOWS} >= {"github-actions.yml", "gitlab-ci.yml"}, _WORKFLOWS


@pytest.mark.parametrize("path", _WORKFLOWS, ids=lambda p: p.name)
def test_every_workflow_is_yaml_with_contract_runs_and_a_baseline(path: Path) -> None:
    document = _load(path)
    assert isinstance(document, dict), f"{path.name} is not a YAML mapping"
    contract = [argv for script in _scripts(document) for argv in commands(script)
                if argv[:2] == ["dialer-suite", "contract"]]
    simulator = [argv for argv in contract if "--allow-writes" not in argv]
    judged = [argv for argv in contract if "--baseline" in argv]
    recorded = [argv for argv in contract if "--record-baseline" in argv]
    diffs = [argv for script in _scripts(document) for argv in commands(script)
             if argv[:3] == ["dialer-suite", "baseline", "diff"]]
    assert simulator and judged and recorded and diffs, (
        f"{path.name}: expected a simulator run, a staging run with --baseline, a recording and a "
        f"baseline diff; found {contract + diffs}"
    )
    text = path.read_text(encoding="utf-8")
    for needed in ("DIALER_API_TOKEN", "DIALER_BASE_URL", "contract-junit.xml", "reports/"):
        assert needed in text, f"{path.name} does not mention {needed}"


@pytest.mark.parametrize("workflow, argv", _all_commands(),
                         ids=[f"{name}:{' '.join(argv)[:60]}" for name, argv in _all_commands()])
def test_every_command_line_is_accepted_by_the_cli(workflow: str, argv: list[str]) -> None:
    problem = _accepted(argv)
    assert problem is None, f"{workflow}: `{shlex.join(argv)}` is not accepted: {problem}"


def test_the_check_catches_an_option_that_does_not_exist() -> None:
    assert _accepted(["dialer-suite", "contract", "--baseline-file", "x"]) is not None
    assert _accepted(["dialer-suite", "baseline", "diff", "only-one"]) is not None
    assert _accepted(["dialer-suite", "contract", "--baseline", "x", "--report-dir", "r"]) is None


def test_commands_are_found_through_shell_syntax() -> None:
    script = ('set +e\nif [ -f x ]; then dialer-suite baseline diff "$OLD" ${{ env.B }} > out.txt '
              '|| true; fi\ndialer-suite contract \\\n  --baseline b.json || [ $? -le 1 ]\n')
    assert list(commands(script)) == [
        ["dialer-suite", "baseline", "diff", "dummy", "1"],
        ["dialer-suite", "contract", "--baseline", "b.json"],
    ]


def test_github_keeps_only_credentials_as_secrets() -> None:
    """GitHub masks a secret's value in every log line: a campaign id kept as one blanks every "11"."""
    text = (_CI / "github-actions.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"secrets\.([A-Z_]+)", text)) == {"DIALER_API_TOKEN", "BASELINE_PR_TOKEN"}
    plain = set(re.findall(r"vars\.([A-Z_]+)", text))
    assert {"DIALER_BASE_URL", "DIALER_USERNAME", "DIALER_CAMPAIGN_ID"} <= plain


def test_github_opens_the_baseline_pull_request_with_a_token_that_triggers_workflows() -> None:
    jobs = _load(_CI / "github-actions.yml")["jobs"]
    steps = [s for s in jobs["record-baseline"]["steps"] if "create-pull-request" in str(s.get("uses", ""))]
    assert steps and steps[0]["with"]["token"] != "${{ secrets.GITHUB_TOKEN }}"


def test_gitlab_caches_what_pip_cache_dir_points_at() -> None:
    document = _load(_CI / "gitlab-ci.yml")
    cache_dir = document["variables"]["PIP_CACHE_DIR"].replace("$CI_PROJECT_DIR/", "")
    assert cache_dir in document["default"]["cache"]["paths"]
