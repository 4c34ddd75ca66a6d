"""``notify.document_download``: async port of the admin app's ``DocumentDownloadAPIClient``.

Unlike every other sub-client this one talks to the separate document-download service: the
facade gives it a transport whose base URL is ``document_download_url`` and whose only
credential is the static ``Authorization: Bearer <document_download_api_key>`` header (no admin
JWT, no ``X-Notify-User-Id``; the trace headers are still sent).
"""

from __future__ import annotations

import base64
import logging

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.errors import (
    ConfigurationError,
    DocumentDownloadError,
    HTTPError,
    InvalidArgumentError,
)
from notify_async.types import JSONObject, JSONValue

logger = logging.getLogger("notify_async")

#: The text of the 413 error (the service refuses files over 2 MB).
FILE_TOO_LARGE = "File must be smaller than 2MB"


def _refusal(error: HTTPError) -> DocumentDownloadError | None:
    """The :class:`DocumentDownloadError` for a 400 or 413 answer, None for any other error."""
    if error.status_code == 413:
        return DocumentDownloadError(FILE_TOO_LARGE, 413)
    if error.status_code == 400:
        body = error.response_body
        message = body.get("error") if isinstance(body, dict) else None
        return DocumentDownloadError(None if message is None else str(message), 400)
    return None


class DocumentDownloadAPIClient(BaseClient):
    """Checks of files before they are attached to e-mails (document-download service)."""

    async def file_check_and_antivirus_scan(
        self, service_id: str, file_name: str, file_bytes: bytes
    ) -> JSONObject:
        """Have the document-download service scan ``file_bytes`` for viruses and detect its
        type. Returns the service's JSON answer (validity, antivirus result, mimetype).

        Raises:
            ConfigurationError: ``document_download_url`` or ``document_download_api_key`` is not
                configured (nothing is sent).
            InvalidArgumentError: ``file_bytes`` is not bytes (nothing is sent).
            DocumentDownloadError: the service refused the file: 400 (``message`` is the
                service's ``error`` text) or 413 (the file is too large).
            HTTPError: any other error status (a status subclass such as ``ServerError``);
                :class:`~notify_async.errors.TransportError` when the service cannot be reached.
        """
        if not (self._config.document_download_url and self._config.document_download_api_key):
            raise ConfigurationError(
                "file_check_and_antivirus_scan needs document_download_url and "
                "document_download_api_key on the NotifyAdminClient"
            )
        if not isinstance(file_bytes, bytes | bytearray | memoryview):
            raise InvalidArgumentError(f"file_bytes must be bytes, got {type(file_bytes).__name__}")
        body = {
            "document": base64.b64encode(file_bytes).decode("ascii"),
            "filename": file_name,
        }
        try:
            response = await self._post(
                "/services/{service_id}/antivirus-and-mimetype-check", body, service_id=service_id
            )
        except HTTPError as error:
            refusal = _refusal(error)
            if refusal is None:
                raise
            logger.info("document download refused a file (status %d)", refusal.status_code)
            raise refusal from error
        return expect(response, dict[str, JSONValue])
