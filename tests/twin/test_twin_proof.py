"""The twin of a recorded target answers the suite as the target did (issue 18's proof).

For the simulator's default reading, the ``lean`` profile and a sample of
single alternatives, and for the independent tenant (``tests.tenant``) with two
sets of choices where the vendor page is silent: record a baseline against the
target, serve its twin, run the suite against the twin with that baseline.
There must be no change, and the same tests must fail as on the original —
of those a baseline judges one by one: the test that checks every answer of
the run against our assumed shapes also sees the answers to generated
requests, which no baseline keeps (the tenant answers a path its router does
not match with a plain-text 404, and the twin cannot know). Every other single
alternative is read by the same rules, tested one by one in
``test_twin_rules.py``. Two or three contract-suite runs per target, so
``exhaustive``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.tenant import TenantOptions
from tests.twin.proof import BURST, RATE, prove, simulator, tenant

from dialer_suite.contract.baseline import Baseline
from dialer_suite.contract.twin.build import read_twin

pytestmark = [pytest.mark.exhaustive, pytest.mark.slow]

# Alternatives the lean profile does not play, each answered by another kind of evidence: the
# status of every bad request, the header that names the job, the form of Retry-After.
_SAMPLE = ["error-codes=all-422", "job-id-location=x-job-id", "rate-limit-429=retry-after-date"]


@pytest.mark.parametrize("reading", ["default", "lean", *_SAMPLE])
def test_the_twin_of_a_simulator_reading_answers_the_suite_as_the_reading_did(
    tmp_path: Path, reading: str
) -> None:
    if reading == "default":
        original = simulator()
    elif reading == "lean":
        original = simulator(vendor_profile="lean")
    else:
        assumption_id, choice = reading.split("=")
        original = simulator(assume={assumption_id: choice})
    proof = prove(original, tmp_path)
    assert proof.twin.changes == [], proof.describe()
    assert proof.twin.returncode == 0, proof.describe()
    assert proof.failing(proof.twin) == proof.failing(proof.original), proof.describe()


# Two implementations of the page apart from the simulator, making other choices where it is
# silent. The first keeps the tenant's own defaults: its list pages by default (25 per page,
# per or per_page, Link, Total, Per-Page: the twin plays both-conventions), it names an
# import's job in Location, fails a file with an invalid contact; it enforces no limit. The
# second lists whole whatever the parameters (ignored), answers the job in the body, drops
# invalid contacts silently, echoes no id, refuses credentials without a challenge, sends keys
# the spec does not know and enforces a limit.
_TENANTS = {
    "pages-location-fail-unlimited": (TenantOptions(rate_limit=None), "both-conventions"),
    "whole-body-skip-bare-drift": (TenantOptions(
        paging="none", rate_limit=RATE, burst=BURST, job_in="body", invalid_in_file="skip", add_ids=False,
        auth_challenge=False, record_extras=("last_called_at", "source")), "ignored"),
}


@pytest.mark.parametrize("name", list(_TENANTS))
def test_the_twin_of_an_independent_tenant_compares_unchanged_and_fails_what_it_failed(
    tmp_path: Path, name: str
) -> None:
    options, paging = _TENANTS[name]
    proof = prove(tenant(options), tmp_path, unjudged=True)
    played = read_twin(Baseline(tmp_path / "baseline.json", proof.baseline)).choices["list-pagination"]
    assert played == paging, proof.describe()
    assert proof.twin.changes == [] and proof.twin.returncode == 0, proof.describe()
    assert proof.unjudged is not None
    assert proof.failing(proof.unjudged) == proof.failing(proof.original), proof.describe()
    assert proof.unjudged.summary["drift"] == proof.original.summary["drift"], proof.describe()
