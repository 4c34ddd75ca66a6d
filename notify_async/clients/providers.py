"""``notify.providers``: async port of the admin app's ``ProviderClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import ProviderResponse, ProvidersResponse, ProviderVersionsResponse

_ONE = "/provider-details/{provider_id}"


class ProviderClient(BaseClient):
    """SMS and e-mail delivery providers (platform admin).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_all_providers(self) -> ProvidersResponse:
        """Every provider with its priority and activity."""
        return expect(await self._get("/provider-details"), ProvidersResponse)

    async def get_provider_by_id(self, provider_id: str) -> ProviderResponse:
        """One provider."""
        return expect(await self._get(_ONE, provider_id=provider_id), ProviderResponse)

    async def get_provider_versions(self, provider_id: str) -> ProviderVersionsResponse:
        """The provider's history of changes."""
        response = await self._get(_ONE + "/versions", provider_id=provider_id)
        return expect(response, ProviderVersionsResponse)

    async def update_provider(
        self, provider_id: str, priority: int, reason: str | None = None
    ) -> ProviderResponse:
        """Change the provider's priority (``reason`` is always sent, null when not given).

        Needs an acting user (``request_context(user_id=...)``); raises
        :class:`~notify_async.errors.MissingActingUserError` otherwise.
        """
        body = self._with_created_by({"priority": priority, "reason": reason})
        return expect(await self._post(_ONE, body, provider_id=provider_id), ProviderResponse)
