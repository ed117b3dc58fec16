"""One answer of the target as the scenarios see it, and the failure that shows it.

A ``Result`` is an exchange that was validated against the spec; a
``ContractViolation`` is what a scenario raises about one: the message names
what broke and carries the curl that reproduces it, and ``assumptions`` files
it under the kind of contract it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from dialer_suite.api.validation import Findings
from dialer_suite.http.exchange import Exchange


class ContractViolation(AssertionError):
    """A response broke the spec, or a test's expectation; the message names what broke and
    how to reproduce it.

    ``assumptions`` says which kind of contract the failure is about, for the run
    report: ``()`` a documented part of the spec, ids the ``x-assumption``s broken,
    None the test's expectation (the test's own marks decide).
    """

    def __init__(
        self, problems: list[str], exchange: Exchange, *, assumptions: tuple[str, ...] | None = None
    ) -> None:
        self.problems = problems
        self.exchange = exchange
        self.assumptions = assumptions
        # The first problem leads: it is the line a summary or a kill matrix shows.
        super().__init__("\n".join([*problems[:1], *(f"- {p}" for p in problems[1:]), exchange.describe()]))

    @classmethod
    def of(cls, findings: Findings, exchange: Exchange) -> ContractViolation:
        """The violation of a response that broke a documented part of the spec.

        What a response breaks of our assumptions alone does not fail the request
        at hand: the run report collects it, and the suite's last test reports it
        under its ids, so that one assumed shape does not hide every documented
        check of the tests that happen to read it.
        """
        return cls([p.message for p in findings.documented], exchange, assumptions=())


@dataclass
class Result:
    """A validated exchange; ``body`` is the parsed JSON (None when empty)."""

    exchange: Exchange
    findings: Findings
    headers: httpx.Headers

    @property
    def status(self) -> int:
        assert self.exchange.status is not None
        return self.exchange.status

    @property
    def body(self) -> Any:
        return self.findings.body

    def expect(self, *statuses: int, why: str = "") -> Result:
        """Fail, showing the exchange, unless the status is one of ``statuses``."""
        if self.status not in statuses:
            expected = " or ".join(str(s) for s in statuses)
            reason = f" ({why})" if why else ""
            raise ContractViolation(
                [f"{self.findings.operation_id}: expected {expected}{reason}, got {self.status}"],
                self.exchange,
            )
        return self

    def refused(
        self, status: int, *, why: str, assumption: str = "error-codes", done: tuple[str, ...] = ()
    ) -> Result:
        """Fail unless the target refused the request with ``status``.

        Refusing it with another 4xx only differs from ``assumption`` — the vendor
        documents no error codes (a 5xx already failed the spec validation).
        Carrying it out (a 2xx) breaks the documented contract, unless ``done``
        names the assumptions that say it must be refused at all.
        """
        if self.status == status:
            return self
        expected = f"{self.findings.operation_id}: expected {status} ({why}), got {self.status}"
        if 200 <= self.status < 300:
            raise self.fail(f"{expected}: the target carried it out", assumptions=done)
        raise self.fail(expected, assumptions=(assumption,))

    def fail(self, problem: str, *, assumptions: tuple[str, ...] | None = None) -> ContractViolation:
        """A violation about this exchange, for a caller to raise (``assumptions``: as
        ``ContractViolation``'s; None leaves the verdict to the test)."""
        return ContractViolation([problem], self.exchange, assumptions=assumptions)
