"""The vendor baseline file: what one run saw the target do, written so a person can review it.

``dialer-suite contract --record-baseline FILE`` writes it; ``--baseline FILE``
compares a run with it (``compare``); ``dialer-suite baseline diff`` compares
two of them. JSON with sorted keys and one fact per line, so that the pull
request that updates a baseline after a vendor release shows what changed
line by line. Nothing in it depends on the run rather than on the vendor: no
run id, no port of a loopback target, no ids the target assigned (failure
messages are normalised by ``normalize.stable_fact``); the seed is kept for
reproducing the recording only.

A file is refused, with one line, when it is missing, unreadable, not JSON,
not a baseline, or recorded against another spec (``info.version`` or
sha256): its facts name tests, keys and assumption ids of that spec. A run is
compared only with a baseline of its own target (``check_target``: the same
host, or the embedded simulator both times) unless the person says the target
changed. Tests the target was unavailable for are recorded as not run: an
outage is not the vendor's behaviour.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from dialer_suite.api import spec
from dialer_suite.config.settings import host_of, is_loopback
from dialer_suite.contract.facts import DRIFT, GENERATED, HEADERS, KEYS, SCENARIOS, SHAPES, STATUS, Seen
from dialer_suite.contract.normalize import stable_fact
from dialer_suite.contract.report import ASSUMPTION, DOCUMENTED, Outcome, RunReport
from dialer_suite.errors import UsageError
from dialer_suite.http.availability import SERVER_ERROR, UNAVAILABLE

FORMAT = "dialer-suite-baseline/1"
# How a test's outcome is judged against a baseline (``compare.verdict_for``), finest first:
FACT = "fact"  # scenario: outcome, kind, assumption ids and the normalised failure line
OUTCOME = "outcome"  # the embedded simulator's dialer, driven the same way every run: no message
GENERATED_DATA = "generated data"  # property, stateful, a sampled live campaign: coarse
RUN = "run"  # judges what the whole run saw (marker ``summary``): compared fact by fact at the end
LEVELS = (FACT, OUTCOME, GENERATED_DATA, RUN)
STATES = ("held", "differs", "untested")

_STRINGS = {"type": "array", "items": {"type": "string"}}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format", "recorded", "target", "spec", "assumptions", "operations",
                 "contact_statuses", "tests"],
    "properties": {
        "format": {"type": "string"},
        "recorded": {"type": "string"},
        "target": {"type": "string"},
        "target_host": {"type": "string"},
        "embedded": {"type": "boolean"},
        "spec": {"type": "object", "required": ["version", "sha256"],
                 "properties": {"version": {"type": "string"}, "sha256": {"type": "string"}}},
        "assumptions": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["state"],
            "properties": {"state": {"enum": list(STATES)}, "evidence": _STRINGS,
                           GENERATED: {"enum": list(STATES)}}}},
        "operations": {"type": "object", "additionalProperties": {
            "type": "object", "propertyNames": {"pattern": "^[1-5][0-9]{2}$"},
            "additionalProperties": {
                "type": "object", "required": ["by"],
                "properties": {"by": {"enum": [SCENARIOS, GENERATED]}, KEYS: _STRINGS,
                               HEADERS: _STRINGS, SHAPES: _STRINGS, DRIFT: _STRINGS}}}},
        "contact_statuses": {"type": "object", "additionalProperties": {"enum": [SCENARIOS, GENERATED]}},
        "tests": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["outcome"],
            "properties": {"outcome": {"enum": ["passed", "failed", "skipped"]},
                           "judged": {"enum": list(LEVELS)},
                           "kind": {"enum": [DOCUMENTED, ASSUMPTION, SERVER_ERROR]},
                           "assumptions": _STRINGS, "fact": {"type": "string"},
                           "why": {"type": "string"}}}},
    },
}


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline file: its facts and where they came from."""

    path: Path
    data: dict[str, Any]

    @property
    def date(self) -> str:
        return str(self.data["recorded"])[:10]

    @property
    def label(self) -> str:
        """How reports name it: ``baseline of 2026-11-27``."""
        return f"baseline of {self.date}"


def spec_identity() -> dict[str, str]:
    """The spec this suite checks: its ``info.version`` and the sha256 of the file."""
    document = spec.load_spec()
    digest = hashlib.sha256(spec.spec_path().read_bytes()).hexdigest()
    return {"version": str(document.get("info", {}).get("version", "")), "sha256": digest}


def load(path: Path) -> Baseline:
    """The baseline at ``path``, or a UsageError saying in one line what is wrong with it."""
    where = f"baseline file {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{where} does not exist; record one with --record-baseline {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise UsageError(f"{where} cannot be read: {reason}") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise UsageError(f"{where} is not JSON: {error}") from None
    problem = best_match(Draft202012Validator(_SCHEMA).iter_errors(data))
    if problem is not None:
        at = "/".join(str(part) for part in problem.absolute_path) or "the top"
        raise UsageError(f"{where} is not a dialer-suite baseline ({problem.message} at {at})")
    if data["format"] != FORMAT:
        raise UsageError(f"{where} has format {data['format']!r}; this dialer-suite reads {FORMAT!r}")
    try:
        datetime.fromisoformat(data["recorded"])
    except ValueError:
        raise UsageError(f"{where}: 'recorded' is not a date: {data['recorded']!r}") from None
    ours = spec_identity()
    if data["spec"] != ours:
        theirs = data["spec"]
        raise UsageError(
            f"{where} was recorded against spec version {theirs['version']} "
            f"(sha256 {theirs['sha256'][:12]}), this suite checks version {ours['version']} "
            f"(sha256 {ours['sha256'][:12]}); re-record it with --record-baseline {path}"
        )
    return Baseline(path, data)


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


