"""Every command the user docs show is one the code accepts, as written.

The docs are README.md, docs/**/*.md and load_tests/README.md. From each, the
commands of its fenced shell blocks (``bash``, ``sh``, ``shell``, ``console``)
and every inline code span that is a command (``dialer-suite …``, ``pytest …``,
``python -m pytest …``; a ``.venv/bin/`` prefix and ``VAR=value`` assignments
in front are dropped) are checked the way tests/test_ci_workflows.py checks the
CI files, with no network and no run: ``dialer-suite`` through its own argparse
parser; the pytest arguments of ``dialer-suite contract`` or of a plain pytest
command by a child ``pytest contract_tests <args> --collect-only`` (an unknown
option exits 4), the paths a plain pytest command names must exist, and a
``-m`` expression may only name registered markers (pytest itself takes an
unknown one and silently selects nothing). Besides commands: every ``DIALER_*``
variable a doc names is declared by a setting (``config/``) or is one of the
few read outside the settings, and every repository path a doc names, in a
command, a code span or a link, exists.

What the docs leave out is not judged: an inline span may name a command
without its required arguments (``dialer-suite cleanup``), ``...`` stands for
arguments left out, and a refusal of an UPPERCASE placeholder value (``--rate
N``) is no refusal of the command. A command the docs show on purpose as
refused (an example of the one-line error, or of a setting not yet added) is
marked with ``<!-- refused -->`` in its paragraph, or right above its fenced
block; the check then requires the CLI to refuse it, and the variables of that
paragraph (and of Python blocks) are not looked up.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.test_ci_workflows import commands, pytest_collect

from dialer_suite.api import statuses
from dialer_suite.api.spec import SPEC_ENV
from dialer_suite.cli import build_parser
from dialer_suite.config.declare import entries
from dialer_suite.config.layers import CONFIG_ENV
from dialer_suite.config.settings import Settings
from dialer_suite.errors import UsageError
from dialer_suite.simulator.config import SimulatorConfig
from dialer_suite.simulator.dialer.settings import DialerSettings

_ROOT = Path(__file__).resolve().parents[1]
_SUBCOMMANDS = set(next(a for a in build_parser()._actions
                        if isinstance(a, argparse._SubParsersAction)).choices)
_DOCS = [_ROOT / "README.md", _ROOT / "load_tests" / "README.md", *sorted((_ROOT / "docs").rglob("*.md"))]
_SHELL_BLOCKS = {"bash", "sh", "shell", "console"}
REFUSED = "<!-- refused -->"
_FENCE = re.compile(r"^( *)```(\w*)[^\n]*\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
_SPAN = re.compile(r"`([^`\n]+(?:\n[^`\n]+)?)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_VARIABLE = re.compile(r"\bDIALER_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_]*[<*])")
_COMMAND_START = re.compile(
    r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:\.venv/bin/)?(?=dialer-suite\b|pytest\b|python -m pytest\b)")
# The top-level entries of the repository a doc may name by path (outputs such as reports/ are not).
_TRACKED = ("src", "tests", "contract_tests", "load_tests", "fixtures", "openapi", "docs", "benchmarks",
            ".ci")
# Not a test id such as contract_tests/preflight::target_is_usable (the JUnit entry of the preflight).
_REPO_PATH = re.compile(rf"(?<![\w./-])((?:{'|'.join(map(re.escape, _TRACKED))})/[\w./-]+)(?![\w./:-])")
# Arguments a doc leaves out, and values it leaves to the reader (--rate N, --run-id RUN_ID).
_ELIDED = {"...", "…"}
_PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9_]*")
# pytest's own markers and pytest-timeout's, besides the ones pyproject.toml registers.
_BUILTIN_MARKERS = {"skip", "skipif", "xfail", "parametrize", "usefixtures", "filterwarnings", "timeout"}


@dataclass(frozen=True)
class Command:
    """One command a doc shows: where (for the failure message), its words, and whether it is refused."""

    where: str
    argv: tuple[str, ...]
    refused: bool = False
    partial: bool = False  # an inline span: it may leave out required arguments

    def __str__(self) -> str:
        return f"{self.where}: `{shlex.join(self.argv)}`"


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _marked(text: str, offset: int) -> bool:
    """Is the paragraph at ``offset`` (for a fenced block: the lines right before it) marked refused?"""
    start = text.rfind("\n\n", 0, offset)
    end = text.find("\n\n", offset)
    return REFUSED in text[start + 1:end if end >= 0 else len(text)]


def _normalised(command: str) -> str:
    return re.sub(r"(?<![\w/])\.venv/bin/", "", _COMMAND_START.sub("", command))


def documented_commands(text: str, name: str) -> Iterator[Command]:
    """The commands of one doc: its fenced shell blocks', then its inline code spans'."""
    for block in _FENCE.finditer(text):
        if block.group(2) in _SHELL_BLOCKS:
            refused = _marked(text, block.start())
            script = "\n".join(_normalised(line.strip()) for line in block.group(3).splitlines())
            for words in commands(script):
                yield Command(f"{name}:{_line(text, block.start())}",
                              tuple(w for w in words if w not in _ELIDED), refused)
    prose = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for span in _SPAN.finditer(prose):
        code = " ".join(span.group(1).split())
        if not _COMMAND_START.match(code):
            continue
        argv = tuple(word for word in shlex.split(_normalised(code)) if word not in _ELIDED)
        # `dialer-suite target` (a JUnit property) names no command; a subcommand or an option does.
        if argv[0] != "dialer-suite" or len(argv) == 1 or argv[1] in _SUBCOMMANDS or argv[1][0] == "-":
            yield Command(f"{name}:{_line(prose, span.start())}", argv, _marked(prose, span.start()),
                          partial=True)


def _registered_markers() -> set[str]:
    ini = tomllib.loads((_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    return {re.split(r"[:(]", line, maxsplit=1)[0].strip() for line in ini["ini_options"]["markers"]}


def _marker_problem(pytest_args: tuple[str, ...]) -> str | None:
    known = _registered_markers() | _BUILTIN_MARKERS
    for index, arg in enumerate(pytest_args):
        expression = pytest_args[index + 1] if arg == "-m" and index + 1 < len(pytest_args) else None
        if arg.startswith("-m") and len(arg) > 2:
            expression = arg[2:].lstrip("=")
        names = set(re.findall(r"[A-Za-z_]\w*", expression or "")) - {"and", "or", "not"}
        if names - known:
            return f"-m {expression!r} names markers that are not registered: {sorted(names - known)}"
    return None


def _is_path(arg: str) -> bool:
    """A test path of the repository (``tests/tenant``, ``contract_tests``, ``tests/x.py::test_y``)."""
    return re.split(r"/|::", arg)[0] in _TRACKED


def _parser(partial: bool) -> argparse.ArgumentParser:
    """dialer-suite's parser; ``partial``: with no argument required, for a span that names a command."""
    parser = build_parser()
    if partial:
        pending = [parser]
        while pending:
            current = pending.pop()
            for action in current._actions:
                action.required = False
                if isinstance(action, argparse._SubParsersAction):
                    pending.extend(action.choices.values())
            for group in current._mutually_exclusive_groups:
                group.required = False
    return parser


