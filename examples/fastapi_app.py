"""A FastAPI app that uses Notify: one client per app (lifespan), handed to the routes by
dependency injection, and ``NotifyContextMiddleware`` so each Notify call carries the incoming
request's trace id and acting user.

    python examples/fastapi_app.py          # a short demo: three requests through the app
    python examples/fastapi_app.py serve    # serve it on http://127.0.0.1:8000 (uvicorn)

The acting user comes from the ``X-Notify-User-Id`` header here; behind your own login, pass
``user_id=<callable reading your session>`` to the middleware instead.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
import httpx
from _demo import create_demo_service, make_client, target
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from notify_async import NotifyAdminClient
from notify_async.errors import HTTPError
from notify_async.integrations.asgi import NotifyContextMiddleware

#: The trace id the demo's requests arrive with.
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"

ClientFactory = Callable[[], tuple[NotifyAdminClient, Any]]


class SendRequest(BaseModel):
    """Body of ``POST /services/{service_id}/notifications``."""

    template_id: str
    recipient: str
    personalisation: dict[str, str] = {}


def get_notify(request: Request) -> NotifyAdminClient:
    """Dependency: the app's one Notify client."""
    client: NotifyAdminClient = request.app.state.notify
    return client


Notify = Annotated[NotifyAdminClient, Depends(get_notify)]


def create_app(client_factory: ClientFactory = make_client) -> FastAPI:
    """The app; ``client_factory`` returns the Notify client and the fake behind it (or None)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        notify, fake = client_factory()
        app.state.notify, app.state.fake = notify, fake
        async with notify:  # closes the client's connections on shutdown
            yield

    app = FastAPI(title="notify_async FastAPI example", lifespan=lifespan)
    app.add_middleware(NotifyContextMiddleware)

    @app.exception_handler(HTTPError)
    async def notify_error(request: Request, exc: HTTPError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.status_code)

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
        headers = {"X-Notify-User-Id": made.user_id, "X-B3-TraceId": TRACE_ID}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            sent = await http.post(
                f"/services/{made.service_id}/notifications", headers=headers,
                json={"template_id": made.template_id, "recipient": made.email_address,
                      "personalisation": {"name": "Ada"}},
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


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        import uvicorn

        uvicorn.run(app, host="127.0.0.1", port=8000)
    else:
        anyio.run(demo)
