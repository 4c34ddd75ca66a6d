"""A Flask app that uses Notify through the SDK's blocking client, as the Notify admin app would.

    python examples/flask_app.py               # a short demo: requests through Flask's test client
    flask --app examples/flask_app run         # serve it on http://127.0.0.1:5000
    gunicorn --preload -w 4 --chdir examples flask_app:app    # prefork: safe, see docs/sync.md

One blocking ``NotifyAdminClient`` per process, made with the app and shared by every request
thread (one HTTP pool, one cache, one event loop in a daemon thread); no ``await`` anywhere.
Each request runs inside ``request_context``, filled from the incoming trace headers and the
signed-in user, so every Notify call made while handling it carries them. API errors become
HTTP answers.

The signed-in user comes from Flask's signed session cookie, set by a demo ``/login`` route that
stands in for your real login (the admin app checks the password first): never from a header
that any client can set. Against the embedded fake Notify API by default; set
``NOTIFY_API_URL``, ``NOTIFY_ADMIN_CLIENT_ID`` and ``NOTIFY_ADMIN_CLIENT_SECRET`` (and
``REDIS_URL``) to use a real one.
"""

from __future__ import annotations

import os
import secrets
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import httpx
from _demo import Demo, target
from flask import Flask, g, request, session

from notify_async.errors import HTTPError, MissingActingUserError
from notify_async.sync import NotifyAdminClient, request_context

if TYPE_CHECKING:
    from notify_async.testing import FakeNotifyAPI

#: The trace id the demo's requests arrive with (as a load balancer or tracing proxy adds it).
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


def make_client() -> tuple[NotifyAdminClient, FakeNotifyAPI | None]:
    """A blocking client of the real API when ``NOTIFY_API_URL`` is set (a Redis cache too when
    ``REDIS_URL`` is), else of a new embedded fake, returned too so the demo can look at it."""
    if os.environ.get("NOTIFY_API_URL"):
        return NotifyAdminClient.from_env(), None
    from notify_async.testing import FakeNotifyAPI

    fake = FakeNotifyAPI()
    # A factory, not an httpx.AsyncClient: called in the client's loop thread, and again in a
    # forked worker, which must not share the parent's connections.
    return NotifyAdminClient(
        fake.base_url, fake.client_id, fake.secret,
        http_client=lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=fake)),
    ), fake


def create_app(notify: NotifyAdminClient) -> Flask:
    """The app, calling Notify through ``notify`` (shared by every request thread)."""
    app = Flask(__name__)
    app.secret_key = os.environ.get("FLASK_SECRET_KEY") or secrets.token_hex(32)
    app.extensions["notify"] = notify

    @app.before_request
    def enter_request_context() -> None:
        # The admin app would say user_id=current_user.id (flask_login).
        g.notify_context = stack = ExitStack()
        stack.enter_context(request_context(
            user_id=session.get("user_id"),
            trace_id=request.headers.get("X-B3-TraceId") or None,
            span_id=request.headers.get("X-B3-SpanId") or None,
        ))

    @app.teardown_request
    def leave_request_context(_: BaseException | None) -> None:
        stack = g.pop("notify_context", None)
        if stack is not None:
            stack.close()

    @app.errorhandler(HTTPError)
    def notify_error(error: HTTPError) -> tuple[dict[str, Any], int]:
        return {"error": str(error)}, error.status_code

    @app.errorhandler(MissingActingUserError)
    def not_signed_in(_: MissingActingUserError) -> tuple[dict[str, Any], int]:
        return {"error": "sign in first"}, 401

    @app.post("/login")
    def login() -> dict[str, Any]:
        session["user_id"] = (request.get_json() or {})["user_id"]  # demo: no password check
        return {"signed_in": True}

    @app.get("/services/<service_id>")
    def service(service_id: str) -> dict[str, Any]:
        data = notify.services.get_service(service_id)["data"]
        return {"id": data["id"], "name": data["name"], "restricted": data["restricted"]}

    @app.post("/services/<service_id>/notifications")
    def send(service_id: str) -> tuple[dict[str, Any], int]:
        body = request.get_json() or {}
        sent = notify.notifications.send_notification(
            service_id, template_id=body["template_id"], recipient=body["recipient"],
            personalisation=body.get("personalisation", {}), sender_id=None,
        )
        return {"id": sent["id"]}, 201

    @app.get("/services/<service_id>/notifications/<notification_id>")
    def notification(service_id: str, notification_id: str) -> dict[str, Any]:
        found = notify.notifications.get_notification(service_id, notification_id)
        return {"id": found["id"], "status": found["status"]}

    return app


def create_demo_service(notify: NotifyAdminClient, name: str) -> Demo:
    """Register a user, create a trial service they belong to and an e-mail template in it:
    ``_demo.create_demo_service`` ported to the blocking client (the same code, no ``await``)."""
    suffix = secrets.token_hex(3)
    email_address = f"{name.lower()}.{suffix}@example.gov.uk"
    user = notify.users.register_user(
        f"{name} User", email_address, "+447700900123", f"demo-passphrase-{secrets.token_hex(8)}",
        "email_auth",
    )
    print(f"registered user {user['id']} ({user['name']})")
    with request_context(user_id=user["id"]):
        service_name = f"{name} service {suffix}"
        service_id = notify.services.create_service(
            service_name, "central", 1000, 100, 1000, 1000, True, user["id"]
        )
        print(f"created service {service_id} ({service_name!r})")
        template = notify.services.create_service_template(
            name="Welcome", type_="email", content="Hello ((name)), welcome aboard.",
            service_id=service_id, subject="Welcome",
        )
    return Demo(user["id"], email_address, service_id, service_name, template["data"]["id"])


notify, fake = make_client()  # at import: `flask run` and gunicorn (--preload too) find `app`
app = create_app(notify)


def demo() -> None:
    """Make a demo service through the client, then call the app's routes."""
    print(f"talking to {target(notify, fake)}")  # type: ignore[arg-type]  # reads .config only
    made = create_demo_service(notify, "Flask")
    http = app.test_client()
    message = {"template_id": made.template_id, "recipient": made.email_address,
               "personalisation": {"name": "Ada"}}
    refused = http.post(f"/services/{made.service_id}/notifications", json=message)
    print(f"POST /services/.../notifications, not signed in -> {refused.status_code}")
    http.post("/login", json={"user_id": made.user_id})
    headers = {"X-B3-TraceId": TRACE_ID}
    sent = http.post(f"/services/{made.service_id}/notifications", json=message,
                     headers=headers)
    print(f"POST /services/.../notifications -> {sent.status_code}")
    read = http.get(f"/services/{made.service_id}/notifications/{sent.json['id']}",
                    headers=headers)
    print(f"GET /services/.../notifications/... -> {read.status_code} {read.json['status']}")
    shown = http.get(f"/services/{made.service_id}", headers=headers)
    print(f"GET /services/... -> {shown.status_code} {shown.json['name']!r}")
    if fake is not None:
        last = fake.requests[-1]
        print(f"the fake API saw trace id {last.header('X-B3-TraceId')} and the acting user: "
              f"{last.header('X-Notify-User-Id') == made.user_id}")


if __name__ == "__main__":
    with notify:  # closes the connections now; a client never closed is closed at exit
        demo()
