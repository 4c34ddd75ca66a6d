"""``notify.template_folders``: async port of the admin app's ``TemplateFolderAPIClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class TemplateFolderAPIClient(BaseClient):
    """Methods of the original ``TemplateFolderAPIClient`` (``app/notify_client/template_folder_api_client.py``)."""
