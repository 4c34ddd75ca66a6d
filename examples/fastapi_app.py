"""A FastAPI app that uses Notify: one client per app (lifespan), handed to the routes by
dependency injection, and ``NotifyContextMiddleware`` so each Notify call carries the incoming
request's trace id and acting user.

    python examples/fastapi_app.py                      # a short demo: requests through the app
    python examples/fastapi_app.py serve [--port 8000]  # serve it (uvicorn), with demo data

Needs the ``testing`` extra and FastAPI: ``pip install -e ".[testing]" fastapi``. ``serve``
first makes a demo user, service and template and signs the user in, then prints them with
``curl`` commands to try.

The acting user comes from the app's own authentication - here a small in-memory session store
(``DemoSessions``) standing in for your real login and session middleware - never from a header
the client sends: a request that only says ``X-Notify-User-Id: <someone>`` acts as nobody, and
a write without a signed-in user is answered 401 saying what to send.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
import httpx
from _demo import create_demo_service, make_client, target
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from notify_async import NotifyAdminClient
from notify_async.errors import HTTPError, MissingActingUserError
from notify_async.integrations.asgi import NotifyContextMiddleware, Scope, header_value

#: The trace id the demo's requests arrive with.
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
#: What a write without a signed-in user is told to send.
SIGN_IN_FIRST = (
    "no signed-in user: send 'Authorization: Bearer <session token>' "
    "('python examples/fastapi_app.py serve' prints one at start)"
)

ClientFactory = Callable[[], tuple[NotifyAdminClient, Any]]


class SendRequest(BaseModel):
    """Body of ``POST /services/{service_id}/notifications``."""

    template_id: str
    recipient: str
    personalisation: dict[str, str] = {}


class DemoSessions:
    """The app's own (demo) authentication: opaque bearer tokens it issued, mapped to user ids.

    Stands in for your real login (Notify's admin app verifies the password, then keeps the
    user id in its session). What matters is that the acting user comes from something the app
    issued and checks, not from a header any client can set.
    """

    def __init__(self) -> None:
        self._users: dict[str, str] = {}

    def sign_in(self, user_id: str) -> str:
        """A new session token for ``user_id`` (call it after your login has checked them)."""
        token = secrets.token_urlsafe(32)
        self._users[token] = user_id
        return token

    def user_id(self, scope: Scope) -> str | None:
        """The signed-in user of a request (``Authorization: Bearer <token>``), or None."""
        scheme, _, token = (header_value(scope, "Authorization") or "").partition(" ")
        return self._users.get(token.strip()) if scheme.lower() == "bearer" else None


def get_notify(request: Request) -> NotifyAdminClient:
    """Dependency: the app's one Notify client."""
    client: NotifyAdminClient = request.app.state.notify
    return client


Notify = Annotated[NotifyAdminClient, Depends(get_notify)]


