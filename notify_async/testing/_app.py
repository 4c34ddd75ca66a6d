""":class:`FakeNotifyAPI`: a stateful, in-process fake of the Notify admin API (ASGI).

Every request is recorded (:attr:`FakeNotifyAPI.requests`), matched against the implemented
routes (anything else is a 501 naming the route, never a silent 200), checked for a valid admin
JWT like the real API, and answered from the in-memory store with the real API's JSON shapes,
statuses and error bodies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs
import httpx
from starlette.applications import Starlette
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as StarletteRoute
from starlette.types import Receive, Scope, Send

from notify_async import NotifyAdminClient
from notify_async.testing import (
    _routes_jobs,
    _routes_notifications,
    _routes_service_settings,
    _routes_services,
    _routes_status,
    _routes_templates,
    _routes_users,
)
from notify_async.testing._auth import check_admin_token
from notify_async.testing._http import Call, FakeError, Reply, Route, RouteTable
from notify_async.testing._seeding import SeedingMixin
from notify_async.testing._state import FakeClock, Store

DEFAULT_CLIENT_ID = "notify-admin"
#: The fake's default admin secret (long enough for HS256 without PyJWT warnings).
DEFAULT_SECRET = "fake-notify-admin-secret-for-tests-only"
DEFAULT_BASE_URL = "http://notify-api.fake"
_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


@attrs.frozen
class RecordedRequest:
    """One request the fake received. ``headers`` is case-insensitive; ``body`` is the decoded
    JSON (None when there was no body). Neither is shown in the ``repr``: they can hold a token
    or personal data."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Headers = attrs.field(repr=False, eq=False)
    body: Any = attrs.field(repr=False)
    status: int
    route: str | None

    def header(self, name: str) -> str | None:
        """One header's value (any case), or None."""
        return self.headers.get(name)


@attrs.define
class _Fault:
    method: str | None
    path: str
    status: int
    remaining: int
    message: Any
    headers: Mapping[str, str]


