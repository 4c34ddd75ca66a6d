"""Part of ``notify.services`` (ServiceAPIClient): creating, finding, reading, updating and
archiving services; their members, guest list, history and monthly figures; requests to join a
service; and the helpers that turn a service update's field errors into user-facing text.

Service templates live in :mod:`notify_async.clients._service_templates`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from typing import Any

from notify_async.cache import cached, invalidates
from notify_async.clients._base import BaseClient, check_allowed
from notify_async.clients._shape import expect, unwrap
from notify_async.errors import APIError, InvalidArgumentError
from notify_async.types import (
    GuestList,
    IdOnly,
    LiveServicesDataResponse,
    MonthlyNotificationStatsResponse,
    ServiceHistory,
    ServiceJoinRequest,
    ServiceJoinRequestCreated,
    ServiceResponse,
    ServicesResponse,
    ServiceStatistics,
    ServiceSummariesResponse,
)

#: What :meth:`ServiceCoreMixin.update_service` may change (``created_by`` is always the acting
#: user and is listed because the original checks it together with the caller's attributes).
ALLOWED_SERVICE_ATTRIBUTES = frozenset({
    "active", "billing_contact_email_addresses", "billing_contact_names", "billing_reference",
    "confirmed_email_sender_name", "confirmed_unique", "contact_link", "created_by",
    "count_as_live", "custom_email_sender_name", "email_branding", "free_sms_fragment_limit",
    "go_live_at", "go_live_user", "has_active_go_live_request", "letter_branding",
    "letter_contact_block", "email_message_limit", "international_sms_message_limit",
    "sms_message_limit", "letter_message_limit", "name", "notes", "organisation_type",
    "permissions", "prefix_sms", "purchase_order_number", "rate_limit",
    "reply_to_email_address", "restricted", "sms_sender", "volume_email", "volume_letter",
    "volume_sms",
})

#: The daily limits :meth:`ServiceCoreMixin.update_status` sets (international SMS is left alone).
_LIMITED_CHANNELS = ("email", "sms", "letter")

_NON_LATIN_SERVICE_NAME = "Service name cannot include characters from a non-Latin alphabet"
_SERVICE_NAME_TAKEN = "This service name is already in use - enter a unique name"
_NON_LATIN_SENDER_NAME = "Sender name cannot include characters from a non-Latin alphabet"


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC (the default clock of ``update_status``)."""
    return dt.datetime.now(dt.UTC)


def _field_errors(http_error: APIError) -> Mapping[str, Any]:
    """The error's per-field messages, or an empty mapping when the server sent plain text."""
    message = getattr(http_error, "message", None)
    return message if isinstance(message, Mapping) else {}


