"""``notify.unsubscribe_requests``: async port of the admin app's ``UnsubscribeApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient
from notify_async.errors import HTTPError


class UnsubscribeApiClient(BaseClient):
    """One-click unsubscribe from e-mails."""

    async def unsubscribe(self, notification_id: str, token: str) -> bool:
        """Record the recipient's unsubscribe request for the notification's e-mail list.

        Returns True when it was recorded and False when the API answers 404 (unknown
        notification or bad token). Raises :class:`~notify_async.errors.HTTPError` for any
        other error status and :class:`~notify_async.errors.TransportError` when the API
        cannot be reached. The token never appears in logs or error messages.
        """
        try:
            await self._post(
                "/unsubscribe/{notification_id}/{token}",
                None,
                notification_id=notification_id,
                token=token,
            )
        except HTTPError as error:
            if error.status_code == 404:
                return False
            raise
        return True
