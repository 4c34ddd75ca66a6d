"""``notify.uploads``: async port of the admin app's ``UploadApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class UploadApiClient(BaseClient):
    """Methods of the original ``UploadApiClient`` (``app/notify_client/upload_api_client.py``)."""
