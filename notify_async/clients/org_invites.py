"""``notify.org_invites``: async port of the admin app's ``OrgInviteApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class OrgInviteApiClient(BaseClient):
    """Methods of the original ``OrgInviteApiClient`` (``app/notify_client/org_invite_api_client.py``)."""
