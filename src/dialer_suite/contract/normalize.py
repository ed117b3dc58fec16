"""Failure messages as stable one-line facts, for the vendor baseline.

A baseline compares what a test said about the vendor on one run with what it
says on the next. The vendor behaviour must decide that, not the run: a
message quotes ids the target assigned, the run id in every name and e-mail,
fictional phone numbers drawn per run, ports, timestamps and durations. Each
of those is replaced by a placeholder, and what describes behaviour is kept:
the status codes a refusal expected and got, small counts ("listed 0
time(s)"), values such as ``'completed'`` or ``'not a phone number'``.
"""

from __future__ import annotations

import re

_MAX = 300
# "dialer_suite.http.result.ContractViolation: ..." / "AssertionError: ..." / "Failed: ..."
_EXCEPTION = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*: ")
_URL = re.compile(r"\bhttps?://\S+")
_HOST_PORT = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\blocalhost:\d+\b")
_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_FLOAT = re.compile(r"\b\d+\.\d+\b")
_INTEGER = re.compile(r"\b\d+\b")
# An integer right after these names an id the target assigned, whatever its size.
_ID_BEFORE = re.compile(r"(?:\b(?:id|contact_id|job_id)\W{0,4}|\b(?:contact|job|record) |jobs/)$")
# A 1xx-5xx after these is a status code: the behaviour itself (``expected 415 ..., got 400``).
_STATUS_BEFORE = re.compile(
    r"(?:^|\b(?i:expected|got|answered|status|statuses|with|or|and|refused|declared|codes?)"
    r"|\b[a-z]+[A-Z][A-Za-z]*)"  # an operationId: "importContacts 202"
    r"[\s:(,]*(?:\d{3}[\s,]+(?:or\s+|and\s+)?)*$"
)
_CONTEXT = 40
_POSITION = re.compile(r"/[0-9]+(?=/|:|$)")


def stable_fact(message: str, run_id: str = "") -> str:
    """The first line of ``message`` with everything that differs between runs replaced.

    The same vendor behaviour gives the same line on the next run, with another
    run id, seed, port and target-assigned ids.
    """
    line = next((part.strip() for part in message.splitlines() if part.strip()), "")
    line = _EXCEPTION.sub("", line)
    if len(run_id) >= 4:
        line = line.replace(run_id, "<run>")
    line = _URL.sub("<url>", line)
    line = _HOST_PORT.sub("<host>", line)
    line = _TIMESTAMP.sub("<time>", line)
    line = _QUOTED.sub(_quoted, line)
    line = _FLOAT.sub("<x>", line)
    line = _INTEGER.sub(_integer, line)
    line = re.sub(r"\s+", " ", line).strip()
    return line if len(line) <= _MAX else line[: _MAX - 1] + "…"


def without_positions(message: str) -> str:
    """A violation with the position in a list left out, so that the same break in every
    contact of a list is one line: ``at /17/phone_number`` → ``at /*/phone_number``."""
    return _POSITION.sub("/*", message)


def _quoted(match: re.Match[str]) -> str:
    """A quoted value that carries a number, an address or the run id is run data; others
    (``'completed'``, ``'not a phone number'``) are what the vendor answered."""
    text = match.group(0)
    if any(ch.isdigit() for ch in text) or "@" in text or "<run>" in text:
        return text[0] + "…" + text[0]
    return text


def _integer(match: re.Match[str]) -> str:
    before = match.string[max(0, match.start() - _CONTEXT):match.start()]
    value = match.group(0)
    if _ID_BEFORE.search(before):
        return "<n>"
    if len(value) == 3 and 100 <= int(value) <= 599 and _STATUS_BEFORE.search(before):
        return value
    # Small counts describe behaviour (listed 0 / 2 time(s)); large numbers are ids and sizes.
    return value if int(value) < 100 and len(value) <= 2 else "<n>"
