"""``notify.letter_attachments``: async port of the admin app's ``LetterAttachmentClient``."""

from __future__ import annotations

from notify_async.cache import invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import LetterAttachment

# Attachments show in the service's templates, so writes clear the cached templates.
_TEMPLATES = "service-{service_id}-templates"
_TEMPLATE_PATTERN = ("service-{service_id}-template-*",)


class LetterAttachmentClient(BaseClient):
    """PDF pages attached to letter templates.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_letter_attachment(self, letter_attachment_id: str) -> LetterAttachment:
        """One letter attachment."""
        response = await self._get(
            "/letter-attachment/{letter_attachment_id}", letter_attachment_id=letter_attachment_id
        )
        return expect(response, LetterAttachment)

    @invalidates(_TEMPLATES, patterns=_TEMPLATE_PATTERN)
    async def create_letter_attachment(
        self,
        *,
        upload_id: str,
        original_filename: str,
        page_count: int,
        template_id: str,
        service_id: str,
    ) -> LetterAttachment:
        """Attach an uploaded PDF (``upload_id``) to a letter template.

        ``created_by_id`` is the acting user; raises
        :class:`~notify_async.errors.MissingActingUserError` outside
        ``request_context(user_id=...)``. ``service_id`` only names the cache entries
        cleared; it is not sent. Also raises
        :class:`~notify_async.errors.CacheInvalidationError` if they cannot be cleared.
        """
        body = {
            "upload_id": str(upload_id),
            "original_filename": original_filename,
            "page_count": page_count,
            "template_id": str(template_id),
            "created_by_id": str(self._acting_user()),
        }
        return expect(await self._post("/letter-attachment", body), LetterAttachment)

    @invalidates(_TEMPLATES, patterns=_TEMPLATE_PATTERN)
    async def archive_letter_attachment(
        self, *, letter_attachment_id: str, user_id: str, service_id: str
    ) -> None:
        """Archive an attachment; ``user_id`` is sent as ``archived_by``.

        ``service_id`` only names the cache entries cleared. Also raises
        :class:`~notify_async.errors.CacheInvalidationError` if they cannot be cleared.
        """
        await self._post(
            "/letter-attachment/{letter_attachment_id}/archive",
            {"archived_by": str(user_id)},
            letter_attachment_id=letter_attachment_id,
        )
