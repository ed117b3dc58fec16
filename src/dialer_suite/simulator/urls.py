"""The simulator's routes: the vendor's six operations under ``/apps/api/v1``, and its admin surface."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from dialer_suite.simulator import responses
from dialer_suite.simulator.dialer_routes import dialer_routes
from dialer_suite.simulator.responses import API_PREFIX, CAMPAIGN_PATH, Handler, vendor_operation

ADMIN_PREFIX = "/_simulator"


def _operations(path: str, handlers: dict[str, Handler]) -> Route:
    """One route per path, so that a wrong method answers 405 with every allowed method."""
    endpoints = {method: vendor_operation(handler) for method, handler in handlers.items()}
    if "GET" in endpoints:  # Starlette routes HEAD to GET routes
        endpoints["HEAD"] = endpoints["GET"]

    async def dispatch(request: Request) -> Response:
        return await endpoints[request.method](request)

    return Route(path, dispatch, methods=list(handlers))


# Full paths, not a Mount(): one routing step less on every vendor request.
_CAMPAIGN = API_PREFIX + CAMPAIGN_PATH
vendor_routes: list[BaseRoute] = [
    _operations(
        f"{_CAMPAIGN}/contacts",
        {"POST": responses.add_contact, "GET": responses.list_contacts},
    ),
    _operations(f"{_CAMPAIGN}/contacts/import", {"POST": responses.import_contacts}),
    _operations(f"{_CAMPAIGN}/contacts/jobs/{{job_id}}", {"GET": responses.get_import_job}),
    _operations(
        f"{_CAMPAIGN}/contact",
        {"PATCH": responses.update_contact, "DELETE": responses.delete_contact},
    ),
]

# Outside the vendor contract: no auth, no rate limit.
admin_routes: list[BaseRoute] = [
    Route("/health", responses.health, methods=["GET"]),
    Route("/reset", responses.reset, methods=["POST"]),
    *dialer_routes,
]

routes: list[BaseRoute] = [*vendor_routes, Mount(ADMIN_PREFIX, routes=admin_routes)]
