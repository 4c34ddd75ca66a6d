"""``notify.letter_jobs``: async port of the admin app's ``LetterJobsClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class LetterJobsClient(BaseClient):
    """Methods of the original ``LetterJobsClient`` (``app/notify_client/letter_jobs_client.py``)."""
