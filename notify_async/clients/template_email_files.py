"""``notify.template_email_files``: async port of the admin app's ``TemplateEmailFileClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class TemplateEmailFileClient(BaseClient):
    """Methods of the original ``TemplateEmailFileClient`` (``app/notify_client/template_email_file_client.py``)."""
