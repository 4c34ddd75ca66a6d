"""Part of ``notify.services`` (ServiceAPIClient): inbound SMS, the service's senders (reply-to
e-mail addresses, letter contact blocks, SMS senders) and its delivery-status callback APIs.

The three kinds of sender share one shape - list, get one, add, update, archive - expressed once
by the ``_sender_*`` helpers, and one cache effect: a change clears the cached service and every
cached template of the service (templates embed sender and contact details).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from notify_async._pagination import next_page, paginate
from notify_async.cache import invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect, unwrap
from notify_async.types import (
    CallbackApi,
    CallbackApiResponse,
    DataId,
    InboundSms,
    InboundSmsResponse,
    InboundSmsSummary,
    JSONObject,
    JSONValue,
    LetterContact,
    LetterContactResponse,
    MostRecentInboundSmsPage,
    ReplyToEmailAddress,
    ReplyToEmailAddressResponse,
    SmsSender,
    SmsSenderResponse,
)

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Path segments of the three kinds of sender, below /service/{service_id}/.
_REPLY_TO = "email-reply-to"
_LETTER_CONTACT = "letter-contact"
_SMS_SENDER = "sms-sender"


def _clears_service_and_templates(
    method: Callable[_P, Awaitable[_R]],
) -> Callable[_P, Coroutine[Any, Any, _R]]:
    """Invalidate ``service-{service_id}`` (outer) and the pattern
    ``service-{service_id}-template-*`` (inner) around the method's request, as the original's
    two stacked decorators did; see :func:`~notify_async.cache.invalidates` for what it raises."""
    inner = invalidates(patterns=("service-{service_id}-template-*",))(method)
    return invalidates("service-{service_id}")(inner)


def _sender_path(kind: str, item: bool = False, suffix: str = "") -> str:
    """``/service/{service_id}/<kind>[/{item_id}][/<suffix>]`` (a path template)."""
    return "/service/{service_id}/" + kind + ("/{item_id}" if item else "") + suffix


class ServiceSettingsMixin(BaseClient):
    """ServiceAPIClient methods for inbound SMS, senders and callback APIs.

    Every method raises :class:`~notify_async.errors.HTTPError` (a status subclass such as
    :class:`~notify_async.errors.NotFoundError`) when the API answers with an error, and
    :class:`~notify_async.errors.InvalidArgumentError` before sending when an id is not a valid
    path segment. Methods that change cached data also raise
    :class:`~notify_async.errors.CacheInvalidationError` when the cache cannot be cleared.
    """

    # --- shared shapes ------------------------------------------------------------------------

    async def _sender_get(self, kind: str, service_id: str, item_id: str | None = None) -> Any:
        """GET the service's senders of ``kind``, or one of them."""
        if item_id is None:
            return await self._get(_sender_path(kind), service_id=service_id)
        return await self._get(
            _sender_path(kind, item=True), service_id=service_id, item_id=item_id
        )

    async def _sender_save(
        self, kind: str, service_id: str, item_id: str | None, body: dict[str, Any]
    ) -> Any:
        """POST a new sender of ``kind`` (``item_id`` None) or a change to one."""
        if item_id is None:
            return await self._post(_sender_path(kind), body, service_id=service_id)
        return await self._post(
            _sender_path(kind, item=True), body, service_id=service_id, item_id=item_id
        )

    async def _sender_archive(self, kind: str, service_id: str, item_id: str) -> Any:
        """POST (no body) to archive one sender of ``kind``."""
        return await self._post(
            _sender_path(kind, item=True, suffix="/archive"), None,
            service_id=service_id, item_id=item_id,
        )

    # --- inbound SMS --------------------------------------------------------------------------

    async def get_inbound_sms(self, service_id: str, user_number: str = "") -> InboundSmsResponse:
        """The service's inbound text messages, only those from ``user_number`` when given.

        Sent as a POST so the phone number stays out of URLs and logs. Raises HTTPError.
        """
        response = await self._post(
            "/service/{service_id}/inbound-sms", {"phone_number": user_number},
            service_id=service_id,
        )
        return expect(response, InboundSmsResponse)

    async def get_most_recent_inbound_sms(
        self, service_id: str, page: int | None = None
    ) -> MostRecentInboundSmsPage:
        """The most recent inbound message from each number, one page (``page`` is left out
        of the query when None); :meth:`iter_most_recent_inbound_sms` follows the pages. Raises
        HTTPError."""
        response = await self._get(
            "/service/{service_id}/inbound-sms/most-recent", {"page": page}, service_id=service_id
        )
        return expect(response, MostRecentInboundSmsPage)

    async def iter_most_recent_inbound_sms(
        self, service_id: str, *, max_items: int | None = None
    ) -> AsyncIterator[InboundSms]:
        """The most recent inbound message from each number, page after page while the API
        says ``has_next`` (at most ``max_items``); raises what
        :meth:`get_most_recent_inbound_sms` raises, after the messages of the pages before."""
        pages = paginate(
            lambda page: self.get_most_recent_inbound_sms(service_id, page),
            1, lambda page: page["data"], next_page(lambda page: page["has_next"]),
            max_items=max_items,
        )
        async for message in pages:
            yield message

    async def get_inbound_sms_by_id(self, service_id: str, notification_id: str) -> InboundSms:
        """One inbound message. Raises HTTPError (NotFoundError when unknown)."""
        response = await self._get(
            "/service/{service_id}/inbound-sms/{notification_id}",
            service_id=service_id, notification_id=notification_id,
        )
        return expect(response, InboundSms)

    async def get_inbound_sms_summary(self, service_id: str) -> InboundSmsSummary:
        """The count and latest date of the service's inbound messages. Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/inbound-sms/summary", service_id=service_id
        )
        return expect(response, InboundSmsSummary)

    @_clears_service_and_templates
    async def remove_service_inbound_sms(self, service_id: str, archive: bool) -> JSONObject:
        """Take the inbound number away from the service (``archive`` the number or release
        it). Raises HTTPError, CacheInvalidationError."""
        response = await self._post(
            "/service/{service_id}/inbound-sms/remove", {"archive": archive}, service_id=service_id
        )
        return expect(response, dict[str, JSONValue])

    async def get_most_recent_inbound_number_usage_date(self, service_id: str) -> JSONObject:
        """When the service's inbound number last received a message (the API's JSON object
        as it is). Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/inbound-sms/most-recent-usage", service_id=service_id
        )
        return expect(response, dict[str, JSONValue])

    # --- reply-to e-mail addresses ------------------------------------------------------------

    async def get_reply_to_email_addresses(self, service_id: str) -> list[ReplyToEmailAddress]:
        """The service's reply-to e-mail addresses. Raises HTTPError."""
        response = await self._sender_get(_REPLY_TO, service_id)
        return expect(response, list[ReplyToEmailAddress])

    async def get_reply_to_email_address(
        self, service_id: str, reply_to_email_id: str
    ) -> ReplyToEmailAddress:
        """One reply-to e-mail address. Raises HTTPError."""
        response = await self._sender_get(_REPLY_TO, service_id, reply_to_email_id)
        return expect(response, ReplyToEmailAddress)

    async def verify_reply_to_email_address(self, service_id: str, email_address: str) -> DataId:
        """Send a verification e-mail to a would-be reply-to address; the response carries the
        verification notification's id. Raises HTTPError."""
        response = await self._post(
            "/service/{service_id}/email-reply-to/verify", {"email": email_address},
            service_id=service_id,
        )
        return expect(response, DataId)

    @_clears_service_and_templates
    async def add_reply_to_email_address(
        self, service_id: str, email_address: str, is_default: bool = False
    ) -> ReplyToEmailAddressResponse:
        """Add a reply-to e-mail address. Raises HTTPError, CacheInvalidationError."""
        body = {"email_address": email_address, "is_default": is_default}
        response = await self._sender_save(_REPLY_TO, service_id, None, body)
        return expect(response, ReplyToEmailAddressResponse)

    @_clears_service_and_templates
    async def update_reply_to_email_address(
        self, service_id: str, reply_to_email_id: str, email_address: str, is_default: bool = False
    ) -> ReplyToEmailAddressResponse:
        """Change a reply-to e-mail address. Raises HTTPError, CacheInvalidationError."""
        body = {"email_address": email_address, "is_default": is_default}
        response = await self._sender_save(_REPLY_TO, service_id, reply_to_email_id, body)
        return expect(response, ReplyToEmailAddressResponse)

    @_clears_service_and_templates
    async def delete_reply_to_email_address(
        self, service_id: str, reply_to_email_id: str
    ) -> ReplyToEmailAddressResponse:
        """Archive a reply-to e-mail address. Raises HTTPError, CacheInvalidationError."""
        response = await self._sender_archive(_REPLY_TO, service_id, reply_to_email_id)
        return expect(response, ReplyToEmailAddressResponse)

    # --- letter contact blocks ----------------------------------------------------------------

    async def get_letter_contacts(self, service_id: str) -> list[LetterContact]:
        """The service's letter contact blocks. Raises HTTPError."""
        response = await self._sender_get(_LETTER_CONTACT, service_id)
        return expect(response, list[LetterContact])

    async def get_letter_contact(self, service_id: str, letter_contact_id: str) -> LetterContact:
        """One letter contact block. Raises HTTPError."""
        response = await self._sender_get(_LETTER_CONTACT, service_id, letter_contact_id)
        return expect(response, LetterContact)

    @_clears_service_and_templates
    async def add_letter_contact(
        self, service_id: str, contact_block: str, is_default: bool = False
    ) -> LetterContactResponse:
        """Add a letter contact block. Raises HTTPError, CacheInvalidationError."""
        body = {"contact_block": contact_block, "is_default": is_default}
        response = await self._sender_save(_LETTER_CONTACT, service_id, None, body)
        return expect(response, LetterContactResponse)

    @_clears_service_and_templates
    async def update_letter_contact(
        self, service_id: str, letter_contact_id: str, contact_block: str, is_default: bool = False
    ) -> LetterContactResponse:
        """Change a letter contact block. Raises HTTPError, CacheInvalidationError."""
        body = {"contact_block": contact_block, "is_default": is_default}
        response = await self._sender_save(_LETTER_CONTACT, service_id, letter_contact_id, body)
        return expect(response, LetterContactResponse)

    @_clears_service_and_templates
    async def delete_letter_contact(
        self, service_id: str, letter_contact_id: str
    ) -> LetterContactResponse:
        """Archive a letter contact block. Raises HTTPError, CacheInvalidationError."""
        response = await self._sender_archive(_LETTER_CONTACT, service_id, letter_contact_id)
        return expect(response, LetterContactResponse)

    # --- SMS senders --------------------------------------------------------------------------

    async def get_sms_senders(self, service_id: str) -> list[SmsSender]:
        """The service's SMS senders. Raises HTTPError."""
        return expect(await self._sender_get(_SMS_SENDER, service_id), list[SmsSender])

    async def get_sms_sender(self, service_id: str, sms_sender_id: str) -> SmsSender:
        """One SMS sender. Raises HTTPError."""
        response = await self._sender_get(_SMS_SENDER, service_id, sms_sender_id)
        return expect(response, SmsSender)

    @_clears_service_and_templates
    async def add_sms_sender(
        self, service_id: str, sms_sender: str, is_default: bool = False
    ) -> SmsSender:
        """Add an SMS sender (answered without a ``data`` wrapper). Raises HTTPError,
        CacheInvalidationError."""
        body = {"sms_sender": sms_sender, "is_default": is_default}
        return expect(await self._sender_save(_SMS_SENDER, service_id, None, body), SmsSender)

    @_clears_service_and_templates
    async def update_sms_sender(
        self, service_id: str, sms_sender_id: str, sms_sender: str, is_default: bool = False
    ) -> SmsSender:
        """Change an SMS sender (answered without a ``data`` wrapper). Raises HTTPError,
        CacheInvalidationError."""
        body = {"sms_sender": sms_sender, "is_default": is_default}
        response = await self._sender_save(_SMS_SENDER, service_id, sms_sender_id, body)
        return expect(response, SmsSender)

    @_clears_service_and_templates
    async def delete_sms_sender(self, service_id: str, sms_sender_id: str) -> SmsSenderResponse:
        """Archive an SMS sender. Raises HTTPError, CacheInvalidationError."""
        response = await self._sender_archive(_SMS_SENDER, service_id, sms_sender_id)
        return expect(response, SmsSenderResponse)

    # --- callback APIs ------------------------------------------------------------------------

    @invalidates("service-{service_id}")
    async def create_service_callback_api(
        self, service_id: str, url: str, bearer_token: str, user_id: str, callback_type: str
    ) -> CallbackApiResponse:
        """Register a callback API of ``callback_type``; ``user_id`` is sent as
        ``updated_by_id``. Raises HTTPError, CacheInvalidationError."""
        body = {
            "url": url,
            "bearer_token": bearer_token,
            "updated_by_id": user_id,
            "callback_type": callback_type,
        }
        response = await self._post(
            "/service/{service_id}/callback-api", body, service_id=service_id
        )
        return expect(response, CallbackApiResponse)

    @invalidates("service-{service_id}")
    async def update_service_callback_api(
        self,
        service_id: str,
        url: str,
        bearer_token: str,
        user_id: str,
        callback_api_id: str,
        callback_type: str,
    ) -> CallbackApiResponse:
        """Change a callback API; an empty ``bearer_token`` keeps the stored one.

        Raises HTTPError, CacheInvalidationError.
        """
        body: dict[str, Any] = {
            "url": url, "updated_by_id": user_id, "callback_type": callback_type
        }
        if bearer_token:
            body["bearer_token"] = bearer_token
        response = await self._post(
            "/service/{service_id}/callback-api/{callback_api_id}", body,
            service_id=service_id, callback_api_id=callback_api_id,
        )
        return expect(response, CallbackApiResponse)

    @invalidates("service-{service_id}")
    async def delete_service_callback_api(
        self, service_id: str, callback_api_id: str, callback_type: str
    ) -> None:
        """Delete a callback API (``callback_type`` is sent percent-encoded in the query).

        Raises HTTPError, CacheInvalidationError.
        """
        await self._delete(
            "/service/{service_id}/callback-api/{callback_api_id}",
            params={"callback_type": callback_type},
            service_id=service_id, callback_api_id=callback_api_id,
        )

    async def get_service_callback_api(
        self, service_id: str, callback_api_id: str, callback_type: str
    ) -> CallbackApi:
        """One callback API (``response["data"]``). Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/callback-api/{callback_api_id}",
            {"callback_type": callback_type},
            service_id=service_id, callback_api_id=callback_api_id,
        )
        return unwrap(response, "data", CallbackApi)