class ServiceCoreMixin(BaseClient):
    """ServiceAPIClient methods for services themselves, their members and join requests.

    Every method that sends a request raises :class:`~notify_async.errors.HTTPError` (a status
    subclass such as :class:`~notify_async.errors.NotFoundError`) when the API answers with an
    error, and :class:`~notify_async.errors.InvalidArgumentError` before sending when an id is
    not a valid path segment. Methods that change cached data also raise
    :class:`~notify_async.errors.CacheInvalidationError` when the cache cannot be cleared, and
    those that record who made a change raise
    :class:`~notify_async.errors.MissingActingUserError` outside
    ``request_context(user_id=...)``.
    """

    #: The clock ``update_status`` stamps ``go_live_at`` with; must return an aware datetime.
    #: Replace it on an instance to control the time (tests do).
    _utc_now: Callable[[], dt.datetime] = staticmethod(utc_now)

    # --- create, find, read -------------------------------------------------------------------

    @invalidates("user-{user_id}")
    async def create_service(
        self,
        service_name: str,
        organisation_type: str,
        email_message_limit: int,
        international_sms_message_limit: int,
        sms_message_limit: int,
        letter_message_limit: int,
        restricted: bool,
        user_id: str,
    ) -> str:
        """Create an active service owned by ``user_id`` and return its id.

        Clears the owner's cached user (their services changed). Needs an acting user. Raises
        HTTPError (BadRequestError with field errors, see :meth:`parse_edit_service_http_error`),
        CacheInvalidationError, MissingActingUserError.
        """
        body = self._with_created_by({
            "name": service_name,
            "organisation_type": organisation_type,
            "active": True,
            "email_message_limit": email_message_limit,
            "international_sms_message_limit": international_sms_message_limit,
            "sms_message_limit": sms_message_limit,
            "letter_message_limit": letter_message_limit,
            "user_id": user_id,
            "restricted": restricted,
        })
        response = await self._post("/service", body)
        return unwrap(unwrap(response, "data", IdOnly), "id", str)

    @cached("service-{service_id}")
    async def get_service(self, service_id: str) -> ServiceResponse:
        """The service (``{"data": {...}}``), cached. Raises HTTPError (NotFoundError), and
        InvalidResponse for an answer that is not a JSON object (nothing is cached then)."""
        response = await self._get("/service/{service_id}", service_id=service_id)
        return expect(response, ServiceResponse)

    async def get_service_statistics(
        self, service_id: str, limit_days: int | None = None
    ) -> ServiceStatistics:
        """Notification counts by type and status over the last ``limit_days`` days (the server
        defaults to 7 when it is None). Returns ``response["data"]``. Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/statistics", {"limit_days": limit_days}, service_id=service_id
        )
        return unwrap(response, "data", ServiceStatistics)

    async def get_services(
        self, params_dict: Mapping[str, object] | None = None
    ) -> ServicesResponse:
        """Services, filtered by ``params_dict`` sent as the query (the server understands
        ``only_active``, ``detailed``, ``user_id``, ``include_from_test_key``, ``start_date``,
        ``end_date``). Raises HTTPError."""
        return expect(await self._get("/service", params_dict), ServicesResponse)

    async def find_services_by_name(self, service_name: str) -> ServiceSummariesResponse:
        """Services whose name contains ``service_name``. Raises HTTPError."""
        response = await self._get(
            "/service/find-services-by-name", {"service_name": service_name}
        )
        return expect(response, ServiceSummariesResponse)

    async def get_live_services_data(
        self, params_dict: Mapping[str, object] | None = None
    ) -> LiveServicesDataResponse:
        """Live services with contact names and notification counts. ``params_dict`` is sent
        as the query as the original did, although the server reads none of it. Raises
        HTTPError."""
        response = await self._get("/service/live-services-data", params_dict)
        return expect(response, LiveServicesDataResponse)

    async def get_active_services(
        self, params_dict: Mapping[str, object] | None = None
    ) -> ServicesResponse:
        """:meth:`get_services` with ``only_active=True`` added to ``params_dict``.

        Unlike the original, the caller's mapping is left unchanged and None means no other
        filter. Raises HTTPError.
        """
        return await self.get_services({**(params_dict or {}), "only_active": True})

    async def get_service_history(self, service_id: str) -> ServiceHistory:
        """The service's and its API keys' change history (``response["data"]``). Raises
        HTTPError."""
        response = await self._get("/service/{service_id}/history", service_id=service_id)
        return unwrap(response, "data", ServiceHistory)

    async def get_monthly_notification_stats(
        self, service_id: str, year: int
    ) -> MonthlyNotificationStatsResponse:
        """Notification counts per month of the financial year starting in ``year``. Raises
        HTTPError."""
        response = await self._get(
            "/service/{service_id}/notifications/monthly", {"year": year}, service_id=service_id
        )
        return expect(response, MonthlyNotificationStatsResponse)

    # --- update -------------------------------------------------------------------------------

    @invalidates("service-{service_id}")
    async def update_service(self, service_id: str, **kwargs: Any) -> ServiceResponse:
        """Change the service's attributes given as keyword arguments; the acting user is sent
        as ``created_by``.

        Raises InvalidArgumentError (before any request) for an attribute outside
        :data:`ALLOWED_SERVICE_ATTRIBUTES` or an explicit ``created_by`` (it always comes from
        ``request_context``), MissingActingUserError, HTTPError, CacheInvalidationError.
        """
        if "created_by" in kwargs:
            raise InvalidArgumentError(
                "update_service: created_by is the acting user from request_context(user_id=...);"
                " do not pass it"
            )
        check_allowed(kwargs, ALLOWED_SERVICE_ATTRIBUTES, "service")
        body = self._with_created_by(kwargs)
        response = await self._post("/service/{service_id}", body, service_id=service_id)
        return expect(response, ServiceResponse)

    @invalidates("live-service-and-organisation-counts")
    async def update_status(self, service_id: str, live: bool) -> ServiceResponse:
        """Make the service live (``live`` true) or take it back to trial mode, through
        :meth:`update_service`.

        Going live sets the email, SMS and letter daily limits from the config's
        ``default_live_service_rate_limits`` and stamps ``go_live_at`` with the current UTC time;
        going back sets all three to ``default_service_limit`` and clears ``go_live_at``. The
        international SMS limit is not changed. Raises what :meth:`update_service` raises.
        """
        config = self._config
        limits = {
            f"{channel}_message_limit": (
                config.default_live_service_rate_limits[channel]
                if live else config.default_service_limit
            )
            for channel in _LIMITED_CHANNELS
        }
        go_live_at = (
            str(self._utc_now().astimezone(dt.UTC).replace(tzinfo=None)) if live else None
        )
        return await self.update_service(
            service_id,
            **limits,
            restricted=not live,
            go_live_at=go_live_at,
            has_active_go_live_request=False,
        )

    @invalidates("live-service-and-organisation-counts")
    async def update_count_as_live(self, service_id: str, count_as_live: bool) -> ServiceResponse:
        """Say whether the service counts towards live-service figures, through
        :meth:`update_service`. Raises what :meth:`update_service` raises."""
        return await self.update_service(service_id, count_as_live=count_as_live)

    @invalidates("service-{service_id}")
    @invalidates(patterns=("service-{service_id}-template*",))
    async def archive_service(
        self, service_id: str, cached_service_user_ids: Collection[str] | None
    ) -> None:
        """Archive the service.

        Before the request it also drops the cached ``user-<id>`` entry of each id in
        ``cached_service_user_ids`` (the service's members; the ids are not sent), ignoring
        cache errors there as the original did. Raises HTTPError, CacheInvalidationError.
        """
        if cached_service_user_ids:
            await self._cache.delete_quietly(
                [f"user-{user_id}" for user_id in cached_service_user_ids]
            )
        await self._post("/service/{service_id}/archive", None, service_id=service_id)

    # --- members and guest list ---------------------------------------------------------------

    @invalidates("service-{service_id}")
    @invalidates("user-{user_id}")
    async def remove_user_from_service(self, service_id: str, user_id: str) -> None:
        """Take a user out of the service (a DELETE carrying ``{"created_by": ...}``). Raises
        MissingActingUserError, HTTPError, CacheInvalidationError."""
        await self._delete(
            "/service/{service_id}/users/{user_id}",
            self._with_created_by({}),
            service_id=service_id,
            user_id=user_id,
        )

    async def get_guest_list(self, service_id: str) -> GuestList:
        """The e-mail addresses and phone numbers a trial-mode service may send to. Raises
        HTTPError."""
        response = await self._get("/service/{service_id}/guest-list", service_id=service_id)
        return expect(response, GuestList)

    @invalidates("service-{service_id}")
    async def update_guest_list(self, service_id: str, data: Mapping[str, Any]) -> None:
        """Replace the guest list with ``data`` (sent unchanged, e.g.
        ``{"email_addresses": [...], "phone_numbers": [...]}``). Raises HTTPError,
        CacheInvalidationError."""
        await self._put("/service/{service_id}/guest-list", data, service_id=service_id)

    # --- reading a service update's field errors ----------------------------------------------

    @classmethod
    def parse_edit_service_http_error(cls, http_error: APIError) -> str | None:
        """A user-facing message for the field errors of a failed :meth:`create_service` /
        :meth:`update_service` (a non-Latin or already used service name), or None.

        Makes no request and raises nothing; an error whose message is plain text gives None
        (the original raised AttributeError).
        """
        fields = _field_errors(http_error)
        if fields.get("normalised_service_name"):
            return _NON_LATIN_SERVICE_NAME
        if fields.get("name"):
            return _SERVICE_NAME_TAKEN
        return None

    @classmethod
    def parse_custom_email_sender_name_http_error(cls, http_error: APIError) -> str | None:
        """A user-facing message when a failed :meth:`update_service` refused a custom e-mail
        sender name with non-Latin characters, or None. Makes no request and raises nothing."""
        if _field_errors(http_error).get("email_sender_local_part"):
            return _NON_LATIN_SENDER_NAME
        return None

    # --- requests to join a service -----------------------------------------------------------

    async def create_service_join_request(
        self,
        user_to_invite_id: str,
        *,
        service_id: str,
        service_managers_ids: Collection[str],
        reason: str,
    ) -> ServiceJoinRequestCreated:
        """Ask to join the service on behalf of ``user_to_invite_id``; the managers in
        ``service_managers_ids`` are e-mailed a link to the admin site (``admin_base_url``).

        Raises ConfigurationError when ``admin_base_url`` is not configured, HTTPError.
        """
        body = {
            "requester_id": user_to_invite_id,
            "contacted_user_ids": service_managers_ids,
            "invite_link_host": self._admin_base_url(),
            "reason": reason,
        }
        response = await self._post(
            "/service/{service_id}/service-join-request", body, service_id=service_id
        )
        return expect(response, ServiceJoinRequestCreated)

    @cached("service-join-request-{request_id}")
    async def get_service_join_request(
        self, request_id: str, service_id: str
    ) -> ServiceJoinRequest:
        """One request to join the service, cached by its id. Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/service-join-request/{request_id}",
            service_id=service_id,
            request_id=request_id,
        )
        return expect(response, ServiceJoinRequest)

    @invalidates("service-join-request-{request_id}")
    @invalidates("user-{requester_id}")
    @invalidates("service-{service_id}-template-folders")
    async def update_service_join_requests(
        self, request_id: str, requester_id: str, service_id: str, **kwargs: Any
    ) -> ServiceJoinRequest:
        """Answer a request to join the service: ``kwargs`` are sent as the body (e.g.
        ``status``, ``status_changed_by_id``, ``permissions``, ``folder_permissions``).

        ``requester_id`` is not sent: it names the user whose cached entry is cleared (their
        services change). Raises HTTPError, CacheInvalidationError.
        """
        response = await self._post(
            "/service/{service_id}/service-join-request/{request_id}",
            dict(kwargs),
            service_id=service_id,
            request_id=request_id,
        )
        return expect(response, ServiceJoinRequest)
