"""The dialers' admin routes, outside the vendor contract (under ``/_simulator/``, no auth, no rate limit).

- ``GET  /_simulator/dialers``                      every campaign and its dialer's state
- ``GET  /_simulator/campaigns/{id}/dialer``        the dialer's state (``DialerEngine.status``)
- ``POST /_simulator/campaigns/{id}/dialer/start``  start dialing; an optional JSON object of
  ``DialerSettings`` fields replaces those settings (e.g. ``{"time_scale": 50, "seed": 1}``)
- ``POST /_simulator/campaigns/{id}/dialer/pause``  stop picking up contacts; calls in
  progress run to their end (``busy_lines`` reaches 0), so no contact stays in a call

The app's ``CampaignDialers`` are created on the first of these requests
(``dialers_of``) and closed with the app (``close_dialers``); a reset of the
simulator drops them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dialer_suite.simulator.dialer.engine import DialerEngine
from dialer_suite.simulator.dialer.settings import DialerSettings, DialerSettingsError
from dialer_suite.simulator.dialer.ticker import CampaignDialers
from dialer_suite.simulator.exceptions import MalformedBody, SimulatorError, Unprocessable
from dialer_suite.simulator.operations import Endpoint, Runtime
from dialer_suite.simulator.parsing import parse_campaign_id
from dialer_suite.simulator.wire import error_response, json_response

_Action = Callable[[Request, CampaignDialers, int], Awaitable[DialerEngine]]


def dialers_of(app: Starlette) -> CampaignDialers:
    """The app's dialers, created on first use from the app's runtime."""
    dialers: CampaignDialers | None = getattr(app.state, "dialers", None)
    if dialers is None:
        runtime: Runtime = app.state.runtime
        assert runtime.config.db_path is not None, "the app always runs on a database file"
        dialers = CampaignDialers(runtime.config.db_path, runtime.config.campaigns, runtime.switches)
        runtime.reset_hooks.append(dialers.forget)
        app.state.dialers = dialers
    return dialers


async def close_dialers(app: Starlette) -> None:
    """For the app's lifespan: stop the dialers if any were started."""
    dialers: CampaignDialers | None = getattr(app.state, "dialers", None)
    if dialers is not None:
        await dialers.close()



async def _settings_body(request: Request, base: DialerSettings) -> DialerSettings:
    """``base`` with the settings the body names; an empty body keeps ``base``."""
    body = await request.body()
    if not body.strip():
        return base
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedBody("the body must be a JSON object of dialer settings, or empty") from None
    if not isinstance(data, dict):
        raise Unprocessable("the body must be a JSON object of dialer settings, e.g. {\"agents\": 8}")
    try:
        return DialerSettings.from_mapping(data, base)
    except DialerSettingsError as error:
        raise Unprocessable(str(error)) from None


def _admin(action: _Action) -> Endpoint:
    """An admin endpoint: find the campaign's dialers, run ``action``, answer with its status."""

    async def endpoint(request: Request) -> Response:
        try:
            dialers = dialers_of(request.app)
            engine = await action(request, dialers, parse_campaign_id(request.path_params["campaign_id"]))
            return json_response(engine.status())
        except SimulatorError as error:
            runtime: Runtime = request.app.state.runtime
            return error_response(runtime.switches, error)

    return endpoint


async def _status(request: Request, dialers: CampaignDialers, campaign_id: int) -> DialerEngine:
    return dialers.engine(campaign_id)


async def _start(request: Request, dialers: CampaignDialers, campaign_id: int) -> DialerEngine:
    settings = await _settings_body(request, dialers.engine(campaign_id).settings)
    return dialers.start(campaign_id, settings)


async def _pause(request: Request, dialers: CampaignDialers, campaign_id: int) -> DialerEngine:
    return dialers.pause(campaign_id)


async def _overview(request: Request) -> Response:
    """Every campaign, and the dialers that were used (no campaign in the path, so not ``_admin``)."""
    return json_response(dialers_of(request.app).overview())


# Mounted by ``urls.py`` under the admin prefix.
dialer_routes: list[BaseRoute] = [
    Route("/dialers", _overview, methods=["GET"]),
    Route("/campaigns/{campaign_id}/dialer", _admin(_status), methods=["GET"]),
    Route("/campaigns/{campaign_id}/dialer/start", _admin(_start), methods=["POST"]),
    Route("/campaigns/{campaign_id}/dialer/pause", _admin(_pause), methods=["POST"]),
]
