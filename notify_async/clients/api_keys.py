"""``notify.api_keys``: async port of the admin app's ``ApiKeyApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect, unwrap
from notify_async.types import ApiKeysResponse


class ApiKeyApiClient(BaseClient):
    """A service's API keys."""

    async def get_api_keys(self, service_id: str) -> ApiKeysResponse:
        """The service's API keys (``{"apiKeys": [...]}``)."""
        response = await self._get("/service/{service_id}/api-keys", service_id=service_id)
        return expect(response, ApiKeysResponse)

    async def create_api_key(self, service_id: str, key_name: str, key_type: str) -> str:
        """Create a key and return its secret (``response["data"]``; shown once only).

        Needs an acting user (``request_context(user_id=...)``).
        """
        body = self._with_created_by({"name": key_name, "key_type": key_type})
        response = await self._post("/service/{service_id}/api-key", body, service_id=service_id)
        return unwrap(response, "data", str)

    async def revoke_api_key(self, service_id: str, key_id: str) -> None:
        """Revoke a key. Needs an acting user."""
        await self._post(
            "/service/{service_id}/api-key/revoke/{key_id}",
            self._with_created_by({}),
            service_id=service_id,
            key_id=key_id,
        )
