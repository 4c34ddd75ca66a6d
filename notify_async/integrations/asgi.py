"""ASGI middleware that runs each incoming request inside :func:`notify_async.request_context`.

The trace id and span id are taken from the incoming headers the way the admin app does it, and
the acting user id from a header (or a callable of yours), so every Notify API call made while
handling the request carries them - as ``X-B3-TraceId`` / ``X-B3-ParentSpanId`` and
``X-Notify-User-Id`` (and the ``created_by`` of bodies that need one)::

    app = FastAPI()
    app.add_middleware(NotifyContextMiddleware)                    # user id from X-Notify-User-Id
    app.add_middleware(NotifyContextMiddleware, user_id=user_from_session)   # or your own

It is pure ASGI (no ``BaseHTTPMiddleware``), so the context variables it sets are seen by the
endpoint, its dependencies and any task or thread it starts. The ids are also put in the scope's
``state`` (``request.state.notify_trace_id`` / ``notify_span_id`` / ``notify_user_id``).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from notify_async import request_context

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Headers the trace id is read from, first present wins (as the admin app's defaults).
TRACE_ID_HEADERS = ("X-B3-TraceId", "X-Amz-Cf-Id", "X-Amzn-Trace-Id")
SPAN_ID_HEADER = "X-B3-SpanId"
USER_ID_HEADER = "X-Notify-User-Id"


def header_value(scope: Scope, name: str) -> str | None:
    """The first value of request header ``name`` (any case) in an ASGI ``scope``, or None
    when it is missing or empty."""
    wanted = name.lower().encode("latin-1")
    for key, value in scope.get("headers") or ():
        if key.lower() == wanted:
            text = value.decode("latin-1").strip()
            return text or None
    return None


def new_trace_id() -> str:
    """A random 128-bit trace id as 32 hex digits."""
    return secrets.token_hex(16)


def new_span_id() -> str:
    """A span id for a request that arrived without one: ``self-`` + 16 hex digits."""
    return "self-" + secrets.token_hex(8)


class NotifyContextMiddleware:
    """Run each HTTP (and websocket) request inside :func:`notify_async.request_context`.

    Args:
        app: the ASGI application to wrap.
        user_id: a callable taking the ASGI scope and returning the acting user's id (or None);
            by default the value of the ``user_id_header`` request header. Only trust that
            header when a proxy or gateway you control sets it; otherwise pass a callable that
            reads your session or token.
        user_id_header: the header the default ``user_id`` reads (``X-Notify-User-Id``).
        trace_id_headers: headers the trace id is read from, first present wins; a new random
            32-hex-digit id is made when none is present.
        span_id_header: the header the incoming span id is read from; ``self-`` + 16 random hex
            digits when absent. It becomes ``X-B3-ParentSpanId`` on outgoing Notify calls.

    Lifespan and other scope types pass through untouched. Raises nothing of its own; a bad
    header value (several lines) makes ``request_context`` raise
    :class:`~notify_async.InvalidArgumentError`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        user_id: Callable[[Scope], str | None] | None = None,
        user_id_header: str = USER_ID_HEADER,
        trace_id_headers: Sequence[str] = TRACE_ID_HEADERS,
        span_id_header: str = SPAN_ID_HEADER,
    ) -> None:
        self.app = app
        self.user_id_header = user_id_header
        self.trace_id_headers = tuple(trace_id_headers)
        self.span_id_header = span_id_header
        self._user_id = user_id or self._user_from_header

    def _user_from_header(self, scope: Scope) -> str | None:
        return header_value(scope, self.user_id_header)

    def trace_id(self, scope: Scope) -> str:
        """The incoming request's trace id (or a new one)."""
        for name in self.trace_id_headers:
            value = header_value(scope, name)
            if value:
                return value
        return new_trace_id()

    def span_id(self, scope: Scope) -> str:
        """The incoming request's span id (or a new ``self-`` one)."""
        return header_value(scope, self.span_id_header) or new_span_id()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        trace_id, span_id = self.trace_id(scope), self.span_id(scope)
        user_id = self._user_id(scope) or None
        state = scope.setdefault("state", {})
        state.update(notify_trace_id=trace_id, notify_span_id=span_id, notify_user_id=user_id)
        with request_context(user_id=user_id, trace_id=trace_id, span_id=span_id):
            await self.app(scope, receive, send)
