"""``notify.users``: async port of the admin app's ``UserApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class UserApiClient(BaseClient):
    """Methods of the original ``UserApiClient`` (``app/notify_client/user_api_client.py``)."""
