"""``notify.document_download``: async port of the admin app's ``DocumentDownloadAPIClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class DocumentDownloadAPIClient(BaseClient):
    """Methods of the original ``DocumentDownloadAPIClient`` (``app/notify_client/document_download_api_client.py``)."""