class FakeNotifyAPI(SeedingMixin):
    """A fake of the Notify admin API, usable as an ASGI app.

    Args:
        client_id: the admin client id the JWT ``iss`` must carry.
        secret: the secret the JWT must be signed with.
        base_url: the URL :meth:`client` gives the SDK (any ``http(s)`` URL; nothing listens).
        clock: a :class:`FakeClock` (default: the wall clock, movable with :meth:`advance`).
        sending_after: seconds after creation when a notification (or job) starts sending.
        delivered_after: seconds after creation when it is delivered (a job: finished).
        page_size: page size of paged lists (50 in the real API).

    Use it in-process with :meth:`client` (``httpx.ASGITransport``, no ports), or serve it with
    ``python -m notify_async.testing serve --port 8765``. Seed data with ``add_user``,
    ``add_service``, ``add_template``... (see :class:`SeedingMixin`), look at
    :attr:`requests`, move time with :meth:`advance` and inject failures with :meth:`fail_next`.
    """

    def __init__(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        secret: str = DEFAULT_SECRET,
        *,
        base_url: str = DEFAULT_BASE_URL,
        clock: FakeClock | None = None,
        sending_after: float = 2.0,
        delivered_after: float = 5.0,
        page_size: int = 50,
    ) -> None:
        if not 0 <= sending_after <= delivered_after:
            raise ValueError("need 0 <= sending_after <= delivered_after")
        self.client_id = client_id
        self.secret = secret
        self.base_url = base_url
        self.clock = clock or FakeClock()
        self.store = Store(
            self.clock,
            sending_after=sending_after,
            delivered_after=delivered_after,
            page_size=page_size,
        )
        self.requests: list[RecordedRequest] = []
        self._faults: list[_Fault] = []
        self._routes = RouteTable().extend(
            _routes_users.ROUTES,
            _routes_services.ROUTES,
            _routes_templates.ROUTES,
            _routes_notifications.ROUTES,
            _routes_jobs.ROUTES,
            _routes_service_settings.ROUTES,
            _routes_status.ROUTES,
        )
        self._app = Starlette(
            routes=[StarletteRoute("/{path:path}", self._endpoint, methods=_METHODS)]
        )

    def __repr__(self) -> str:
        return f"FakeNotifyAPI(client_id={self.client_id!r}, base_url={self.base_url!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    # --- using it -----------------------------------------------------------------------------

    def client(self, **options: Any) -> NotifyAdminClient:
        """A :class:`~notify_async.NotifyAdminClient` that talks to this fake in-process.

        ``options`` go to ``NotifyAdminClient`` (``cache=``, ``retry=``...); ``base_url``,
        ``client_id`` and ``secret`` default to the fake's and can be overridden (to test auth
        failures). The HTTP client it uses holds no sockets. Raises
        :class:`~notify_async.errors.ConfigurationError` for an unknown option.
        """
        base_url = options.pop("base_url", self.base_url)
        client_id = options.pop("client_id", self.client_id)
        secret = options.pop("secret", self.secret)
        http_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self))
        return NotifyAdminClient(base_url, client_id, secret, http_client=http_client, **options)

    @property
    def routes(self) -> list[tuple[str, str]]:
        """Every ``(method, path template)`` the fake implements, e.g. ``("GET",
        "/service/{service_id}")``; any other request is answered 501."""
        return [(route.method, route.template) for route in self._routes.routes]

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward by ``seconds`` (statuses move on; a JWT whose ``iat``
        ends up more than 30 s away from the new time is refused)."""
        self.clock.advance(seconds)

    def find_requests(self, method: str | None = None, path: str | None = None,
                      route: str | None = None) -> list[RecordedRequest]:
        """The recorded requests with this method, decoded path and/or route template."""
        return [
            r for r in self.requests
            if (method is None or r.method == method)
            and (path is None or r.path == path)
            and (route is None or r.route == route)
        ]

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self.requests.clear()

    def fail_next(
        self,
        method: str | None,
        path: str,
        *,
        status: int = 503,
        times: int = 1,
        message: Any = "Service temporarily unavailable",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests to ``path`` (a decoded path or a route template
        such as ``/service/{service_id}/send-notification``; ``method`` None for any) with
        ``status`` and ``{"result": "error", "message": message}`` before anything else is
        checked. ``headers`` are added to those answers (e.g. ``Retry-After``)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._faults.append(_Fault(method, path, status, times, message, dict(headers or {})))

    # --- serving ------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        raw = await request.body()
        method, path = request.method, request.url.path
        matched = self._routes.match(method, path)
        route = matched[0] if matched else None
        body: Any = None
        extra_headers: Mapping[str, str] = {}
        try:
            body = _decode(raw)
            fault = self._take_fault(method, path, route)
            if fault is not None:
                extra_headers = fault.headers
                raise FakeError(fault.status, fault.message)
            if matched is None:
                raise FakeError(501, f"FakeNotifyAPI does not implement {method} {path}")
            if not matched[0].public:
                check_admin_token(request.headers.get("Authorization"),
                                  client_id=self.client_id, secret=self.secret,
                                  now=self.clock.now())
            call = Call(method, path, matched[1], request.query_params, body)
            reply = matched[0].handler(self.store, call)
        except FakeError as exc:
            reply = Reply(exc.status, {"result": "error", "message": exc.message})
        self.requests.append(RecordedRequest(
            method=method,
            path=path,
            query=tuple(QueryParams(request.url.query).multi_items()),
            headers=Headers(raw=list(request.headers.raw)),
            body=body,
            status=reply.status,
            route=route.template if route else None,
        ))
        if reply.status == 204:
            return Response(status_code=204, headers=dict(extra_headers))
        return JSONResponse(reply.body, status_code=reply.status, headers=dict(extra_headers))

    def _take_fault(self, method: str, path: str, route: Route | None) -> _Fault | None:
        for fault in self._faults:
            if fault.method not in (None, method):
                continue
            if fault.path == path or (route is not None and fault.path == route.template):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise FakeError(400, "Invalid JSON: the body could not be decoded") from None