def _pytest_problem(pytest_args: tuple[str, ...], paths_allowed: bool) -> str | None:
    """None when pytest takes these arguments (run from the repository root), else what is wrong."""
    paths = [arg for arg in pytest_args if _is_path(arg)]
    if paths and not paths_allowed:
        return f"dialer-suite contract runs the contract suite itself; it takes no paths: {paths}"
    missing = [p for p in paths if not (_ROOT / p.split("::")[0]).exists()]
    if missing:
        return f"no such file or folder in the repository: {missing}"
    options = tuple(arg for arg in pytest_args if arg not in paths)
    markers = _marker_problem(options)
    if markers:
        return markers
    code, output = pytest_collect(options)
    # 5: nothing selected in contract_tests (a -m of the self-tests), not a refusal.
    if code not in (0, 5) or "unrecognized arguments" in output:
        return f"pytest exited {code}: {output.strip()}"
    return None


def refusal(argv: tuple[str, ...], partial: bool = False) -> str | None:
    """None when the code accepts the command as written, else what it said."""
    problem = _refusal(argv, partial)
    placeholders = [w for w in argv if _PLACEHOLDER.fullmatch(w)]
    if problem and any(f"'{word}'" in problem for word in placeholders):
        return None
    return problem


def _refusal(argv: tuple[str, ...], partial: bool) -> str | None:
    if argv[0] != "dialer-suite":
        return _pytest_problem(argv[3:] if argv[0] == "python" else argv[1:], paths_allowed=True)
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said), contextlib.redirect_stdout(io.StringIO()):
            parsed = _parser(partial).parse_args(list(argv[1:]))
    except SystemExit as stop:
        return None if stop.code == 0 else f"dialer-suite refused it: {said.getvalue().strip()}"
    except UsageError as problem:
        return f"dialer-suite refused it: {problem}"
    if getattr(parsed, "command", None) == "contract":
        # After ``--`` the arguments are pytest's alone; pytest takes them the same way here.
        return _pytest_problem(tuple(a for a in parsed.pytest_args if a != "--"), paths_allowed=False)
    return None


