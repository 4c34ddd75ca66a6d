"""``notify.inbound_numbers``: async port of the admin app's ``InboundNumberClient``."""

from __future__ import annotations

from notify_async.cache import invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import InboundNumbersResponse, JSONValue, ServiceInboundNumberResponse


class InboundNumberClient(BaseClient):
    """Inbound SMS numbers and the services they belong to.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_available_inbound_sms_numbers(self) -> InboundNumbersResponse:
        """Inbound numbers not yet given to any service."""
        return expect(await self._get("/inbound-number/available"), InboundNumbersResponse)

    async def get_all_inbound_sms_number_service(self) -> InboundNumbersResponse:
        """Every inbound number with the service using it."""
        return expect(await self._get("/inbound-number"), InboundNumbersResponse)

    async def get_inbound_sms_number_for_service(
        self, service_id: str
    ) -> ServiceInboundNumberResponse:
        """The service's inbound number (``{"data": {}}`` when it has none)."""
        response = await self._get("/inbound-number/service/{service_id}", service_id=service_id)
        return expect(response, ServiceInboundNumberResponse)

    @invalidates("service-{service_id}", patterns=("service-{service_id}-template-*",))
    async def add_inbound_number_to_service(
        self, service_id: str, inbound_number_id: str | None = None
    ) -> JSONValue:
        """Give the service an inbound number: ``inbound_number_id`` when given, else any
        available one (the server picks).

        The original sent this path without a leading slash (urljoin semantics); it is sent
        below the base URL like every other path. Also raises
        :class:`~notify_async.errors.CacheInvalidationError` if the cached service cannot be
        cleared.
        """
        body = {"inbound_number_id": inbound_number_id} if inbound_number_id else {}
        response: JSONValue = await self._post(
            "/inbound-number/service/{service_id}", body, service_id=service_id
        )
        return response
