"""The simulator's routes: the vendor's six operations under ``/apps/api/v1``, and its admin surface."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from dialer_suite.simulator import responses
from dialer_suite.simulator.dialer import dialer_routes
from dialer_suite.simulator.operations import Handler, vendor_operation

API_PREFIX = "/apps/api/v1"
ADMIN_PREFIX = "/_simulator"
_CAMPAIGN_PATH = "/outbound_dialer/campaigns/{campaign_id}"

# Path (as in the spec) → method → (operationId, handler). The operationId is how the fault
# catalog names an operation: the wrapper applies a fault to the operations it declares.
VENDOR_OPERATIONS: dict[str, dict[str, tuple[str, Handler]]] = {
    f"{_CAMPAIGN_PATH}/contacts": {
        "POST": ("addContact", responses.add_contact),
        "GET": ("listContacts", responses.list_contacts),
    },
    f"{_CAMPAIGN_PATH}/contacts/import": {"POST": ("importContacts", responses.import_contacts)},
    f"{_CAMPAIGN_PATH}/contacts/jobs/{{job_id}}": {"GET": ("getImportJob", responses.get_import_job)},
    f"{_CAMPAIGN_PATH}/contact": {
        "PATCH": ("updateContact", responses.update_contact),
        "DELETE": ("deleteContact", responses.delete_contact),
    },
}


def _operations(path: str, handlers: dict[str, tuple[str, Handler]]) -> Route:
    """One route per path, so that a wrong method answers 405 with every allowed method."""
    endpoints = {
        method: vendor_operation(operation_id, handler)
        for method, (operation_id, handler) in handlers.items()
    }
    if "GET" in endpoints:  # Starlette routes HEAD to GET routes
        endpoints["HEAD"] = endpoints["GET"]

    async def dispatch(request: Request) -> Response:
        return await endpoints[request.method](request)

    # Full paths, not a Mount(): one routing step less on every vendor request.
    return Route(API_PREFIX + path, dispatch, methods=list(handlers))


vendor_routes: list[BaseRoute] = [
    _operations(path, handlers) for path, handlers in VENDOR_OPERATIONS.items()
]

# Outside the vendor contract: no auth, no rate limit.
admin_routes: list[BaseRoute] = [
    Route("/health", responses.health, methods=["GET"]),
    Route("/reset", responses.reset, methods=["POST"]),
    *dialer_routes,
]

routes: list[BaseRoute] = [*vendor_routes, Mount(ADMIN_PREFIX, routes=admin_routes)]
