"""Request parsing: integers in paths and queries, bodies read within limits, JSON, the import's file.

What a client sent becomes Python values here, or a ``SimulatorError`` that
says what to fix (400, 413, 415, 422): a malformed request never reaches the
domain model, and never gets a 500. The limits are undocumented
(x-assumption ``import-limits``): ``limit`` and ``too_large`` play the app's choice.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.exceptions import (
    CampaignNotFound,
    MalformedBody,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
)
from dialer_suite.simulator.switches import Switches
from dialer_suite.simulator.wire import JSON_TYPE

_MAX_DIGITS = 18  # any longer integer is beyond every id SQLite can hold
_BEYOND_ANY_ID = 10**_MAX_DIGITS

IMPORT_LIMITS = register_assumption(
    "import-limits", "413",
    {
        "413": "bodies and import files past the size limit, or files past the contact-count "
               "limit, answer 413",
        "unlimited": "no size or count limit: every body and import file is taken",
        "422": "past a limit the answer is 422 (a validation error) instead of 413",
    },
    lean="unlimited",
)


def limit(switches: Switches, configured: int) -> int | None:
    """A configured size or count limit as the played ``import-limits`` applies it (None: none)."""
    return None if switches.choice(IMPORT_LIMITS) == "unlimited" else configured


def too_large(switches: Switches, message: str) -> PayloadTooLarge:
    """The refusal of a body or file past a limit, with the status the played choice gives it."""
    return PayloadTooLarge(message, status=422 if switches.choice(IMPORT_LIMITS) == "422" else None)


def parse_campaign_id(text: str) -> int:
    """The ``{campaign_id}`` path segment; a segment that cannot be one is an unknown campaign (404)."""
    value = path_int(text)
    if value is None:
        raise CampaignNotFound(f"campaign id {text!r} is not a campaign id (a positive integer)")
    return value


def path_int(text: str) -> int | None:
    """A path segment as a non-negative integer, or None when it cannot be an id."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def positive_query_int(query: Mapping[str, str], name: str, maximum: int | None) -> int | None:
    """A query parameter that must be an integer of at least 1 (and at most ``maximum``)."""
    text = query.get(name)
    if text is None:
        return None
    value = None
    if text.isascii() and text.isdigit():
        # Any page number is valid; past the last page it is merely empty.
        value = int(text) if len(text) <= _MAX_DIGITS else _BEYOND_ANY_ID
    if value is None or value < 1 or (maximum is not None and value > maximum):
        bound = f" and at most {maximum}" if maximum else ""
        raise Unprocessable(f"query parameter `{name}` must be an integer of at least 1{bound}, got {text!r}")
    return value


def require_object(value: Any, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object; ``what`` names it in the 422 otherwise."""
    if not isinstance(value, dict):
        raise Unprocessable(f"{what} must be a JSON object")
    return value


async def json_body(switches: Switches, request: Request, max_bytes: int) -> Any:
    """The body as JSON: it must say it is JSON, be at most ``max_bytes`` (see ``limit``) and parse."""
    media_type, _, _ = request.headers.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    if media_type != JSON_TYPE and not media_type.endswith("+json"):
        raise UnsupportedMediaType(f"send the body as {JSON_TYPE} (got {media_type or 'no Content-Type'})")
    return parse_json(await _read_body(switches, request, limit(switches, max_bytes), "body"),
                      "the body")


async def import_file(switches: Switches, request: Request, max_bytes: int) -> bytes:
    """The content of the multipart form's ``file`` part, the upload at most ``max_bytes``."""
    media_type, _, _ = request.headers.get("content-type", "").partition(";")
    if media_type.strip().lower() != "multipart/form-data":
        raise UnsupportedMediaType(
            "send the import as multipart/form-data with the JSON file in a part named `file`"
        )
    upload_limit = limit(switches, max_bytes)
    body = await _read_body(switches, request, upload_limit, "import upload")
    return await _file_part(request, body, sys.maxsize if upload_limit is None else upload_limit)


def parse_json(content: bytes, what: str) -> Any:
    """``content`` as JSON, refusing what ``json`` would accept but no JSON client sends (NaN, 1e400)."""
    try:
        return json.loads(content.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
    except UnicodeDecodeError:
        raise MalformedBody(f"{what} is not UTF-8 text; send JSON encoded as UTF-8") from None
    except RecursionError:
        raise MalformedBody(f"{what} is nested too deeply to be a contact") from None
    except ValueError as error:
        raise MalformedBody(f"{what} is not valid JSON: {error}") from None


async def _read_body(switches: Switches, request: Request, max_bytes: int | None, what: str) -> bytes:
    """The whole body, or the refusal as soon as it is past ``max_bytes`` (None: no limit)."""
    bound = sys.maxsize if max_bytes is None else max_bytes
    refusal = too_large(
        switches, f"the {what} is larger than {max_bytes} bytes, the most this server accepts"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > bound:
        raise refusal
    # Straight from the ASGI channel: Request.stream() costs more than the rest of a small add.
    chunks = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise MalformedBody(f"the client went away before the whole {what} arrived")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > bound:
            raise refusal
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    # 1e400 parses to infinity, which json.dumps would echo back as the non-JSON `Infinity`.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is out of range")
    return value


async def _file_part(request: Request, body: bytes, limit: int) -> bytes:
    """The content of the form's ``file`` part (a file upload or a plain field)."""

    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, once(), max_files=10, max_fields=100, max_part_size=limit)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise MalformedBody(f"the multipart body could not be read: {error}") from None
    try:
        part = form.get("file")
        if part is None:
            raise MalformedBody("the form has no part named `file`; put the JSON array of contacts there")
        if isinstance(part, UploadFile):
            return await part.read()
        return part.encode("utf-8")
    finally:
        await form.close()
