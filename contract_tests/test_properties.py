"""Property tests: schemathesis generates requests for every operation, all checks judge the answers.

Positive data (valid per the spec) must be accepted and answered as the spec
says; negative data must be rejected with a declared 4xx — which codes is our
assumption ``error-codes`` (the vendor documents no error responses), so those
failures are reported apart. Every response also passes the suite's own checks
(``dialer_suite.contract.checks``): full spec validation, job id findable, writes read
back. Generated campaign ids, contact ids, numbers and names are rewritten by
the data policy (fictional numbers, run tags, only configured campaigns).

Reproduce a failure with the seed printed in the header (``--dialer-seed``);
each failure shows the curl that reproduces it.
"""

from __future__ import annotations

import pytest
from schemathesis import Case

from dialer_suite.contract.data_policy import DataPolicy
from dialer_suite.contract.property import build_schema, call_and_validate
from dialer_suite.contract.session import PacedSession
from dialer_suite.contract.state import current_settings, run_policy

_settings = current_settings()
_positive = build_schema(_settings, run_policy(_settings.run_id), mode="positive")
_negative = build_schema(_settings, run_policy(_settings.run_id), mode="negative")


@pytest.mark.property
@pytest.mark.cost(requests_per_example=2.9, contacts_per_example=0.75)  # with the write's read-back
@_positive.parametrize()
def test_valid_requests_are_answered_as_documented(
    case: Case, st_session: PacedSession, data_policy: DataPolicy
) -> None:
    call_and_validate(case, st_session, data_policy)


@pytest.mark.property
@pytest.mark.assumption("error-codes")
@pytest.mark.cost(requests_per_example=4.8)  # the coverage phase's edge cases come on top
@_negative.parametrize()
def test_invalid_requests_are_rejected(
    case: Case, st_session: PacedSession, data_policy: DataPolicy
) -> None:
    call_and_validate(case, st_session, data_policy)
