"""Per-request context: the acting user and the trace ids, kept in :mod:`contextvars`.

Nothing here knows a web framework. An ASGI middleware (``notify_async.integrations.asgi``), a
worker or a notebook sets the values with :func:`request_context`; every request sent inside the
block carries them, and every task started inside it inherits them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from notify_async.errors import InvalidArgumentError, MissingActingUserError

_user_id: ContextVar[str | None] = ContextVar("notify_async_user_id", default=None)
_trace_id: ContextVar[str | None] = ContextVar("notify_async_trace_id", default=None)
_span_id: ContextVar[str | None] = ContextVar("notify_async_span_id", default=None)

TRACE_ID_HEADER = "X-B3-TraceId"
SPAN_ID_HEADER = "X-B3-SpanId"
PARENT_SPAN_ID_HEADER = "X-B3-ParentSpanId"
#: The W3C Trace Context header, sent when the trace id is in W3C form (32 lower-case hex).
TRACEPARENT_HEADER = "traceparent"
_W3C_TRACE_ID = re.compile(r"[0-9a-f]{32}")
_ZERO_TRACE_ID = "0" * 32
USER_ID_HEADER = "X-Notify-User-Id"


def _checked(name: str, value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    if not text or any(ch in text for ch in "\r\n"):
        raise InvalidArgumentError(f"request_context: {name} must be a non-empty single line")
    return text


@contextmanager
def request_context(
    user_id: object | None = None,
    trace_id: str | None = None,
    span_id: str | None = None,
) -> Iterator[None]:
    """Set the acting user and trace ids for every request sent inside the ``with`` block.

    Arguments left as ``None`` keep the value of any enclosing block. ``user_id`` (a string or
    UUID) is sent as ``X-Notify-User-Id`` and as ``created_by`` in the bodies that need it;
    ``trace_id`` is sent as ``X-B3-TraceId`` and ``span_id`` as ``X-B3-ParentSpanId`` (each request
    gets a new ``X-B3-SpanId``).

    Raises :class:`~notify_async.errors.InvalidArgumentError` for an empty or multi-line value.
    """
    # Check every value before setting any, so a refused one leaves the context untouched.
    values = [
        (var, _checked(name, value))
        for var, name, value in (
            (_user_id, "user_id", user_id),
            (_trace_id, "trace_id", trace_id),
            (_span_id, "span_id", span_id),
        )
    ]
    tokens = [(var, var.set(checked)) for var, checked in values if checked is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def current_user_id() -> str | None:
    """The acting user's id set by the innermost :func:`request_context`, or None."""
    return _user_id.get()


def require_user_id(method: str) -> str:
    """The acting user's id; raises :class:`MissingActingUserError` naming ``method`` if unset."""
    user_id = _user_id.get()
    if user_id is None:
        raise MissingActingUserError(
            f"{method} sends the acting user's id (created_by): call it inside "
            "`with request_context(user_id=...)`"
        )
    return user_id


def new_span_id() -> str:
    """A random 64-bit span id as 16 hex digits."""
    return secrets.token_hex(8)


def new_trace_id() -> str:
    """A random 128-bit trace id as 32 hex digits."""
    return secrets.token_hex(16)


def context_headers() -> dict[str, str]:
    """The tracking headers for one outgoing request, from the current context."""
    headers: dict[str, str] = {}
    user_id = _user_id.get()
    if user_id is not None:
        headers[USER_ID_HEADER] = user_id
    trace_id = _trace_id.get()
    if trace_id is not None:
        span_id = headers[SPAN_ID_HEADER] = new_span_id()
        headers[TRACE_ID_HEADER] = trace_id
        parent = _span_id.get()
        if parent is not None:
            headers[PARENT_SPAN_ID_HEADER] = parent
        if _W3C_TRACE_ID.fullmatch(trace_id) and trace_id != _ZERO_TRACE_ID:
            # The same ids in W3C form, for services that read only traceparent (with
            # OpenTelemetry the attempt's span replaces it).
            headers[TRACEPARENT_HEADER] = f"00-{trace_id}-{span_id}-01"
    return headers
