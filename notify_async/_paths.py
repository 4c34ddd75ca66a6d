"""Paths, query strings and JSON bodies, encoded the way the Notify API expects.

The one module that turns a path template and its values into a URL path:

* each value is percent-encoded as one segment, and an empty value, ``.``, ``..`` or a value
  containing ``/`` is refused before anything is sent;
* a template with or without a leading slash resolves below the base URL's own path;
* query mappings follow python-requests, which the server was written against: ``None`` values
  are dropped, booleans become ``True``/``False``, lists become repeated keys.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from notify_async import _constants as C
from notify_async.errors import InvalidArgumentError

_PLACEHOLDER = re.compile(r"\{(\w+)\}")

QueryItems = list[tuple[str, str]]


def _segment(name: str, value: object) -> str:
    if value is None:
        raise InvalidArgumentError(f"path parameter {name} is required, got None")
    if isinstance(value, bool) or not isinstance(value, str | int | uuid.UUID | dt.date):
        raise InvalidArgumentError(
            f"path parameter {name} must be a string, UUID or int, got {type(value).__name__}"
        )
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if text in ("", ".", "..") or "/" in text or "\\" in text:
        raise InvalidArgumentError(f"path parameter {name} is not a valid path segment")
    if len(text) > C.MAX_PATH_PARAMETER_LENGTH:
        raise InvalidArgumentError(
            f"path parameter {name} is {len(text)} characters long; the longest accepted is "
            f"{C.MAX_PATH_PARAMETER_LENGTH}"
        )
    return quote(text, safe="")


def format_path(template: str, params: Mapping[str, object]) -> str:
    """Fill ``template``'s ``{name}`` placeholders with encoded ``params``; leading ``/`` ensured.

    Raises :class:`InvalidArgumentError` for a missing, empty or unsafe value.
    """

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise InvalidArgumentError(f"path parameter {name} is missing")
        return _segment(name, params[name])

    path = _PLACEHOLDER.sub(fill, template)
    return path if path.startswith("/") else "/" + path


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def encode_query(params: Mapping[str, object] | None) -> QueryItems:
    """Query items as python-requests would send them (None dropped, ``True``/``False``)."""
    items: QueryItems = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            values = sorted(value, key=str) if isinstance(value, set | frozenset) else value
            items.extend((key, _query_value(v)) for v in values if v is not None)
        else:
            items.append((key, _query_value(value)))
    return items


def _json_default(value: object) -> object:
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray):
        return list(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def encode_json(body: Any) -> bytes:
    """Serialise a request body. Sets (sorted) and other sequences become arrays, mappings
    objects, UUIDs and dates strings. Raises :class:`InvalidArgumentError` naming the type of
    anything else (never its value)."""
    try:
        return json.dumps(body, default=_json_default, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"request body holds a value JSON cannot carry: {exc}") from None
