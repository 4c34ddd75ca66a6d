"""``notify.template_email_files``: async port of the admin app's ``TemplateEmailFileClient``."""

from __future__ import annotations

from notify_async.cache import invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import TemplateEmailFileResponse

_FILES = "/service/{service_id}/templates/{template_id}/template_email_files"


class TemplateEmailFileClient(BaseClient):
    """Files linked from e-mail templates (recipients download them).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def create_file(
        self,
        *,
        file_id: str,
        service_id: str,
        template_id: str,
        filename: str,
        created_by_id: str,
        retention_period: int = 26,
        validate_users_email: bool = True,
    ) -> TemplateEmailFileResponse:
        """Record an uploaded file (``file_id``) as linked from the template.

        Like the original, this clears no cache (the file shows up once the template is next
        fetched from the API).
        """
        body = {
            "id": str(file_id),
            "filename": filename,
            "created_by_id": created_by_id,
            "retention_period": retention_period,
            "validate_users_email": bool(validate_users_email),
        }
        response = await self._post(
            _FILES, body, service_id=service_id, template_id=template_id
        )
        return expect(response, TemplateEmailFileResponse)

    async def get_file_by_id(
        self, file_id: str, service_id: str, template_id: str
    ) -> TemplateEmailFileResponse:
        """One template e-mail file (note the argument order: file, service, template)."""
        response = await self._get(
            _FILES + "/{file_id}", service_id=service_id, template_id=template_id, file_id=file_id
        )
        return expect(response, TemplateEmailFileResponse)

    @invalidates(patterns=("service-{service_id}-template-{template_id}*",))
    async def update_file(
        self,
        file_id: str,
        service_id: str,
        template_id: str,
        *,
        link_text: str | None,
        retention_period: int,
        validate_users_email: bool,
        pending: bool,
    ) -> TemplateEmailFileResponse:
        """Change a file's link text, retention period, e-mail check and pending flag.

        Clears the template's cached versions; raises
        :class:`~notify_async.errors.CacheInvalidationError` if they cannot be cleared.
        """
        body = {
            "link_text": link_text,
            "retention_period": retention_period,
            "validate_users_email": validate_users_email,
            "pending": pending,
        }
        response = await self._post(
            _FILES + "/{file_id}",
            body,
            service_id=service_id,
            template_id=template_id,
            file_id=file_id,
        )
        return expect(response, TemplateEmailFileResponse)
