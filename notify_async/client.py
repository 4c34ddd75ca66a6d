"""The facade: :class:`NotifyAdminClient` owns the configuration, one shared HTTP client, the
cache, and one lazily built sub-client per original client class."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from contextlib import AbstractContextManager
from functools import cached_property
from types import TracebackType
from typing import Any, Literal

import attrs
import httpx

from notify_async._raw import ResponseInfo, capture_responses
from notify_async._transport import HttpSession, Transport
from notify_async.auth import TokenSigner
from notify_async.cache import CacheBackend, CacheStats, MemoryCache, NullCache, RequestCache
from notify_async.clients._base import BaseClient
from notify_async.clients._registry import SubClient, TransportKind, domains
from notify_async.clients.api_keys import ApiKeyApiClient
from notify_async.clients.billing import BillingAPIClient
from notify_async.clients.complaints import ComplaintApiClient
from notify_async.clients.contact_lists import ContactListApiClient
from notify_async.clients.document_download import DocumentDownloadAPIClient
from notify_async.clients.email_branding import EmailBrandingClient
from notify_async.clients.events import EventsApiClient
from notify_async.clients.inbound_numbers import InboundNumberClient
from notify_async.clients.invites import InviteApiClient
from notify_async.clients.jobs import JobApiClient
from notify_async.clients.letter_attachments import LetterAttachmentClient
from notify_async.clients.letter_branding import LetterBrandingClient
from notify_async.clients.letter_jobs import LetterJobsClient
from notify_async.clients.letter_rates import LetterRateApiClient
from notify_async.clients.notifications import NotificationApiClient
from notify_async.clients.org_invites import OrgInviteApiClient
from notify_async.clients.organisations import OrganisationsClient
from notify_async.clients.performance_dashboard import PerformanceDashboardAPIClient
from notify_async.clients.platform_admin import AdminApiClient
from notify_async.clients.protected_sender_ids import ProtectedSenderIDApiClient
from notify_async.clients.providers import ProviderClient
from notify_async.clients.report_requests import ReportRequestClient
from notify_async.clients.services import ServiceAPIClient
from notify_async.clients.sms_rates import SMSRateApiClient
from notify_async.clients.status import StatusApiClient
from notify_async.clients.template_email_files import TemplateEmailFileClient
from notify_async.clients.template_folders import TemplateFolderAPIClient
from notify_async.clients.template_statistics import TemplateStatisticsApiClient
from notify_async.clients.unsubscribe_requests import UnsubscribeApiClient
from notify_async.clients.uploads import UploadApiClient
from notify_async.clients.users import UserApiClient
from notify_async.config import ClientConfig, RetryPolicy
from notify_async.errors import ConfigurationError, InvalidArgumentError

__all__ = ["NotifyAdminClient"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: Headers the SDK sets itself; a view may not replace them.
_RESERVED = frozenset({"authorization", "x-notify-user-id"})


def _checked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise InvalidArgumentError(f"not a valid header name: {name!r}")
        if name.lower() in _RESERVED:
            raise InvalidArgumentError(
                f"{name} is set by the SDK (the acting user comes from request_context)"
            )
        if not isinstance(value, str) or "\r" in value or "\n" in value or "\0" in value:
            raise InvalidArgumentError(f"header {name}: the value must be one line of text")
    return dict(headers)


class NotifyAdminClient:
    """Async client of the GOV.UK Notify admin API.

    Args:
        base_url: the API's URL, e.g. ``https://api.notifications.service.gov.uk``.
        client_id: the admin client id (the JWT ``iss``).
        secret: the admin client secret (signs the JWTs; never logged or shown).
        cache: a :class:`~notify_async.cache.CacheBackend` (``MemoryCache()``,
            ``RedisCache.from_url(...)``); ``None`` (default) means a new ``MemoryCache``;
            ``False`` means no caching at all.
        http_client: an ``httpx.AsyncClient`` of yours to send requests with; it is used as it
            is and never closed by the SDK. By default the SDK makes its own inside the running
            event loop on first use.
        config: a ready :class:`~notify_async.config.ClientConfig` instead of the arguments
            above and ``options``.
        **options: any other :class:`~notify_async.config.ClientConfig` field: ``timeout``,
            ``connect_timeout``, ``retry`` (a :class:`~notify_async.config.RetryPolicy`),
            ``max_connections``, ``connections_per_pool``, ``max_in_flight``,
            ``token_reuse_seconds``, ``admin_base_url``, ``document_download_url``,
            ``document_download_api_key``,
            ``default_service_limit``, ``default_live_service_rate_limits``, ``user_agent``,
            ``transport`` (``"auto"``: aiohttp under the SDK's own ``httpx.AsyncClient`` on
            asyncio, sharded httpcore pools on trio; or ``"aiohttp"`` / ``"httpcore"``; not
            with ``http_client``, which is used as it is).

    Raises:
        ConfigurationError: for a missing or invalid setting.

    Use it as ``async with NotifyAdminClient(...) as notify:`` or call :meth:`aclose` when done.
    Sub-clients (``notify.services``, ``notify.users``, ...) share its HTTP client and cache.
    """

    def __init__(
        self,
        base_url: str | None = None,
        client_id: str | None = None,
        secret: str | None = None,
        *,
        cache: CacheBackend | Literal[False] | None = None,
        http_client: httpx.AsyncClient | None = None,
        config: ClientConfig | None = None,
        **options: Any,
    ) -> None:
        if config is None:
            try:
                config = ClientConfig(
                    base_url=base_url or "", client_id=client_id or "", secret=secret or "",
                    **options,
                )
            except TypeError as exc:
                raise ConfigurationError(f"unknown option: {exc}") from None
        elif base_url or client_id or secret or options:
            raise ConfigurationError("pass either config= or the individual settings, not both")
        self.config = config
        backend: CacheBackend = (
            MemoryCache() if cache is None else NullCache() if cache is False else cache
        )
        self._cache = RequestCache(backend)
        self._session = HttpSession(config, http_client)
        self._signer = TokenSigner(
            config.client_id, config.secret, reuse_seconds=config.token_reuse_seconds
        )
        self._extra_headers: dict[str, str] = {}
        self._is_view = False
        #: Whether requests carry this config's timeouts rather than the HTTP client's (a view
        #: made with another timeout).
        self._own_timeouts = False
        self._transport = self._api_transport()

    def _api_transport(self) -> Transport:
        signer, extra, config = self._signer, self._extra_headers, self.config
        return Transport(
            self._session,
            config.base_url,
            lambda: {**extra, "Authorization": f"Bearer {signer.token()}"},
            config=config,
            user_agent=config.user_agent,
            timeouts=self._own_timeouts,
        )

    def with_options(
        self,
        *,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> NotifyAdminClient:
        """A view of this client whose calls use other options: ``timeout`` (seconds per
        attempt), ``retry`` (a :class:`~notify_async.config.RetryPolicy`) and extra request
        ``headers``. It shares this client's HTTP pools, cache and token, so it is cheap: make
        one per call site or per call
        (``await notify.with_options(timeout=2).status.get_status()``). Closing a view does
        nothing; close the client it came from.

        Raises:
            ConfigurationError: an invalid ``timeout`` or ``retry``.
            InvalidArgumentError: a header name or value HTTP cannot carry, or one the SDK sets
                itself (``Authorization``, ``X-Notify-User-Id``: use ``request_context``).
        """
        changes: dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = timeout
        if retry is not None:
            if not isinstance(retry, RetryPolicy):
                raise ConfigurationError("retry must be a RetryPolicy")
            changes["retry"] = retry
        view = object.__new__(type(self))
        view.config = attrs.evolve(self.config, **changes)
        view._cache, view._session, view._signer = self._cache, self._session, self._signer
        view._extra_headers = {**self._extra_headers, **_checked_headers(headers or {})}
        view._is_view = True
        view._own_timeouts = self._own_timeouts or timeout is not None
        view._transport = view._api_transport()
        return view

    def capture_responses(self) -> AbstractContextManager[list[ResponseInfo]]:
        """A ``with`` block collecting a :class:`~notify_async.ResponseInfo` (status, headers,
        elapsed time, request id, attempt) for every HTTP answer received inside it, without
        changing what the methods return::

            with notify.capture_responses() as responses:
                service = await notify.services.get_service(service_id)
            print(responses[-1].status_code, responses[-1].elapsed)

        A call answered from the cache adds nothing; each retry adds one entry.
        """
        return capture_responses()

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, **options: Any
    ) -> NotifyAdminClient:
        """Build a client from ``NOTIFY_API_URL``, ``NOTIFY_ADMIN_CLIENT_ID``,
        ``NOTIFY_ADMIN_CLIENT_SECRET`` (and optional ``NOTIFY_ADMIN_BASE_URL``,
        ``DOCUMENT_DOWNLOAD_API_URL``, ``DOCUMENT_DOWNLOAD_API_KEY``). When ``REDIS_URL`` is set
        the cache is a :class:`~notify_async.cache.RedisCache` on it (owned and closed by the
        client). Keyword ``options`` override the environment.

        Raises :class:`ConfigurationError` naming any missing variable.
        """
        source = os.environ if env is None else env
        cache = options.pop("cache", None)
        http_client = options.pop("http_client", None)
        config = ClientConfig.from_env(source, **options)
        redis_url = source.get("REDIS_URL")
        if cache is None and redis_url:
            from notify_async.cache.redis import RedisCache

            cache = RedisCache.from_url(str(redis_url))
        return cls(cache=cache, http_client=http_client, config=config)

    def __repr__(self) -> str:
        return (
            f"NotifyAdminClient(base_url={self.config.base_url!r}, "
            f"client_id={self.config.client_id!r}, cache={self._cache.backend!r})"
        )

    @property
    def cache(self) -> RequestCache:
        """The request cache (its ``backend`` and ``stats``)."""
        return self._cache

    @property
    def cache_stats(self) -> CacheStats:
        """Hit, miss, populate, fence, single-flight and error counters of the cache."""
        return self._cache.stats

    async def __aenter__(self) -> NotifyAdminClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client the SDK made (never yours) and release the cache's
        connections: a ``RedisCache.from_url`` pool is closed (it reconnects if used again), a
        Redis client of yours stays open, and cached entries stay. On a :meth:`with_options`
        view it does nothing."""
        if self._is_view:
            return
        try:
            await self._session.aclose()
        finally:
            await self._cache.backend.aclose()

    def _transport_for(self, kind: TransportKind) -> Transport:
        """The transport a sub-client of ``kind`` sends through (see :class:`SubClient`)."""
        return self._dd_transport if kind == "document_download" else self._transport

    @classmethod
    def domains(cls) -> dict[str, type[BaseClient]]:
        """The sub-client classes by attribute name (``{"api_keys": ApiKeyApiClient, ...}``)."""
        return {name: sub.client_class for name, sub in domains(cls).items()}

    @cached_property
    def _dd_transport(self) -> Transport:
        cfg = self.config
        extra = self._extra_headers
        return Transport(
            self._session,
            cfg.document_download_url or "http://document-download.invalid",
            lambda: {**extra, "Authorization": f"Bearer {cfg.document_download_api_key}"},
            config=cfg,
            send_user_id=False,
            timeouts=self._own_timeouts,
        )

    # --- the 31 domains: this is the one registry (tests, the sync facade and the docs read it) --
    api_keys = SubClient(ApiKeyApiClient)
    billing = SubClient(BillingAPIClient)
    complaints = SubClient(ComplaintApiClient)
    contact_lists = SubClient(ContactListApiClient)
    document_download = SubClient(DocumentDownloadAPIClient, transport="document_download")
    email_branding = SubClient(EmailBrandingClient)
    events = SubClient(EventsApiClient)
    inbound_numbers = SubClient(InboundNumberClient)
    invites = SubClient(InviteApiClient)
    jobs = SubClient(JobApiClient)
    letter_attachments = SubClient(LetterAttachmentClient)
    letter_branding = SubClient(LetterBrandingClient)
    letter_jobs = SubClient(LetterJobsClient)
    letter_rates = SubClient(LetterRateApiClient)
    notifications = SubClient(NotificationApiClient)
    org_invites = SubClient(OrgInviteApiClient)
    organisations = SubClient(OrganisationsClient)
    performance_dashboard = SubClient(PerformanceDashboardAPIClient)
    platform_admin = SubClient(AdminApiClient)
    protected_sender_ids = SubClient(ProtectedSenderIDApiClient)
    providers = SubClient(ProviderClient)
    report_requests = SubClient(ReportRequestClient)
    services = SubClient(ServiceAPIClient)
    sms_rates = SubClient(SMSRateApiClient)
    status = SubClient(StatusApiClient)
    template_email_files = SubClient(TemplateEmailFileClient)
    template_folders = SubClient(TemplateFolderAPIClient)
    template_statistics = SubClient(TemplateStatisticsApiClient)
    unsubscribe_requests = SubClient(UnsubscribeApiClient)
    uploads = SubClient(UploadApiClient)
    users = SubClient(UserApiClient)
