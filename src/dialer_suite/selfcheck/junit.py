"""Read the failing tests out of a JUnit XML report (pytest's and schemathesis's).

The kill evidence of a run is which tests failed and the first line of why;
both tools write JUnit XML, so one reader serves both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree

from dialer_suite.selfcheck.model import Failure

_MESSAGE_LIMIT = 200  # one readable line in a matrix cell; the full text stays in the XML
_CODE_TITLE = re.compile(r"^- (ST\d+) (.+?)\s*$", re.MULTILINE)


class JUnitError(ValueError):
    """The report is missing or not JUnit XML: the run left no evidence to read."""


def read_failures(xml_text: str) -> list[Failure]:
    """Every failed or errored test case, in report order.

    A test id is ``classname::name`` (pytest) or ``name`` (schemathesis, which
    writes no classname). Errors are kept as failures prefixed ``error:``: a test
    that cannot even set up against a faulty simulator has still noticed it.
    """
    failures: list[Failure] = []
    for case, outcome in _outcomes(xml_text):
        prefix = "error: " if outcome.tag == "error" else ""
        failures.append(Failure(_test_id(case), prefix + _first_line(outcome)))
    return failures


def read_schemathesis_failures(xml_text: str) -> list[Failure]:
    """One failure per schemathesis failure code and operation, named ``ST201 <title>``.

    schemathesis's message lists the codes of every failed check of an
    operation ("ST201, ST301"); its text carries each code's title
    ("- ST201 Schema-violating request accepted"). Splitting lets a faulty run
    be compared check by check with the clean run of the same tool.
    """
    failures: list[Failure] = []
    for case, outcome in _outcomes(xml_text):
        codes = [code.strip() for code in (outcome.get("message") or "").split(",") if code.strip()]
        if outcome.tag != "failure" or not codes:
            failures.append(Failure(_test_id(case), f"{outcome.tag}: {_first_line(outcome)}"))
            continue
        titles = dict(_CODE_TITLE.findall(outcome.text or ""))
        failures.extend(Failure(_test_id(case), f"{code} {titles.get(code, '')}".strip()) for code in codes)
    return failures


def _outcomes(xml_text: str) -> Iterator[tuple[ElementTree.Element, ElementTree.Element]]:
    try:
        root = ElementTree.fromstring(xml_text)
    except ElementTree.ParseError as error:
        raise JUnitError(f"not JUnit XML: {error}") from error
    if root.tag not in ("testsuites", "testsuite"):
        raise JUnitError(f"not JUnit XML: root element <{root.tag}>")
    for case in root.iter("testcase"):
        for outcome in case:
            if outcome.tag in ("failure", "error"):
                yield case, outcome


def _test_id(case: ElementTree.Element) -> str:
    classname = case.get("classname", "")
    name = case.get("name", "?")
    return f"{classname}::{name}" if classname else name


def _first_line(outcome: ElementTree.Element) -> str:
    """The first line of the message (else the text), with the next line if it ends in ":".

    Messages like "responses that differ from our assumptions:" say what broke on
    their second line; one line without it would say nothing.
    """
    for text in (outcome.get("message"), outcome.text):
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if lines:
            headline = " ".join(lines[:2]) if lines[0].endswith(":") and len(lines) > 1 else lines[0]
            return _shorten(headline)
    return outcome.tag


def _shorten(line: str) -> str:
    return line if len(line) <= _MESSAGE_LIMIT else line[: _MESSAGE_LIMIT - 1] + "…"
