"""``notify.organisations``: async port of the admin app's ``OrganisationsClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class OrganisationsClient(BaseClient):
    """Methods of the original ``OrganisationsClient`` (``app/notify_client/organisations_api_client.py``)."""