def _all_commands() -> list[Command]:
    return [command for doc in _DOCS
            for command in documented_commands(doc.read_text(encoding="utf-8"), str(doc.relative_to(_ROOT)))]


def _declared_variables() -> set[str]:
    models = (Settings, SimulatorConfig, DialerSettings)
    declared = {entry.setting.env for model in models for entry in entries(model) if entry.setting.env}
    # The contact status constants (api/statuses.py) share the prefix; they are no variables.
    status_names = {name for name in vars(statuses) if name.startswith("DIALER_")}
    return declared | {CONFIG_ENV, SPEC_ENV} | status_names


def test_the_docs_show_commands_of_every_kind() -> None:
    shown = {command.argv[:2] for command in _all_commands()}
    for expected in [("dialer-suite", "contract"), ("dialer-suite", "load"), ("dialer-suite", "serve"),
                     ("dialer-suite", "selfcheck"), ("python", "-m")]:
        assert expected in shown, f"no `{' '.join(expected)}` command found in {[str(p) for p in _DOCS]}"


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: f"{c.where} {' '.join(c.argv)[:60]}")
def test_every_documented_command_is_accepted_as_written(command: Command) -> None:
    problem = refusal(command.argv, command.partial)
    if command.refused:
        assert problem is not None, f"{command} is shown as refused ({REFUSED}) but is accepted"
    else:
        assert problem is None, f"{command} is not accepted: {problem}"


@pytest.mark.parametrize("doc", _DOCS, ids=lambda p: str(p.relative_to(_ROOT)))
def test_every_variable_a_doc_names_is_declared(doc: Path) -> None:
    # A Python block may declare a setting as an example (docs/architecture.md "Adding a setting").
    text = _FENCE.sub(lambda m: "" if m.group(2) == "python" else m.group(0), doc.read_text(encoding="utf-8"))
    named = {m.group(0) for m in _VARIABLE.finditer(text) if not _marked(text, m.start())}
    unknown = sorted(named - _declared_variables())
    assert not unknown, f"{doc.relative_to(_ROOT)} names variables no setting declares: {unknown}"


@pytest.mark.parametrize("doc", _DOCS, ids=lambda p: str(p.relative_to(_ROOT)))
def test_every_repository_path_a_doc_names_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    named = {path.rstrip(".") for path in _REPO_PATH.findall(text)}
    linked = {doc.parent / link.split("#")[0] for link in _LINK.findall(text)
              if not re.match(r"[a-z]+:|#", link)}
    missing = sorted(p for p in named if not (_ROOT / p).exists())
    missing += sorted(str(p.relative_to(_ROOT)) for p in linked if not p.resolve().exists())
    assert not missing, f"{doc.relative_to(_ROOT)} names paths that do not exist: {missing}"


_FAKE_DOC = """\
Run it:

```bash
.venv/bin/dialer-suite contract -m quick --report-dir out
DIALER_RATE_LIMIT=5 dialer-suite load --profile smoke --no-such-flag
python -m pytest tests/no_such_file.py
```

Or `dialer-suite contract --made-up-option 3`, or `python -m pytest -m "quick or fastest"`.

<!-- refused -->
A bad value is one line, exit 2: `dialer-suite serve --rate-limit abc`.
"""


def test_the_check_finds_commands_in_blocks_and_spans_and_refuses_made_up_ones() -> None:
    found = list(documented_commands(_FAKE_DOC, "fake.md"))
    assert [c.argv[:3] for c in found] == [
        ("dialer-suite", "contract", "-m"), ("dialer-suite", "load", "--profile"),
        ("python", "-m", "pytest"), ("dialer-suite", "contract", "--made-up-option"),
        ("python", "-m", "pytest"), ("dialer-suite", "serve", "--rate-limit"),
    ], found
    problems = [refusal(c.argv) for c in found]
    assert problems[0] is None, problems[0]
    assert "--no-such-flag" in str(problems[1])
    assert "no such file" in str(problems[2])
    assert "unrecognized arguments" in str(problems[3])
    assert "fastest" in str(problems[4])
    assert found[5].refused and not any(c.refused for c in found[:5])


def test_a_refused_example_that_the_cli_accepts_fails() -> None:
    (command,) = documented_commands(f"{REFUSED}\n```sh\ndialer-suite faults\n```\n", "fake.md")
    assert command.refused and refusal(command.argv) is None
