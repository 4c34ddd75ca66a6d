"""ASGI middleware that runs each incoming request inside :func:`notify_async.request_context`.

The trace id and span id are taken from the incoming headers the way the admin app does it, and
the acting user id from your app's own authentication (a callable of yours), so every Notify API
call made while handling the request carries them - as ``X-B3-TraceId`` / ``X-B3-ParentSpanId``
and ``X-Notify-User-Id`` (and the ``created_by`` of bodies that need one)::

    app = FastAPI()
    app.add_middleware(NotifyContextMiddleware, user_id=user_from_session)   # your own login

Without ``user_id`` no acting user is set: a header sent by the client is never trusted unless
you say so with ``trust_proxy_user_id_header=True`` (only behind a proxy you control that sets
it, see :class:`NotifyContextMiddleware`).

It is pure ASGI (no ``BaseHTTPMiddleware``), so the context variables it sets are seen by the
endpoint, its dependencies and any task or thread it starts. The ids are also put in the scope's
``state`` (``request.state.notify_trace_id`` / ``notify_span_id`` / ``notify_user_id``).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from notify_async import request_context
from notify_async.errors import ConfigurationError

logger = logging.getLogger("notify_async")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Headers the trace id is read from, first present wins (as the admin app's defaults), with the
#: W3C ``traceparent`` header's trace id after the B3 one.
TRACE_ID_HEADERS = ("X-B3-TraceId", "traceparent", "X-Amz-Cf-Id", "X-Amzn-Trace-Id")
#: The W3C Trace Context header: ``version-traceid-parentid-flags``.
TRACEPARENT_HEADER = "traceparent"
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?")


def parse_traceparent(value: str | None) -> tuple[str, str] | None:
    """The trace id and parent span id of a W3C ``traceparent`` header value, or None when it
    is missing or malformed (version ``ff``, an all-zero id, wrong lengths or case)."""
    match = _TRACEPARENT.fullmatch(value or "")
    if match is None:
        return None
    version, trace_id, span_id, _ = match.groups()
    if version == "ff" or (version == "00" and len(value or "") != 55):
        return None
    if trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return trace_id, span_id
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

    The acting user is whoever your app's own authentication says made the request: pass
    ``user_id``, a callable that reads your session, cookie or token (or what your auth
    middleware put in the scope). Without it no acting user is set, and methods that need one
    raise :class:`~notify_async.MissingActingUserError`.

    Warning:
        ``trust_proxy_user_id_header=True`` takes the acting user from a request header instead.
        Any client can send that header, so with it anyone who reaches the app directly can act
        as any user. Turn it on only when every request comes through a proxy or gateway you
        control that authenticates the user and sets (or removes) the header itself.

    Args:
        app: the ASGI application to wrap.
        user_id: a callable taking the ASGI scope and returning the acting user's id, or None
            when the request is not signed in.
        trust_proxy_user_id_header: take the acting user from the ``user_id_header`` request
            header (see the warning above). Off by default: the header of a request is then
            ignored (and a warning logged, once, when one arrives).
        user_id_header: the header ``trust_proxy_user_id_header`` reads (``X-Notify-User-Id``).
        trace_id_headers: headers the trace id is read from, first present wins; a new random
            32-hex-digit id is made when none is present.
        span_id_header: the header the incoming span id is read from; ``self-`` + 16 random hex
            digits when absent. It becomes ``X-B3-ParentSpanId`` on outgoing Notify calls.

    Raises:
        ConfigurationError: ``user_id`` together with ``trust_proxy_user_id_header=True``, or
            ``user_id_header`` without it.

    Lifespan and other scope types pass through untouched. Handling a request raises nothing of
    its own; a bad header value (several lines) makes ``request_context`` raise
    :class:`~notify_async.InvalidArgumentError`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        user_id: Callable[[Scope], str | None] | None = None,
        trust_proxy_user_id_header: bool = False,
        user_id_header: str | None = None,
        trace_id_headers: Sequence[str] = TRACE_ID_HEADERS,
        span_id_header: str = SPAN_ID_HEADER,
    ) -> None:
        if user_id is not None and trust_proxy_user_id_header:
            raise ConfigurationError(
                "NotifyContextMiddleware: pass either user_id or trust_proxy_user_id_header=True, "
                "not both"
            )
        if user_id_header is not None and not trust_proxy_user_id_header:
            raise ConfigurationError(
                "NotifyContextMiddleware: user_id_header is only read with "
                "trust_proxy_user_id_header=True (only behind a proxy you control that sets it); "
                "otherwise pass user_id=<callable reading your own session>"
            )
        self.app = app
        self.user_id_header = user_id_header or USER_ID_HEADER
        self.trust_proxy_user_id_header = trust_proxy_user_id_header
        self.trace_id_headers = tuple(trace_id_headers)
        self.span_id_header = span_id_header
        self._user_id = user_id or (
            self._user_from_header if trust_proxy_user_id_header else self._no_user
        )
        self._warned = False

    def _user_from_header(self, scope: Scope) -> str | None:
        return header_value(scope, self.user_id_header)

    def _no_user(self, scope: Scope) -> None:
        if not self._warned and header_value(scope, self.user_id_header):
            self._warned = True
            logger.warning(
                "NotifyContextMiddleware ignores the %s header of incoming requests: pass "
                "user_id=<callable reading your own session>, or trust_proxy_user_id_header=True "
                "if a proxy you control sets it", self.user_id_header,
            )
        return None

    def trace_id(self, scope: Scope) -> str:
        """The incoming request's trace id (or a new one). From ``traceparent``, the W3C
        header's trace id, when the header is well formed."""
        for name in self.trace_id_headers:
            value = header_value(scope, name)
            if name.lower() == TRACEPARENT_HEADER:
                parsed = parse_traceparent(value)
                value = parsed[0] if parsed else None
            if value:
                return value
        return new_trace_id()

    def span_id(self, scope: Scope) -> str:
        """The incoming request's span id: the B3 header's, else the W3C ``traceparent``'s
        parent id, else a new ``self-`` one."""
        value = header_value(scope, self.span_id_header)
        if value:
            return value
        parsed = parse_traceparent(header_value(scope, TRACEPARENT_HEADER))
        return parsed[1] if parsed else new_span_id()

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
