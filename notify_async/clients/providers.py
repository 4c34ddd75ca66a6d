"""``notify.providers``: async port of the admin app's ``ProviderClient``."""

from __future__ import annotations

from typing import Any

from notify_async.clients._base import BaseClient

_ONE = "/provider-details/{provider_id}"


class ProviderClient(BaseClient):
    """SMS and e-mail delivery providers (platform admin).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_all_providers(self) -> Any:
        """Every provider with its priority and activity."""
        return await self._get("/provider-details")

    async def get_provider_by_id(self, provider_id: str) -> Any:
        """One provider."""
        return await self._get(_ONE, provider_id=provider_id)

    async def get_provider_versions(self, provider_id: str) -> Any:
        """The provider's history of changes."""
        return await self._get(_ONE + "/versions", provider_id=provider_id)

    async def update_provider(
        self, provider_id: str, priority: int, reason: str | None = None
    ) -> Any:
        """Change the provider's priority (``reason`` is always sent, null when not given).

        Needs an acting user (``request_context(user_id=...)``); raises
        :class:`~notify_async.errors.MissingActingUserError` otherwise.
        """
        body = self._with_created_by({"priority": priority, "reason": reason})
        return await self._post(_ONE, body, provider_id=provider_id)
