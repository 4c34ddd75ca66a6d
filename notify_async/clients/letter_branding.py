"""``notify.letter_branding``: async port of the admin app's ``LetterBrandingClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class LetterBrandingClient(BaseClient):
    """Methods of the original ``LetterBrandingClient`` (``app/notify_client/letter_branding_client.py``)."""
