"""``notify.document_download``: async port of the admin app's ``DocumentDownloadAPIClient``.

Unlike every other sub-client this one talks to the separate document-download service: the
facade gives it a transport whose base URL is ``document_download_url`` and whose only
credential is the static ``Authorization: Bearer <document_download_api_key>`` header (no admin
JWT, no ``X-Notify-User-Id``; the trace headers are still sent).
"""

from __future__ import annotations

import base64
import json
import logging

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.errors import (
    ConfigurationError,
    DocumentDownloadError,
    HTTPError,
    InvalidArgumentError,
    NotifyError,
    TransportError,
)
from notify_async.types import JSONObject, JSONValue

logger = logging.getLogger("notify_async")

#: The text of the 413 error (the service refuses files over 2 MB), as the original's.
FILE_TOO_LARGE = "The file must be smaller than 2MB"


def _service_error(body: object) -> str | None:
    """The document-download service's own error text (its ``error`` key)."""
    message = body.get("error") if isinstance(body, dict) else None
    return None if message is None else str(message)


def _refusal(error: HTTPError) -> NotifyError:
    """The original's error for a document-download failure: ``DocumentDownloadError`` for a
    400 (the service's ``error`` text) or a 413; for any other status the same HTTP error
    class with the message ``Unhandled document download error: <the body>``."""
    if error.status_code == 413:
        return DocumentDownloadError(FILE_TOO_LARGE, 413)
    body = error.response_body
    if error.status_code == 400:
        return DocumentDownloadError(_service_error(body), 400)
    shown = _service_error(body) or (
        body if isinstance(body, str) else json.dumps(body) if body is not None else error.message
    )
    return type(error)(
        f"Unhandled document download error: {shown}", status_code=error.status_code,
        method=error.method, path=error.path, response_body=body,
    )


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
                service's ``error`` text) or 413 ("The file must be smaller than 2MB").
            HTTPError: any other error status (a status subclass such as ``ServerError``) with
                the message ``Unhandled document download error: <the service's error or
                body>``; :class:`~notify_async.errors.TransportError` when the service cannot
                be reached.
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
            if isinstance(error, TransportError):
                raise  # no answer at all: nothing to translate
            logger.info("document download refused a file (status %d)", error.status_code)
            raise _refusal(error) from None
        return expect(response, dict[str, JSONValue])
