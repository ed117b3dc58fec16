"""The assumption matrix: the contract suite against every other reading of the vendor page.

Where the vendor page is silent the spec marks our guess with an ``x-assumption``
and the simulator can play other plausible choices. Run against the clean
simulator, against the ``lean`` profile (the leanest reading everywhere at once)
and against every single alternative choice, the suite must never report a
failure as "vendor broke its documented contract", and every test that fails
must be filed under the assumption that was switched — else a label is wrong,
or a test checks our guess as if the vendor had documented it.

A run's verdicts are read from its ``contract-summary.json``, which lists every
failure with its kind and assumption ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialer_suite.selfcheck.model import RunRequest, RunResult, RunStatus, Tool

LEAN = "lean"
_SUMMARY = ("reports", "contract-summary.json")


@dataclass(frozen=True)
class Reading:
    """One way the simulator reads the page: ``ID=CHOICE``, a profile, or the default (None)."""

    vendor: str | None
    switched: frozenset[str]  # the assumption ids it plays differently from the default

    @property
    def label(self) -> str:
        return self.vendor or "default"


def readings(catalog: Mapping[str, Any]) -> list[Reading]:
    """The default, ``lean``, then every alternative choice of every assumption, in catalog order.

    ``catalog`` is the simulator's assumption registry: id → (``default``,
    ``choices``, ``lean``).
    """
    found = [
        Reading(None, frozenset()),
        Reading(LEAN, frozenset(i for i, a in catalog.items() if a.lean != a.default)),
    ]
    for assumption_id, assumption in catalog.items():
        found += [
            Reading(f"{assumption_id}={choice}", frozenset({assumption_id}))
            for choice in assumption.choices
            if choice != assumption.default
        ]
    return found


def plan_readings(all_readings: Iterable[Reading], seed: int) -> list[RunRequest]:
    """One contract-suite run per reading, all with ``seed``: a difference between two runs is
    the reading's, not the seed's."""
    return [RunRequest(Tool.SUITE, None, seed, reading.vendor) for reading in all_readings]


@dataclass(frozen=True)
class Verdict:
    """What one reading's run showed about the suite's labels."""

    reading: Reading
    status: RunStatus
    seconds: float
    documented: tuple[str, ...]  # failures filed as a broken documented contract
    mislabelled: tuple[str, ...]  # failures filed under assumptions none of which was switched
    differences: tuple[str, ...]  # failures rightly filed under a switched assumption
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Clean labels: no documented failure, none mislabelled, and a run that finished.

        The default reading must also pass outright: it is the simulator the suite was
        written against.
        """
        finished = self.status in (RunStatus.PASSED, RunStatus.FAILED)
        clean = self.reading.vendor is not None or self.status is RunStatus.PASSED
        return finished and clean and not self.documented and not self.mislabelled


def judge(reading: Reading, result: RunResult, folder: Path) -> Verdict:
    """Read the run's failures from its summary and sort them by what their labels say."""
    summary = _summary(folder)
    if summary is None and result.status in (RunStatus.PASSED, RunStatus.FAILED):
        return Verdict(reading, RunStatus.ERROR, result.seconds, (), (), (),
                       f"no {'/'.join(_SUMMARY)} to read the labels from")
    documented, mislabelled, differences = [], [], []
    for failure in (summary or {}).get("failures", []):
        ids = set(failure.get("assumptions") or ())
        line = f"{failure['nodeid']} [{', '.join(sorted(ids)) or 'documented'}]: {failure.get('message', '')}"
        if failure.get("kind") != "assumption":
            documented.append(line)
        elif not ids & reading.switched:
            mislabelled.append(line)
        else:
            differences.append(line)
    return Verdict(reading, result.status, result.seconds, tuple(documented), tuple(mislabelled),
                   tuple(differences), result.detail)


def _summary(folder: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(folder.joinpath(*_SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def render_terminal(verdicts: list[Verdict], info: Mapping[str, str]) -> str:
    width = max(len(v.reading.label) for v in verdicts)
    lines = ["Assumption matrix (documented failures / mislabelled / filed under the switched id)"]
    for verdict in verdicts:
        state = "ok  " if verdict.ok else "FAIL"
        lines.append(
            f"{state} {verdict.reading.label:<{width}}  {verdict.status:<7} {len(verdict.documented)} / "
            f"{len(verdict.mislabelled)} / {len(verdict.differences)}  ({verdict.seconds:.0f} s)"
        )
        lines += [f"       documented: {line[:160]}" for line in verdict.documented]
        lines += [f"       mislabelled: {line[:160]}" for line in verdict.mislabelled]
        if verdict.detail and not verdict.ok:
            lines.append(f"       {verdict.detail.splitlines()[0][:160]}")
    bad = [v.reading.label for v in verdicts if not v.ok]
    lines += ["", f"{len(verdicts)} readings, {len(bad)} with wrong labels or broken runs"
              + (": " + ", ".join(bad) if bad else "")]
    lines += [f"{key}: {value}" for key, value in info.items()]
    return "\n".join(lines)


def render_markdown(verdicts: list[Verdict], info: Mapping[str, str]) -> str:
    out = ["# Selfcheck: the assumption matrix", ""]
    out += [f"- {key}: {value}" for key, value in info.items()]
    out += ["", "| reading | run | documented | mislabelled | filed under the switched id | verdict |",
            "|---|---|---|---|---|---|"]
    for v in verdicts:
        out.append(f"| `{v.reading.label}` | {v.status} ({v.seconds:.0f} s) | {len(v.documented)} "
                   f"| {len(v.mislabelled)} | {len(v.differences)} | {'ok' if v.ok else '**FAIL**'} |")
    for v in verdicts:
        if v.documented or v.mislabelled or v.differences:
            out += ["", f"## `{v.reading.label}`", ""]
            out += [f"- documented: `{line}`" for line in v.documented]
            out += [f"- mislabelled: `{line}`" for line in v.mislabelled]
            out += [f"- {line}" for line in v.differences]
    return "\n".join(out) + "\n"


def render_json(verdicts: list[Verdict], info: Mapping[str, str]) -> str:
    return json.dumps({
        "info": dict(info),
        "ok": all(v.ok for v in verdicts),
        "readings": [
            {"reading": v.reading.label, "switched": sorted(v.reading.switched), "status": str(v.status),
             "seconds": round(v.seconds, 1), "ok": v.ok, "documented": list(v.documented),
             "mislabelled": list(v.mislabelled), "differences": list(v.differences)}
            for v in verdicts
        ],
    }, indent=2)
