"""Configuration objects (attrs, frozen): :class:`ClientConfig`, :class:`RetryPolicy`.

Every default comes from :mod:`notify_async._constants`; nothing here hard-codes a number.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import httpx

from notify_async import _constants as C
from notify_async.errors import ConfigurationError


def _positive(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(f"{attribute.name} must be positive, got {value!r}")


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in choices:
            raise ConfigurationError(
                f"{attribute.name} must be one of {', '.join(map(repr, choices))}, got {value!r}"
            )

    return check


def _non_empty(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not value:
        raise ConfigurationError(f"{attribute.name} must not be empty")


def _http_url(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is None:
        return
    try:
        url: httpx.URL | None = httpx.URL(value)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"{attribute.name} must be an http(s) URL")


#: What moves the bytes under the SDK's own ``httpx.AsyncClient`` (see ``ClientConfig``).
TransportName = Literal["auto", "aiohttp", "httpcore"]


@attrs.frozen
class RetryPolicy:
    """When and how often a failed request is tried again.

    Idempotent requests (GET, PUT, DELETE) are retried on connection errors, timeouts and the
    statuses in ``retry_statuses``; a POST only when it provably never reached the server (the
    connection could not be opened). Delays grow as ``backoff_base * 2**n`` up to
    ``backoff_max``, are jittered, honour ``Retry-After`` and never exceed ``budget`` seconds in
    total.
    """

    max_attempts: int = attrs.field(default=C.DEFAULT_MAX_ATTEMPTS, validator=_positive)
    backoff_base: float = attrs.field(default=C.DEFAULT_BACKOFF_BASE, validator=_positive)
    backoff_max: float = attrs.field(default=C.DEFAULT_BACKOFF_MAX, validator=_positive)
    budget: float = attrs.field(default=C.DEFAULT_RETRY_BUDGET, validator=_positive)
    retry_statuses: frozenset[int] = attrs.field(default=C.RETRY_STATUSES, converter=frozenset)

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_attempts=1)


@attrs.frozen
class ClientConfig:
    """Everything a :class:`~notify_async.NotifyAdminClient` needs, validated on creation.

    ``secret`` and ``document_download_api_key`` are kept out of ``repr()``. ``transport``
    picks what sends the SDK's own requests: ``"auto"`` (aiohttp on asyncio, httpcore on trio),
    ``"aiohttp"`` or ``"httpcore"``; a caller's ``http_client=`` is always used as it is. Mocks
    keep working on either: while respx (``respx.mock``) or pytest-httpx patch httpcore or
    httpx's ``AsyncHTTPTransport``, the aiohttp transport hands each request to httpx's own
    transport, where the mock intercepts it.
    """

    base_url: str = attrs.field(validator=[_non_empty, _http_url])
    client_id: str = attrs.field(validator=_non_empty)
    secret: str = attrs.field(repr=False, validator=_non_empty)
    timeout: float = attrs.field(default=C.DEFAULT_TIMEOUT, validator=_positive)
    connect_timeout: float = attrs.field(default=C.DEFAULT_CONNECT_TIMEOUT, validator=_positive)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    max_connections: int = attrs.field(default=C.DEFAULT_MAX_CONNECTIONS, validator=_positive)
    max_keepalive_connections: int = attrs.field(
        default=C.DEFAULT_MAX_KEEPALIVE, validator=_positive
    )
    max_in_flight: int = attrs.field(default=C.DEFAULT_MAX_IN_FLIGHT, validator=_positive)
    connections_per_pool: int = attrs.field(
        default=C.DEFAULT_CONNECTIONS_PER_POOL, validator=_positive
    )
    transport: TransportName = attrs.field(
        default=C.DEFAULT_TRANSPORT, validator=_one_of(C.TRANSPORTS)
    )
    max_response_bytes: int = attrs.field(
        default=C.DEFAULT_MAX_RESPONSE_BYTES, validator=_positive
    )
    token_reuse_seconds: float = attrs.field(
        default=C.DEFAULT_TOKEN_REUSE_SECONDS, validator=_positive
    )
    admin_base_url: str | None = attrs.field(default=None, validator=_http_url)
    document_download_url: str | None = attrs.field(default=None, validator=_http_url)
    document_download_api_key: str | None = attrs.field(default=None, repr=False)
    default_service_limit: int = C.DEFAULT_SERVICE_LIMIT
    default_live_service_rate_limits: Mapping[str, int] = attrs.field(
        factory=lambda: dict(C.DEFAULT_LIVE_SERVICE_RATE_LIMITS)
    )
    user_agent: str = C.USER_AGENT

    def __attrs_post_init__(self) -> None:
        if self.token_reuse_seconds >= 30:
            raise ConfigurationError(
                "token_reuse_seconds must stay under the server's 30-second iat window"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> ClientConfig:
        """Build a config from ``NOTIFY_API_URL``, ``NOTIFY_ADMIN_CLIENT_ID`` and
        ``NOTIFY_ADMIN_CLIENT_SECRET`` (plus the optional ``NOTIFY_ADMIN_BASE_URL``,
        ``DOCUMENT_DOWNLOAD_API_URL`` and ``DOCUMENT_DOWNLOAD_API_KEY``).

        Raises :class:`~notify_async.errors.ConfigurationError` naming any missing variable or
        unknown option.
        """
        unknown = sorted(set(overrides) - set(attrs.fields_dict(cls)))
        if unknown:
            raise ConfigurationError(f"unknown option(s): {', '.join(unknown)}")
        source = os.environ if env is None else env
        names = {
            "base_url": "NOTIFY_API_URL",
            "client_id": "NOTIFY_ADMIN_CLIENT_ID",
            "secret": "NOTIFY_ADMIN_CLIENT_SECRET",
        }
        missing = [
            var for field, var in names.items() if not source.get(var) and field not in overrides
        ]
        if missing:
            raise ConfigurationError(f"missing environment variable(s): {', '.join(missing)}")
        values: dict[str, Any] = {
            field: source[var] for field, var in names.items() if source.get(var)
        }
        optional = {
            "admin_base_url": "NOTIFY_ADMIN_BASE_URL",
            "document_download_url": "DOCUMENT_DOWNLOAD_API_URL",
            "document_download_api_key": "DOCUMENT_DOWNLOAD_API_KEY",
        }
        values.update({f: source[v] for f, v in optional.items() if source.get(v)})
        values.update(overrides)
        return cls(**values)
