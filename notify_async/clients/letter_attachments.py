"""``notify.letter_attachments``: async port of the admin app's ``LetterAttachmentClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class LetterAttachmentClient(BaseClient):
    """Methods of the original ``LetterAttachmentClient`` (``app/notify_client/letter_attachment_client.py``)."""