def create_app(
    client_factory: ClientFactory = make_client,
    *,
    on_start: Callable[[FastAPI], Awaitable[None]] | None = None,
) -> FastAPI:
    """The app; ``client_factory`` returns the Notify client and the fake behind it (or None).
    ``on_start(app)`` is awaited once the client is ready (``serve`` seeds demo data there)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        notify, fake = client_factory()
        app.state.notify, app.state.fake = notify, fake
        async with notify:  # closes the client's connections on shutdown
            if on_start is not None:
                await on_start(app)
            yield

    app = FastAPI(title="notify_async FastAPI example", lifespan=lifespan)
    app.state.sessions = sessions = DemoSessions()
    app.add_middleware(NotifyContextMiddleware, user_id=sessions.user_id)

    @app.exception_handler(HTTPError)
    async def notify_error(request: Request, exc: HTTPError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.status_code)

    @app.exception_handler(MissingActingUserError)
    async def not_signed_in(request: Request, exc: MissingActingUserError) -> JSONResponse:
        return JSONResponse({"error": SIGN_IN_FIRST}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    @app.get("/services/{service_id}")
    async def service(service_id: str, notify: Notify) -> dict[str, Any]:
        data = (await notify.services.get_service(service_id))["data"]
        return {"id": data["id"], "name": data["name"], "restricted": data["restricted"]}

    @app.post("/services/{service_id}/notifications", status_code=201)
    async def send(service_id: str, body: SendRequest, notify: Notify) -> dict[str, Any]:
        sent = await notify.notifications.send_notification(
            service_id, template_id=body.template_id, recipient=body.recipient,
            personalisation=body.personalisation, sender_id=None,
        )
        return {"id": sent["id"]}

    @app.get("/services/{service_id}/notifications/{notification_id}")
    async def notification(service_id: str, notification_id: str,
                           notify: Notify) -> dict[str, Any]:
        found = await notify.notifications.get_notification(service_id, notification_id)
        return {"id": found["id"], "status": found["status"]}

    return app


app = create_app()


async def demo() -> None:
    """Start the app, make a demo service through its Notify client, then call the routes."""
    app = create_app()
    async with app.router.lifespan_context(app):
        notify, fake = app.state.notify, app.state.fake
        print(f"talking to {target(notify, fake)}")
        made = await create_demo_service(notify, "FastAPI", report=print)
        token = app.state.sessions.sign_in(made.user_id)  # as if they had just logged in
        headers = {"Authorization": f"Bearer {token}", "X-B3-TraceId": TRACE_ID}
        message = {"template_id": made.template_id, "recipient": made.email_address,
                   "personalisation": {"name": "Ada"}}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            forged = await http.post(f"/services/{made.service_id}/notifications",
                                     headers={"X-Notify-User-Id": made.user_id}, json=message)
            print("POST /services/.../notifications with only an X-Notify-User-Id header, "
                  f"not signed in -> {forged.status_code}")
            sent = await http.post(
                f"/services/{made.service_id}/notifications", headers=headers, json=message
            )
            print(f"POST /services/.../notifications -> {sent.status_code}")
            read = await http.get(
                f"/services/{made.service_id}/notifications/{sent.json()['id']}", headers=headers
            )
            print(f"GET /services/.../notifications/... -> {read.status_code} "
                  f"{read.json()['status']}")
            shown = await http.get(f"/services/{made.service_id}", headers=headers)
            print(f"GET /services/... -> {shown.status_code} {shown.json()['name']!r}")
        if fake is not None:
            last = fake.requests[-1]
            print(f"the fake API saw trace id {last.header('X-B3-TraceId')} and the acting user: "
                  f"{last.header('X-Notify-User-Id') == made.user_id}")


async def seed(app: FastAPI, host: str, port: int) -> None:
    """Make a demo user, service and template, sign the user in, and print how to call the app."""
    notify = app.state.notify
    print(f"talking to {target(notify, app.state.fake)}", flush=True)
    made = await create_demo_service(notify, "Served", report=print)
    token = app.state.sessions.sign_in(made.user_id)
    base = f"http://{host}:{port}"
    service = f"{base}/services/{made.service_id}"
    body = (f'{{"template_id": "{made.template_id}", "recipient": "{made.email_address}", '
            '"personalisation": {"name": "Ada"}}')
    print(f"""
demo data ready; the demo user is signed in with the session token:
  TOKEN={token}
try:
  curl {service}
  curl -X POST {service}/notifications -H "Authorization: Bearer $TOKEN" \\
       -H 'Content-Type: application/json' -d '{body}'
  curl {service}/notifications/<id from the POST> -H "Authorization: Bearer $TOKEN"
a POST without the Authorization header is answered 401 with what to send.
""", flush=True)


def serve(host: str, port: int) -> None:
    """Serve the app with uvicorn, seeded with demo data."""
    import uvicorn

    async def on_start(app: FastAPI) -> None:
        await seed(app, host, port)

    uvicorn.run(create_app(on_start=on_start), host=host, port=port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python examples/fastapi_app.py",
        description="A FastAPI app using notify_async. Without a command: a short demo of "
                    "requests through the app, against the embedded fake Notify API.",
    )
    commands = parser.add_subparsers(dest="command")
    serving = commands.add_parser("serve", help="serve the app (uvicorn), seeded with demo data")
    serving.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    serving.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.host, args.port)
    else:
        anyio.run(demo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
