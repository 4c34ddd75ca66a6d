"""Part of ``notify.services`` (ServiceAPIClient): inbound SMS, the service's senders (reply-to
e-mail addresses, letter contact blocks, SMS senders) and its delivery-status callback APIs.

The three kinds of sender share one shape - list, get one, add, update, archive - expressed once
by the ``_sender_*`` helpers, and one cache effect: a change clears the cached service and every
cached template of the service (templates embed sender and contact details).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from notify_async.cache import invalidates
from notify_async.clients._base import BaseClient

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

    async def get_inbound_sms(self, service_id: str, user_number: str = "") -> Any:
        """The service's inbound text messages, only those from ``user_number`` when given.

        Sent as a POST so the phone number stays out of URLs and logs. Raises HTTPError.
        """
        return await self._post(
            "/service/{service_id}/inbound-sms", {"phone_number": user_number},
            service_id=service_id,
        )

    async def get_most_recent_inbound_sms(self, service_id: str, page: int | None = None) -> Any:
        """The most recent inbound message from each number, one page (``page`` is left out
        of the query when None). Raises HTTPError."""
        return await self._get(
            "/service/{service_id}/inbound-sms/most-recent", {"page": page}, service_id=service_id
        )

    async def get_inbound_sms_by_id(self, service_id: str, notification_id: str) -> Any:
        """One inbound message. Raises HTTPError (NotFoundError when unknown)."""
        return await self._get(
            "/service/{service_id}/inbound-sms/{notification_id}",
            service_id=service_id, notification_id=notification_id,
        )

    async def get_inbound_sms_summary(self, service_id: str) -> Any:
        """The count and latest date of the service's inbound messages. Raises HTTPError."""
        return await self._get("/service/{service_id}/inbound-sms/summary", service_id=service_id)

    @_clears_service_and_templates
    async def remove_service_inbound_sms(self, service_id: str, archive: bool) -> Any:
        """Take the inbound number away from the service (``archive`` the number or release
        it). Raises HTTPError, CacheInvalidationError."""
        return await self._post(
            "/service/{service_id}/inbound-sms/remove", {"archive": archive}, service_id=service_id
        )

    async def get_most_recent_inbound_number_usage_date(self, service_id: str) -> Any:
        """When the service's inbound number last received a message. Raises HTTPError."""
        return await self._get(
            "/service/{service_id}/inbound-sms/most-recent-usage", service_id=service_id
        )

    # --- reply-to e-mail addresses ------------------------------------------------------------

    async def get_reply_to_email_addresses(self, service_id: str) -> Any:
        """The service's reply-to e-mail addresses. Raises HTTPError."""
        return await self._sender_get(_REPLY_TO, service_id)

    async def get_reply_to_email_address(self, service_id: str, reply_to_email_id: str) -> Any:
        """One reply-to e-mail address. Raises HTTPError."""
        return await self._sender_get(_REPLY_TO, service_id, reply_to_email_id)

    async def verify_reply_to_email_address(self, service_id: str, email_address: str) -> Any:
        """Send a verification e-mail to a would-be reply-to address; the response carries the
        verification notification's id. Raises HTTPError."""
        return await self._post(
            "/service/{service_id}/email-reply-to/verify", {"email": email_address},
            service_id=service_id,
        )

    @_clears_service_and_templates
    async def add_reply_to_email_address(
        self, service_id: str, email_address: str, is_default: bool = False
    ) -> Any:
        """Add a reply-to e-mail address. Raises HTTPError, CacheInvalidationError."""
        body = {"email_address": email_address, "is_default": is_default}
        return await self._sender_save(_REPLY_TO, service_id, None, body)

    @_clears_service_and_templates
    async def update_reply_to_email_address(
        self, service_id: str, reply_to_email_id: str, email_address: str, is_default: bool = False
    ) -> Any:
        """Change a reply-to e-mail address. Raises HTTPError, CacheInvalidationError."""
        body = {"email_address": email_address, "is_default": is_default}
        return await self._sender_save(_REPLY_TO, service_id, reply_to_email_id, body)

    @_clears_service_and_templates
    async def delete_reply_to_email_address(self, service_id: str, reply_to_email_id: str) -> Any:
        """Archive a reply-to e-mail address. Raises HTTPError, CacheInvalidationError."""
        return await self._sender_archive(_REPLY_TO, service_id, reply_to_email_id)

    # --- letter contact blocks ----------------------------------------------------------------

    async def get_letter_contacts(self, service_id: str) -> Any:
        """The service's letter contact blocks. Raises HTTPError."""
        return await self._sender_get(_LETTER_CONTACT, service_id)

    async def get_letter_contact(self, service_id: str, letter_contact_id: str) -> Any:
        """One letter contact block. Raises HTTPError."""
        return await self._sender_get(_LETTER_CONTACT, service_id, letter_contact_id)

    @_clears_service_and_templates
    async def add_letter_contact(
        self, service_id: str, contact_block: str, is_default: bool = False
    ) -> Any:
        """Add a letter contact block. Raises HTTPError, CacheInvalidationError."""
        body = {"contact_block": contact_block, "is_default": is_default}
        return await self._sender_save(_LETTER_CONTACT, service_id, None, body)

    @_clears_service_and_templates
    async def update_letter_contact(
        self, service_id: str, letter_contact_id: str, contact_block: str, is_default: bool = False
    ) -> Any:
        """Change a letter contact block. Raises HTTPError, CacheInvalidationError."""
        body = {"contact_block": contact_block, "is_default": is_default}
        return await self._sender_save(_LETTER_CONTACT, service_id, letter_contact_id, body)

    @_clears_service_and_templates
    async def delete_letter_contact(self, service_id: str, letter_contact_id: str) -> Any:
        """Archive a letter contact block. Raises HTTPError, CacheInvalidationError."""
        return await self._sender_archive(_LETTER_CONTACT, service_id, letter_contact_id)

    # --- SMS senders --------------------------------------------------------------------------

    async def get_sms_senders(self, service_id: str) -> Any:
        """The service's SMS senders. Raises HTTPError."""
        return await self._sender_get(_SMS_SENDER, service_id)

    async def get_sms_sender(self, service_id: str, sms_sender_id: str) -> Any:
        """One SMS sender. Raises HTTPError."""
        return await self._sender_get(_SMS_SENDER, service_id, sms_sender_id)

    @_clears_service_and_templates
    async def add_sms_sender(
        self, service_id: str, sms_sender: str, is_default: bool = False
    ) -> Any:
        """Add an SMS sender. Raises HTTPError, CacheInvalidationError."""
        body = {"sms_sender": sms_sender, "is_default": is_default}
        return await self._sender_save(_SMS_SENDER, service_id, None, body)

    @_clears_service_and_templates
    async def update_sms_sender(
        self, service_id: str, sms_sender_id: str, sms_sender: str, is_default: bool = False
    ) -> Any:
        """Change an SMS sender. Raises HTTPError, CacheInvalidationError."""
        body = {"sms_sender": sms_sender, "is_default": is_default}
        return await self._sender_save(_SMS_SENDER, service_id, sms_sender_id, body)

    @_clears_service_and_templates
    async def delete_sms_sender(self, service_id: str, sms_sender_id: str) -> Any:
        """Archive an SMS sender. Raises HTTPError, CacheInvalidationError."""
        return await self._sender_archive(_SMS_SENDER, service_id, sms_sender_id)

    # --- callback APIs ------------------------------------------------------------------------

    @invalidates("service-{service_id}")
    async def create_service_callback_api(
        self, service_id: str, url: str, bearer_token: str, user_id: str, callback_type: str
    ) -> Any:
        """Register a callback API of ``callback_type``; ``user_id`` is sent as
        ``updated_by_id``. Raises HTTPError, CacheInvalidationError."""
        body = {
            "url": url,
            "bearer_token": bearer_token,
            "updated_by_id": user_id,
            "callback_type": callback_type,
        }
        return await self._post("/service/{service_id}/callback-api", body, service_id=service_id)

    @invalidates("service-{service_id}")
    async def update_service_callback_api(
        self,
        service_id: str,
        url: str,
        bearer_token: str,
        user_id: str,
        callback_api_id: str,
        callback_type: str,
    ) -> Any:
        """Change a callback API; an empty ``bearer_token`` keeps the stored one.

        Raises HTTPError, CacheInvalidationError.
        """
        body: dict[str, Any] = {
            "url": url, "updated_by_id": user_id, "callback_type": callback_type
        }
        if bearer_token:
            body["bearer_token"] = bearer_token
        return await self._post(
            "/service/{service_id}/callback-api/{callback_api_id}", body,
            service_id=service_id, callback_api_id=callback_api_id,
        )

    @invalidates("service-{service_id}")
    async def delete_service_callback_api(
        self, service_id: str, callback_api_id: str, callback_type: str
    ) -> Any:
        """Delete a callback API (``callback_type`` is sent percent-encoded in the query).

        Raises HTTPError, CacheInvalidationError.
        """
        return await self._delete(
            "/service/{service_id}/callback-api/{callback_api_id}",
            params={"callback_type": callback_type},
            service_id=service_id, callback_api_id=callback_api_id,
        )

    async def get_service_callback_api(
        self, service_id: str, callback_api_id: str, callback_type: str
    ) -> Any:
        """One callback API (``response["data"]``). Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/callback-api/{callback_api_id}",
            {"callback_type": callback_type},
            service_id=service_id, callback_api_id=callback_api_id,
        )
        return response["data"]
