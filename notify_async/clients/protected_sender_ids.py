"""``notify.protected_sender_ids``: async port of the admin app's
``ProtectedSenderIDApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect


class ProtectedSenderIDApiClient(BaseClient):
    """Sender ids reserved for particular organisations.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_check_sender_id(self, sender_id: str) -> bool:
        """Whether ``sender_id`` is protected (sent as an encoded query parameter)."""
        response = await self._get("/protected-sender-id/check", {"sender_id": sender_id})
        return expect(response, bool)
