"""The folders of ``src/dialer_suite`` are layers, and an import never goes up.

Read from the code with ``ast`` (every import counts: at module level, inside
functions, under ``TYPE_CHECKING``), so a change that makes a lower layer
depend on a higher one — the HTTP client on the contract suite's report, the
simulator on the load suite — fails here with the file, line and both layers
named. The picture in ``docs/architecture.md`` is generated from the same
scan and must match it.
"""

from __future__ import annotations

import ast
import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]
_PACKAGE = _ROOT / "src" / "dialer_suite"
_DOC = _ROOT / "docs" / "architecture.md"

# Lower numbers are lower layers. Packages of the same rank must not import each other.
LAYERS = {
    "errors": 0,
    "api": 1,
    "config": 2,
    "http": 3,
    "simulator": 3,
    "contract": 4,
    "load": 4,
    "selfcheck": 5,
    "cli": 6,
    "suite_workers": 6,  # a pytest plugin for the project's own test run; imports nothing of ours
}
_MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(_PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported dialer_suite module) for every import in the file.

    ``from package import submodule`` counts as importing the submodule.
    """
    modules = _all_modules()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dialer_suite."):
                    yield node.lineno, alias.name
        elif (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
              and node.module.split(".")[0] == "dialer_suite"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield node.lineno, submodule if submodule in modules else node.module


@functools.cache
def _all_modules() -> frozenset[str]:
    return frozenset(_module_name(path) for path in _sources())


def _sources() -> list[Path]:
    return sorted(_PACKAGE.rglob("*.py"))


def _package_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in _sources():
        source = _layer(_module_name(path))
        for _, imported in _imports(path):
            target = _layer(imported)
            if source and target and target != source:
                edges[source].add(target)
    return edges


def mermaid() -> str:
    """The layer picture of ``docs/architecture.md``: one node per layer, one arrow per import."""
    lines = ["flowchart BT"]
    edges = _package_edges()
    for source in sorted(LAYERS, key=lambda name: (LAYERS[name], name)):
        lines += [f"    {source} --> {target}" for target in sorted(edges.get(source, ()))]
    return "\n".join(lines) + "\n"


def test_every_package_of_the_source_tree_has_a_layer() -> None:
    found = {_layer(_module_name(path)) for path in _sources()} - {""}
    assert found == set(LAYERS), f"packages without a layer: {sorted(found - set(LAYERS))}"


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(_PACKAGE)))
def test_imports_go_only_to_the_same_or_a_lower_layer(path: Path) -> None:
    module = _module_name(path)
    layer = _layer(module)
    upward = [
        f"line {line}: {module} ({layer}, rank {LAYERS.get(layer)}) imports {imported} "
        f"({_layer(imported)}, rank {LAYERS.get(_layer(imported))})"
        for line, imported in _imports(path)
        if layer and _layer(imported) != layer and LAYERS[_layer(imported)] >= LAYERS[layer]
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycle_between_modules() -> None:
    graph = {
        _module_name(path): {imported for _, imported in _imports(path)} for path in _sources()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(_PACKAGE)))
def test_no_module_is_over_the_line_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= _MAX_LINES, f"{path.relative_to(_ROOT)} has {lines} lines (at most {_MAX_LINES})"


def test_the_documented_picture_is_the_one_the_code_draws() -> None:
    match = re.search(r"```mermaid\n(.*?)```", _DOC.read_text(encoding="utf-8"), re.S)
    assert match is not None, f"{_DOC} has no mermaid block"
    assert match.group(1) == mermaid(), (
        "docs/architecture.md is out of date; its block should read:\n" + mermaid()
    )


def test_no_module_rebinds_a_global() -> None:
    # What a `global` statement rebinds is shared by everything in the process (two simulators,
    # two tests): such state belongs to an object that is passed, as the simulator's Switches.
    found = [
        f"{path.relative_to(_ROOT)}:{node.lineno}: global {', '.join(node.names)}"
        for path in _sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Global)
    ]
    assert not found, "\n".join(found)
