"""Every load and cleanup example of the README and load_tests/README.md runs as written.

A team copies these lines for its first capacity test against staging; an
example the command refuses (a host that is not loopback without
``--allow-writes``, a ``--rate`` above the ceiling, a renamed option) would
fail them on their first try. As ``tests/test_ci_workflows.py`` does for the CI
files, each shell block is read as a shell would (line continuations,
``export`` and ``VAR=value`` prefixes, ``$VAR``), and every command is checked
with nothing sent: ``dialer-suite`` lines are parsed by its own argparse; a
``load`` line then builds and writes its plan (``--write-plan``, which refuses
what the run would refuse, before any request), a ``cleanup`` line resolves its
target and selection; a ``locust`` line's options must be ones locust (with the
suite's locustfile) knows.
"""

from __future__ import annotations

import argparse
import functools
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialer_suite.cli import build_parser
from dialer_suite.errors import UsageError
from dialer_suite.load import cleanup_cli, runner
from dialer_suite.load import cli as load_cli
from dialer_suite.load.run_plan import Target

_ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.DOTALL | re.MULTILINE)
_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
_CREDENTIALS = {"DIALER_USERNAME": "acme-staging", "DIALER_API_TOKEN": "a-token"}
# The README's load sections; load_tests/README.md is about nothing else.
_SECTIONS = {"README.md": ("## The load suite", "## Does the suite catch regressions?"),
             "load_tests/README.md": ("", "")}


def _blocks(name: str) -> list[str]:
    text = (_ROOT / name).read_text(encoding="utf-8")
    first, last = _SECTIONS[name]
    if first:
        text = text[text.index(first):text.index(last)]
    return _BLOCK.findall(text)


def commands(block: str) -> Iterator[tuple[dict[str, str], list[str]]]:
    """(environment, argv) of each command of a shell block, ``export``s carried along."""
    environ: dict[str, str] = {}
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "export":
            environ.update(_assignment(word) for word in words[1:])
            continue
        own = dict(environ)
        while words and _ASSIGNMENT.match(words[0]):
            own.update([_assignment(words.pop(0))])
        words = [_expand(word, own) for word in words]
        if words:
            yield own, words


def _assignment(word: str) -> tuple[str, str]:
    name, _, value = word.partition("=")
    return name, value


def _expand(word: str, environ: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Z_][A-Z0-9_]*)\}?", lambda m: environ.get(m[1], "dummy"), word)


def _examples() -> list[tuple[str, dict[str, str], list[str]]]:
    return [(f"{name}: {' '.join(argv)[:90]}", environ, argv) for name in _SECTIONS
            for block in _blocks(name) for environ, argv in commands(block)
            if argv[0] in ("dialer-suite", "locust")]


EXAMPLES = _examples()


def test_the_docs_hold_the_examples_a_first_capacity_test_needs() -> None:
    lines = [" ".join(argv) for _, _, argv in EXAMPLES]
    for wanted in ("--profile smoke --allow-writes", "--profile stress --allow-writes",
                   "--campaign-size 200000", "cleanup --run-id", "cleanup --older-than", "--worker"):
        assert any(wanted in line for line in lines), wanted


@pytest.mark.parametrize(("where", "environ", "argv"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_example_runs_as_written(
    where: str, environ: dict[str, str], argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_ROOT)
    # Credentials are set in the person's shell, never written in the docs (step 2 says how).
    for name, value in {**_CREDENTIALS, **environ}.items():
        monkeypatch.setenv(name, value)
    if argv[0] == "locust":
        options = [word.split("=")[0] for word in argv if word.startswith("-")]
        unknown = [option for option in options if option not in _locust_options()]
        assert not unknown, f"{where}: locust does not know {unknown}"
        return
    try:
        parsed = build_parser().parse_args(argv[1:])
        if parsed.command == "load":
            _write_plan(parsed, tmp_path)
        elif parsed.command == "cleanup":
            cleanup_cli.target(parsed)
            cleanup_cli.selection(parsed)
    except UsageError as refused:
        pytest.fail(f"{where}\nrefused: {refused}")


def _write_plan(parsed: argparse.Namespace, tmp_path: Path) -> None:
    """The load command up to sending: the plan written (``--write-plan``), or built with every
    refusal a tenant run makes first (its cleanup's cost included), or the embedded simulator's."""
    parsed.report_dir = tmp_path / "report"
    if parsed.write_plan is not None:
        parsed.write_plan = tmp_path / "plan.json"
        options, settings = load_cli.options_from(parsed)
        assert runner.run(options, settings) == 0 and parsed.write_plan.is_file()
        return
    options, settings = load_cli.options_from(parsed)
    if settings.base_url is not None:
        runner.checked_tenant_run(options, settings)
    else:
        runner.plan_for(options, settings, Target("http://127.0.0.1:9/apps/api/v1", embedded=True))


@functools.cache
def _locust_options() -> frozenset[str]:
    help_text = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(_ROOT / "load_tests" / "add_contact.py"), "--help"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    # Locust answers --help before it imports the locustfile, so the suite's own option is not in it.
    return frozenset(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", help_text)) | {"--dialer-plan"}


def test_the_distributed_example_is_refused_when_it_is_not_allowed_or_above_the_ceiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the checks above would catch: the example as it was before it was fixed."""
    monkeypatch.setenv("DIALER_API_TOKEN", "t")
    for argv, said in (
        (["load", "--profile", "steady", "--base-url", "http://10.0.0.5:8080/apps/api/v1", "--rate", "40"],
         "refusing to load"),
        (["load", "--profile", "steady", "--base-url", "http://10.0.0.5:8080/apps/api/v1", "--rate", "400",
          "--allow-writes"], "above the ceiling of 10"),
        (["load", "--profile", "capacity", "--contacts", "200000", "--base-url",
          "http://10.0.0.5:8080/apps/api/v1", "--allow-writes"], "removing them takes about 6 h 17 min"),
    ):
        with pytest.raises(UsageError, match=said):
            _write_plan(build_parser().parse_args(argv), tmp_path)
