"""The API's status endpoints: its health and the count of live services. Like the real API's,
they need no admin token."""

from __future__ import annotations

import time

from notify_async.testing._http import Call, Reply, RouteTable
from notify_async.testing._state import Store, iso

ROUTES = RouteTable()

#: What the fake reports as its database migration (the real API names its latest one).
DB_VERSION = "fake"
_BUILT = iso(time.time())


@ROUTES.add("GET", "/_status", public=True)
def get_status(store: Store, call: Call) -> Reply:
    """GET /_status: ``{"status": "ok", "build_time", "db_version", ...}``; only
    ``{"status": "ok"}`` with ``simple`` in the query."""
    if call.query.get("simple"):
        return Reply(200, {"status": "ok"})
    return Reply(200, {
        "build_time": _BUILT,
        "db_bulk_version": DB_VERSION,
        "db_version": DB_VERSION,
        "git_commit": "fake",
        "status": "ok",
    })


@ROUTES.add("GET", "/_status/live-service-and-organisation-counts", public=True)
def get_live_counts(store: Store, call: Call) -> Reply:
    """GET /_status/live-service-and-organisation-counts: the services that are live (active,
    not in trial mode, counted as live) and the organisations (the fake has none)."""
    live = [
        s for s in store.services.values()
        if s["active"] and not s["restricted"] and s["count_as_live"]
    ]
    return Reply(200, {"organisations": 0, "services": len(live)})
