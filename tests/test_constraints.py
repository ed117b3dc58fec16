"""constraints.txt pins what pyproject.toml asks for, and CI installs with it.

A requirement added to pyproject.toml without a refresh would be installed at
whatever version the index has that night; a lower bound raised past the pin
would make every install with the constraints fail. Both fail here instead,
with the command that fixes them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

_ROOT = Path(__file__).resolve().parents[1]
_REFRESH = "refresh it: .ci/refresh-constraints"


def _pins() -> dict[str, Version]:
    lines = (_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(name): Version(version) for name, version in pairs}


def _requirements() -> list[Requirement]:
    project = tomllib.loads((_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    given = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values()
                                         for r in extra)]
    return [Requirement(r) for r in given]


@pytest.mark.parametrize("requirement", _requirements(), ids=str)
def test_every_requirement_is_pinned_within_its_bounds(requirement: Requirement) -> None:
    pinned = _pins().get(canonicalize_name(requirement.name))
    assert pinned is not None, f"{requirement.name} is not in constraints.txt; {_REFRESH}"
    assert requirement.specifier.contains(pinned, prereleases=True), (
        f"constraints.txt pins {requirement.name}=={pinned}, outside {requirement}; {_REFRESH}"
    )


def test_ci_installs_with_the_constraints() -> None:
    script = (_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    installs = [line for line in script.splitlines() if "pip install" in line and "-e" in line]
    assert installs and all("-c constraints.txt" in line for line in installs), installs