_EMBEDDED = "embedded simulator"


def target_of(target: str) -> str:
    """What a baseline or a run is *of*: the target's host, or the embedded simulator."""
    if target.startswith(_EMBEDDED):
        return f"the {_EMBEDDED}"
    public = public_target(target)
    return host_of(public) if "//" in public else public


def check_target(loaded: Baseline, run_target: str) -> None:
    """Refuse, in one line, to judge a run by a baseline of another target: what one tenant
    (or the simulator) does says nothing of another."""
    recorded, now = target_of(str(loaded.data["target"])), target_of(run_target)
    if recorded != now:
        raise UsageError(
            f"baseline file {loaded.path} was recorded against {recorded}, this run targets {now}; "
            f"record a baseline of this target with --record-baseline, or pass "
            "--baseline-target-changed if it is the same tenant at a new address"
        )


def public_target(target: str) -> str:
    """The target without credentials, and without the port of a loopback host (a served
    simulator gets a new one every run)."""
    parts = urlsplit(target)
    if not parts.scheme or not parts.hostname:
        return target
    port = f":{parts.port}" if parts.port and not is_loopback(parts.hostname) else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"


# -- a run as a baseline -------------------------------------------------------


def snapshot(report: RunReport, recorded: datetime) -> dict[str, Any]:
    """The run's facts in the baseline format (also what a run is compared as)."""
    seen = report.seen or Seen(run_id=report.run_id)
    tests = _tests(report, seen)
    return {
        "format": FORMAT,
        "recorded": recorded.isoformat(timespec="seconds"),
        "target": public_target(report.target),
        "target_host": target_of(report.target),
        "embedded": report.embedded,
        "seed": report.seed,
        "spec": spec_identity(),
        "assumptions": _assumptions(tests, seen),
        "operations": _operations(seen),
        "contact_statuses": {value: _by(sources) for value, sources in seen.contact_values.items()},
        "tests": tests,
    }


def test_entry(outcome: Outcome, level: str, run_id: str) -> dict[str, Any]:
    """One test's line of facts; a failure's message only where the test is judged by it."""
    entry: dict[str, Any] = {"outcome": "passed" if outcome.passed else "failed", "judged": level}
    if outcome.assumption_ids:
        entry["assumptions"] = sorted(outcome.assumption_ids)
    if not outcome.passed:
        entry["kind"] = outcome.kind
        if level == FACT:
            entry["fact"] = stable_fact(outcome.message, run_id)
    return entry


def _tests(report: RunReport, seen: Seen) -> dict[str, dict[str, Any]]:
    tests: dict[str, dict[str, Any]] = {}
    for outcome in report.outcomes:
        if outcome.kind == UNAVAILABLE:
            tests[outcome.nodeid] = {"outcome": "skipped", "why": "the target was unavailable"}
            continue
        if tests.get(outcome.nodeid, {}).get("outcome") in ("failed", "skipped"):
            continue  # the first failure of a test (setup, call or teardown) is its fact
        if outcome.passed and outcome.nodeid in tests:
            continue
        tests[outcome.nodeid] = test_entry(outcome, seen.levels.get(outcome.nodeid, FACT), report.run_id)
    for nodeid, why in seen.skipped.items():
        tests.setdefault(nodeid, {"outcome": "skipped", "why": stable_fact(why, report.run_id)})
    return tests


def _assumptions(tests: dict[str, dict[str, Any]], seen: Seen) -> dict[str, dict[str, Any]]:
    """Per ``x-assumption`` id: held, differs or untested by the facts scenarios saw; the
    evidence lines; and what generated data alone showed, when it showed anything."""
    shapes = [(line, sources) for kinds in seen.answers.values()
              for line, sources in kinds.get(SHAPES, {}).items()]
    table: dict[str, dict[str, Any]] = {}
    for assumption_id in spec.assumption_ids():
        exact: list[str] = []
        generated: list[str] = []
        for entry in tests.values():
            if assumption_id in entry.get("assumptions", ()) and entry["outcome"] != "skipped" \
                    and entry["judged"] != RUN:
                state = "differs" if entry["outcome"] == "failed" else "held"
                (generated if entry["judged"] == GENERATED_DATA else exact).append(state)
        lines = seen.evidence.get(assumption_id, {})
        for line, sources in lines.items():
            (exact if SCENARIOS in sources else generated).append(line.split(":", 1)[0])
        for line, sources in shapes:
            if assumption_id in seen.shape_ids.get(line, ()):
                (exact if SCENARIOS in sources else generated).append("differs")
        row: dict[str, Any] = {"state": _state(exact)}
        evidence = sorted(line for line, sources in lines.items() if SCENARIOS in sources)
        if evidence:
            row["evidence"] = evidence
        if generated:
            row[GENERATED] = _state(generated)
        table[assumption_id] = row
    return table


def _state(states: list[str]) -> str:
    return "differs" if "differs" in states else "held" if states else "untested"


def _operations(seen: Seen) -> dict[str, dict[str, dict[str, Any]]]:
    operations: dict[str, dict[str, dict[str, Any]]] = {}
    for (operation_id, status), kinds in sorted(seen.answers.items()):
        by = _by(kinds[STATUS][""])
        entry: dict[str, Any] = {"by": by}
        if by == SCENARIOS:
            for kind in (KEYS, HEADERS, SHAPES):
                facts = sorted(fact for fact, sources in kinds.get(kind, {}).items() if SCENARIOS in sources)
                if facts:
                    entry[kind] = facts
        if kinds.get(DRIFT):
            entry[DRIFT] = sorted(kinds[DRIFT])
        operations.setdefault(operation_id, {})[str(status)] = entry
    return operations


def _by(sources: set[str]) -> str:
    return SCENARIOS if SCENARIOS in sources else GENERATED
