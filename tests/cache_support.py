"""A stateful fake upstream and a small cached client for the cache behaviour tests.

``ServiceReads`` declares its cache effects with the SDK's own decorators and the original's key
names (``service-{service_id}``, ``service-{service_id}-template-{template_id}``), so these tests
exercise the same code path as ``notify.services`` without depending on that module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from notify_async import NotifyAdminClient
from notify_async.cache import CacheBackend, RequestCache, cached, invalidates
from notify_async.clients._base import BaseClient
from tests.conftest import make_client

_SERVICE = re.compile(r"^/service/([^/]+)$")
_TEMPLATE = re.compile(r"^/service/([^/]+)/template/([^/]+)$")


async def _no_delay() -> None:
    return None


class FakeNotify:
    """An in-process API with real state: each service has a version that every POST bumps.

    ``delay`` is awaited at the points where a real server or network would take time: before a
    read looks at the state, after it (the answer in flight), and likewise around a write.
    ``on_write`` runs while a write is being handled (after the state changed).
    """

    def __init__(self, delay: Callable[[], Awaitable[None]] = _no_delay) -> None:
        self.versions: dict[str, int] = {}
        self.delay = delay
        self.reads = 0
        self.writes = 0
        self.on_write: Callable[[], None] | None = None

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """The httpx transport handler."""
        path = request.url.path
        await self.delay()
        if request.method == "POST" and (match := _SERVICE.match(path)):
            service_id = match.group(1)
            self.versions[service_id] = self.versions.get(service_id, 0) + 1
            self.writes += 1
            version = self.versions[service_id]
            if self.on_write is not None:
                self.on_write()
            await self.delay()
            return httpx.Response(200, json={"data": {"id": service_id, "version": version}})
        if request.method == "GET" and (match := _SERVICE.match(path) or _TEMPLATE.match(path)):
            self.reads += 1
            version = self.versions.get(match.group(1), 0)
            await self.delay()
            return httpx.Response(200, json={"data": {"id": match.group(1), "version": version}})
        return httpx.Response(404, json={"result": "error", "message": "not found"})

    def client(self, backend: CacheBackend | None = None) -> NotifyAdminClient:
        """A facade whose HTTP goes to this fake (retries disabled)."""
        http = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return make_client(cache=backend, http_client=http)


class ServiceReads(BaseClient):
    """Cached reads and an invalidating write, with the original's key names."""

    @cached("service-{service_id}")
    async def get_service(self, service_id: str) -> Any:
        """The service (read-through ``service-{service_id}``)."""
        return await self._get("/service/{service_id}", service_id=service_id)

    @cached("service-{service_id}-template-{template_id}")
    async def get_template(self, service_id: str, template_id: str) -> Any:
        """A template (read-through ``service-{service_id}-template-{template_id}``)."""
        return await self._get(
            "/service/{service_id}/template/{template_id}",
            service_id=service_id,
            template_id=template_id,
        )

    @invalidates("service-{service_id}", patterns=("service-{service_id}-template-*",))
    async def update_service(self, service_id: str) -> Any:
        """Bump the service's version (deletes its key and its templates' keys)."""
        return await self._post("/service/{service_id}", {}, service_id=service_id)


def service_reads(notify: NotifyAdminClient, cache: RequestCache | None = None) -> ServiceReads:
    """A :class:`ServiceReads` sharing the facade's transport and (unless given) its cache."""
    return ServiceReads(notify._transport, cache or notify.cache, notify.config)


def version_of(raw: bytes | None) -> int | None:
    """The version inside a cached JSON value (None when nothing is cached)."""
    return None if raw is None else int(json.loads(raw)["data"]["version"])
