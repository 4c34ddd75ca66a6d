"""``notify.email_branding``: async port of the admin app's ``EmailBrandingClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class EmailBrandingClient(BaseClient):
    """Methods of the original ``EmailBrandingClient`` (``app/notify_client/email_branding_client.py``)."""
