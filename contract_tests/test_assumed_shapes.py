"""What the run's responses showed of our assumptions: the last test of the suite.

A response that breaks a documented part of the spec fails the test that sent
the request. One that only breaks an ``x-assumption`` — a 401 without
``WWW-Authenticate``, a listed contact without a ``phone_number`` — fails
nothing on the spot: it would hide the documented checks of every test that
happens to read it. The run report collects each such break, and this test
reports them, once per kind, with how many responses showed it, under their
assumption ids.
"""

from __future__ import annotations

import pytest

from dialer_suite.contract.checks import CheckFailed
from dialer_suite.contract.report import RunReport


@pytest.mark.quick
@pytest.mark.summary
def test_every_response_has_the_shapes_we_assume(report: RunReport) -> None:
    shapes = sorted(report.assumed_shapes.items())
    if shapes:
        ids = tuple(dict.fromkeys(i for (broken, _), _ in shapes for i in broken))
        lines = [f"- [{', '.join(broken)}] {message} ({count} response(s))"
                 for (broken, message), count in shapes]
        raise CheckFailed("responses that differ from our assumptions:\n" + "\n".join(lines),
                          assumptions=ids)
