"""The SDK's exceptions.

The original client's names are kept (:class:`APIError`, :class:`HTTPError`,
:class:`HTTP503Error`, :class:`InvalidResponse`, :class:`InviteTokenError`) so ``except`` clauses
port unchanged. On top of them there is one subclass per common status, a transport-failure class
and the client-side errors. Every message names the request (verb and path, with anything that is
not a plain id left as its placeholder) and never contains a secret, a token, an e-mail address or
a phone number: not in ``str()``, ``repr()`` or ``args`` (which error trackers and log handlers
read), also after pickling. Only the attributes documented as raw (``APIError.message`` and
``response_body``, ``DocumentDownloadError.message``, ``CacheInvalidationError.keys``) keep the
original values, for code that needs them; do not log those.

Hierarchy::

    NotifyError
      APIError                     status_code, message, method, path
        HTTPError
          BadRequestError          400
          AuthenticationError      401
          PermissionDeniedError    403
          NotFoundError            404
          ConflictError            409
          RateLimitError           429
          ServerError              5xx
            HTTP503Error           503 (also every TransportError)
              TransportError       connection failure or timeout: no response
        InvalidResponse            a success status whose body is not JSON
      InvalidArgumentError         bad input, raised before any request (a TypeError and ValueError)
      MissingActingUserError       a method needs request_context(user_id=...)
      CacheInvalidationError       a write's cache invalidation failed
      ConfigurationError           bad configuration
      DocumentDownloadError        document-download service refused the file (400 / 413)
      InviteTokenError             kept for compatibility; not raised by the SDK
"""

from __future__ import annotations

import json
from typing import Any

from notify_async._redact import redact_text, redact_value


def _rebuild(cls: type[NotifyError], args: tuple[Any, ...], state: dict[str, Any]) -> NotifyError:
    error = cls.__new__(cls, *args)
    error.__dict__.update(state)
    return error


class NotifyError(Exception):
    """Base class of every exception raised by notify_async.

    E-mail addresses and phone numbers in the arguments are masked before they are stored in
    ``args`` (and so in ``str()`` and ``repr()``).
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact_value(arg) for arg in args))

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclass constructors take keyword-only arguments that ``args`` does not hold, so
        # pickle and copy rebuild from ``args`` and the attributes instead of calling them.
        return (_rebuild, (type(self), self.args, self.__dict__))


class ConfigurationError(NotifyError, ValueError):
    """The client was configured with a missing or invalid setting."""


class InvalidArgumentError(NotifyError, TypeError, ValueError):
    """An argument was refused before any request was sent.

    It is both a :class:`TypeError` (what the original raised for disallowed attributes) and a
    :class:`ValueError`, so code written against either keeps working.
    """


class MissingActingUserError(NotifyError, RuntimeError):
    """The method sends the acting user's id (``created_by``) but none is set.

    Wrap the call in ``with request_context(user_id=...):``.
    """


class InviteTokenError(NotifyError):
    """Kept for compatibility with the original client; the SDK never raises it."""


class APIError(NotifyError):
    """A request to the API failed.

    Attributes:
        status_code: the HTTP status, or 503 when no response arrived.
        message: the JSON body's ``message`` (else its ``errors``), or a fallback text. It is the
            server's own value, NOT redacted (it may hold the user's e-mail address or phone
            number), for callers that show field errors to that user; never log it. ``str()``,
            ``repr()`` and ``args`` (``(status_code, message)``) hold the redacted message.
        method, path: the request, with non-id path values left as placeholders.
        response_body: the decoded JSON body, or the body's text (its first 2 KiB) when it is
            not JSON; None when empty (NOT redacted either).
    """

    default_message = "Request failed"

    def __init__(
        self,
        message: Any = None,
        *,
        status_code: int = 503,
        method: str = "",
        path: str = "",
        response_body: Any = None,
    ) -> None:
        self.status_code = status_code
        self.message: Any = message if message is not None else self.default_message
        self.method = method
        self.path = path
        self.response_body = response_body
        super().__init__(self.status_code, self.message)

    def __str__(self) -> str:
        shown = self.message if isinstance(self.message, str) else json.dumps(
            redact_value(self.message), sort_keys=True, default=str
        )
        where = f" ({self.method} {self.path})" if self.method else ""
        return f"{self.status_code} - {redact_text(str(shown))}{where}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class HTTPError(APIError):
    """The API answered with an error status, or could not be reached."""


class BadRequestError(HTTPError):
    """400: the API refused the request's data; ``message`` maps fields to messages."""


