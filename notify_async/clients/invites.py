"""``notify.invites``: async port of the admin app's ``InviteApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class InviteApiClient(BaseClient):
    """Methods of the original ``InviteApiClient`` (``app/notify_client/invite_api_client.py``)."""
