"""NotifyContextMiddleware: incoming trace headers and the acting user (from the app's own
authentication, or from a proxy's header only when the app says it trusts it) reach the Notify API
calls made while handling the request (checked at the fake API), with the admin app's
fallbacks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from fastapi import Depends, FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from notify_async import NotifyAdminClient, current_user_id
from notify_async.errors import ConfigurationError
from notify_async.integrations.asgi import NotifyContextMiddleware, Scope, header_value
from notify_async.testing import FakeNotifyAPI, RecordedRequest

SERVICE_ID = "6ce466d0-fd6a-11e5-82f5-e0accb9d11a6"
#: The demo "sessions" of the apps below: bearer token -> user id.
SESSIONS = {"token-of-alice": "alice", "token-of-bob": "bob", "token-of-42": "user-42"}


def user_from_bearer(scope: Scope) -> str | None:
    """The app's own authentication: the user of the request's bearer token, or None."""
    scheme, _, token = (header_value(scope, "Authorization") or "").partition(" ")
    return SESSIONS.get(token) if scheme.lower() == "bearer" else None


def starlette_app(notify: NotifyAdminClient, **middleware: Any) -> Any:
    """An app whose one route makes a Notify call (answered 404 by the empty fake)."""

    async def keys(request: Request) -> JSONResponse:
        try:
            await notify.api_keys.get_api_keys(SERVICE_ID)
        except Exception as exc:
            return JSONResponse({"error": type(exc).__name__, "state": _state(request)})
        return JSONResponse({"error": None})

    app = Starlette(routes=[Route("/keys", keys)])
    return NotifyContextMiddleware(app, **middleware)


def _state(request: Request) -> dict[str, Any]:
    return {
        "trace": request.state.notify_trace_id,
        "span": request.state.notify_span_id,
        "user": request.state.notify_user_id,
    }


async def call_through(headers: dict[str, str], **middleware: Any) -> tuple[RecordedRequest,
                                                                           dict[str, Any]]:
    fake = FakeNotifyAPI()
    app = starlette_app(fake.client(), **middleware)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://app") as http:
        answer = await http.get("/keys", headers=headers)
    assert answer.json()["error"] == "NotFoundError"  # the call reached the fake
    (seen,) = fake.requests
    return seen, answer.json()["state"]


async def test_by_default_a_user_id_header_from_the_client_is_not_trusted() -> None:
    seen, state = await call_through({"X-Notify-User-Id": "someone-else", "X-B3-TraceId": "t-1"})
    assert seen.header("X-B3-TraceId") == "t-1"
    assert seen.header("X-Notify-User-Id") is None
    assert state["user"] is None


async def test_by_default_an_ignored_user_id_header_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeNotifyAPI()
    app = starlette_app(fake.client())
    with caplog.at_level("WARNING", "notify_async"):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://app") as http:
            for user in ("spoofed-1", "spoofed-2"):
                await http.get("/keys", headers={"X-Notify-User-Id": user})
    (record,) = [r for r in caplog.records if r.name == "notify_async"]
    assert "trust_proxy_user_id_header" in record.getMessage()
    assert "spoofed" not in record.getMessage()


async def test_the_user_comes_from_the_apps_own_authentication() -> None:
    seen, state = await call_through(
        {"Authorization": "Bearer token-of-alice", "X-Notify-User-Id": "spoofed"},
        user_id=user_from_bearer,
    )
    assert seen.header("X-Notify-User-Id") == "alice"
    assert state["user"] == "alice"


async def test_a_request_the_apps_authentication_rejects_has_no_user() -> None:
    seen, state = await call_through(
        {"Authorization": "Bearer forged", "X-Notify-User-Id": "spoofed"}, user_id=user_from_bearer
    )
    assert seen.header("X-Notify-User-Id") is None
    assert state["user"] is None


async def test_b3_trace_span_and_trusted_proxy_user_headers_reach_the_notify_api() -> None:
    seen, state = await call_through({
        "X-B3-TraceId": "trace-123", "X-B3-SpanId": "span-456", "X-Notify-User-Id": "user-789",
    }, trust_proxy_user_id_header=True)
    assert seen.header("X-B3-TraceId") == "trace-123"
    assert seen.header("X-B3-ParentSpanId") == "span-456"
    assert re.fullmatch(r"[0-9a-f]{16}", seen.header("X-B3-SpanId") or "")
    assert seen.header("X-Notify-User-Id") == "user-789"
    assert state == {"trace": "trace-123", "span": "span-456", "user": "user-789"}


async def test_trace_id_falls_back_to_cloudfront_then_amazon_trace_headers() -> None:
    seen, _ = await call_through({"X-Amz-Cf-Id": "cf-1", "X-Amzn-Trace-Id": "amzn-1"})
    assert seen.header("X-B3-TraceId") == "cf-1"
    seen, _ = await call_through({"X-Amzn-Trace-Id": "amzn-1"})
    assert seen.header("X-B3-TraceId") == "amzn-1"


async def test_b3_trace_header_wins_over_the_fallbacks() -> None:
    seen, _ = await call_through({"X-Amz-Cf-Id": "cf-1", "X-B3-TraceId": "b3-1"})
    assert seen.header("X-B3-TraceId") == "b3-1"


TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_an_incoming_w3c_traceparent_gives_the_trace_and_parent_span() -> None:
    seen, state = await call_through({"traceparent": TRACEPARENT, "X-Amz-Cf-Id": "cf-1"})
    assert seen.header("X-B3-TraceId") == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert seen.header("X-B3-ParentSpanId") == "00f067aa0ba902b7"
    assert state["trace"] == "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_b3_headers_win_over_traceparent() -> None:
    seen, _ = await call_through(
        {"traceparent": TRACEPARENT, "X-B3-TraceId": "b3-1", "X-B3-SpanId": "span-1"}
    )
    assert (seen.header("X-B3-TraceId"), seen.header("X-B3-ParentSpanId")) == ("b3-1", "span-1")


@pytest.mark.parametrize(
    "value",
    [
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # forbidden version
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  # all-zero parent id
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  # upper case
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  # extra on version 00
        "garbage",
    ],
)
async def test_a_malformed_traceparent_is_ignored(value: str) -> None:
    seen, _ = await call_through({"traceparent": value, "X-Amz-Cf-Id": "cf-1"})
    assert seen.header("X-B3-TraceId") == "cf-1"
    assert (seen.header("X-B3-ParentSpanId") or "").startswith("self-")


async def test_without_headers_a_new_trace_and_self_span_are_made_and_no_user_is_sent() -> None:
    seen, state = await call_through({})
    assert re.fullmatch(r"[0-9a-f]{32}", seen.header("X-B3-TraceId") or "")
    assert re.fullmatch(r"self-[0-9a-f]{16}", seen.header("X-B3-ParentSpanId") or "")
    assert seen.header("X-Notify-User-Id") is None
    assert state["user"] is None


async def test_an_empty_trusted_user_header_counts_as_no_user() -> None:
    seen, _ = await call_through({"X-Notify-User-Id": "  "}, trust_proxy_user_id_header=True)
    assert seen.header("X-Notify-User-Id") is None


async def test_trusted_user_header_name_is_configurable() -> None:
    seen, _ = await call_through(
        {"X-Remote-User": "user-1", "X-Notify-User-Id": "spoofed"},
        trust_proxy_user_id_header=True, user_id_header="X-Remote-User",
    )
    assert seen.header("X-Notify-User-Id") == "user-1"


def test_a_user_header_name_without_trusting_it_is_refused() -> None:
    # It used to turn the header on; silently ignoring it now would hide the change.
    with pytest.raises(ConfigurationError, match="trust_proxy_user_id_header"):
        NotifyContextMiddleware(Starlette(), user_id_header="X-Remote-User")


def test_a_user_id_callable_and_a_trusted_header_together_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="either"):
        NotifyContextMiddleware(Starlette(), user_id=user_from_bearer,
                                trust_proxy_user_id_header=True)


async def test_user_id_callable_receives_the_scope() -> None:
    def from_path(scope: Any) -> str | None:
        return "user-from-" + str(scope["path"]).strip("/")

    seen, _ = await call_through({"X-Notify-User-Id": "ignored"}, user_id=from_path)
    assert seen.header("X-Notify-User-Id") == "user-from-keys"


async def test_trace_and_span_header_names_are_configurable() -> None:
    seen, _ = await call_through(
        {"X-Request-Id": "req-1", "X-Span": "sp-1", "X-B3-TraceId": "not-this"},
        trace_id_headers=("X-Request-Id",), span_id_header="X-Span",
    )
    assert seen.header("X-B3-TraceId") == "req-1"
    assert seen.header("X-B3-ParentSpanId") == "sp-1"


async def test_concurrent_requests_keep_their_own_user() -> None:
    arrived: list[str] = []
    both_in = anyio.Event()

    async def who(request: Request) -> JSONResponse:
        arrived.append(request.headers["Authorization"])
        if len(arrived) == 2:
            both_in.set()
        await both_in.wait()  # both requests are inside the middleware at once
        return JSONResponse({"user": current_user_id()})

    app = NotifyContextMiddleware(Starlette(routes=[Route("/who", who)]), user_id=user_from_bearer)
    answers: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://app") as http:

        async def ask(user: str) -> None:
            bearer = {"Authorization": f"Bearer token-of-{user}"}
            answers[user] = (await http.get("/who", headers=bearer)).json()

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(ask, "alice")
            tasks.start_soon(ask, "bob")
    assert answers == {"alice": {"user": "alice"}, "bob": {"user": "bob"}}
    assert current_user_id() is None


async def test_fastapi_sync_dependency_sees_the_context() -> None:
    def acting_user() -> str | None:  # a sync dependency runs in a worker thread
        return current_user_id()

    app = FastAPI()

    @app.get("/me")
    def me(user: str | None = Depends(acting_user)) -> dict[str, Any]:
        return {"user": user, "also": current_user_id()}

    app.add_middleware(NotifyContextMiddleware, user_id=user_from_bearer)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://app") as http:
        answer = await http.get("/me", headers={"Authorization": "Bearer token-of-42"})
    assert answer.json() == {"user": "user-42", "also": "user-42"}


async def test_lifespan_passes_through_untouched() -> None:
    started: list[bool] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started.append(True)
        yield

    app = FastAPI(lifespan=lifespan)
    app.add_middleware(NotifyContextMiddleware)
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    replies: list[str] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: Any) -> None:
        replies.append(message["type"])

    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert started == [True]
    assert replies == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