class AuthenticationError(HTTPError):
    """401: the request carried no usable credentials."""


class PermissionDeniedError(HTTPError):
    """403: the admin JWT was refused (wrong secret or issuer, or a clock out of step).

    ``hint`` (also at the end of ``str()``) says what to check when the API's message is one of
    its token errors; None otherwise.
    """

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.hint = _token_hint(message)

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}. Hint: {self.hint}" if self.hint else text


def _token_hint(message: Any) -> str | None:
    """What to check for the API's 403 token errors (``{"token": ["Invalid token: ..."]}``)."""
    text = json.dumps(message, default=str) if not isinstance(message, str) else message
    if "clock" in text:
        return (
            "the API checks the admin JWT's issue time against its own clock; make this "
            "machine's clock accurate (NTP) to within 30 seconds"
        )
    if "Invalid token" in text or ("token" in text.lower() and "not found" in text):
        return (
            "the API refused the admin JWT: check that the client id (client_id / "
            "NOTIFY_ADMIN_CLIENT_ID, the JWT's iss) and the secret (NOTIFY_ADMIN_CLIENT_SECRET) "
            "are the ones the API is configured with, and that this machine's clock is right"
        )
    return None


class NotFoundError(HTTPError):
    """404: no such resource."""


class ConflictError(HTTPError):
    """409: the resource already exists or changed meanwhile."""


class RateLimitError(HTTPError):
    """429: too many requests."""


class ServerError(HTTPError):
    """A 5xx status."""


class HTTP503Error(ServerError):
    """503, or no response at all; the original's "try again later" error."""


class TransportError(HTTP503Error):
    """No usable response arrived (connection error, timeout, or a body httpx cannot decode).

    ``status_code`` is 503, as in the original client.
    """


class InvalidResponse(APIError):
    """A success status whose body is not valid JSON."""

    default_message = "No JSON object could be decoded"


class CacheInvalidationError(NotifyError):
    """A write's cache invalidation failed, so the cache may hold stale data.

    Attributes:
        request_sent: ``False`` when the invalidation before the request failed (the write was
            not sent); ``True`` when the write was sent and the invalidation after it failed (the
            write may well have happened).
        result: the write's return value when ``request_sent`` is true and it succeeded.
        keys: the cache keys and patterns that could not be invalidated, as they are (NOT
            redacted: a key may hold an e-mail address), so the caller can retry them. The
            message (``str()``, ``repr()``, ``args``) lists them with PII masked.
    """

    def __init__(self, message: str, *, request_sent: bool, keys: tuple[str, ...],
                 result: Any = None) -> None:
        super().__init__(message)
        self.request_sent = request_sent
        self.keys = keys
        self.result = result


class DocumentDownloadError(NotifyError):
    """The document-download service refused a file (400 or 413).

    Attributes:
        message: the service's ``error`` text as it is (NOT redacted), or None; ``str()``,
            ``repr()`` and ``args`` hold it with e-mail addresses and phone numbers masked.
        status_code: 400 or 413.
    """

    def __init__(self, message: str | None, status_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return f"{self.status_code} - {redact_text(str(self.message))}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


_STATUS_CLASSES: dict[int, type[HTTPError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
    503: HTTP503Error,
}


def error_class_for(status_code: int) -> type[HTTPError]:
    """The exception class for an error status (HTTPError for unlisted 4xx)."""
    if status_code in _STATUS_CLASSES:
        return _STATUS_CLASSES[status_code]
    return ServerError if status_code >= 500 else HTTPError


def message_from_body(body: Any) -> Any:
    """The original's rule: the body's ``message``, else its ``errors``, else None."""
    if isinstance(body, dict):
        if "message" in body:
            return body["message"]
        return body.get("errors")
    return None
