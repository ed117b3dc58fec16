"""A second, independent implementation of the vendor page: a stand-in for a real tenant.

The embedded simulator is one guess at what the vendor does where its page is
silent; self-tests that only ever run the suite against it cannot show that the
suite is general. This package is written apart from the simulator (it imports
nothing of ``dialer_suite``) and makes other choices where the page is silent:
its list pages by default like the vendor's Manager API (``page`` with ``per``
or ``per_page``, ``Link``/``Total``/``Per-Page`` headers, 422 above the page-size
cap), its import answers 202 with an empty body and the job in ``Location``,
and it behaves like a hosted tenant (a service time per answer, the vendor's
10 requests/s, imports at a set speed). Outages can be switched on, and every
request is counted on the server's side, so a test can check what a run really
cost the tenant and what it left behind.

Self-tests only; not part of the package users install.
"""

from tests.tenant.app import TenantOptions, build_app
from tests.tenant.server import RunningTenant, running_tenant

__all__ = ["RunningTenant", "TenantOptions", "build_app", "running_tenant"]
