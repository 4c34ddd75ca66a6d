"""``notify.contact_lists``: async port of the admin app's ``ContactListApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import ContactList, JSONValue

_ONE = "/service/{service_id}/contact-list/{contact_list_id}"


class ContactListApiClient(BaseClient):
    """A service's saved contact lists (uploaded recipient spreadsheets).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def create_contact_list(
        self,
        *,
        service_id: str,
        upload_id: str,
        original_file_name: str,
        row_count: int,
        template_type: str,
    ) -> ContactList:
        """Record an uploaded file (``upload_id``, sent as ``id``) as a contact list.

        Needs an acting user (``request_context(user_id=...)``); raises
        :class:`~notify_async.errors.MissingActingUserError` otherwise.
        """
        body = self._with_created_by(
            {
                "id": upload_id,
                "original_file_name": original_file_name,
                "row_count": row_count,
                "template_type": template_type,
            }
        )
        response = await self._post(
            "/service/{service_id}/contact-list", body, service_id=service_id
        )
        return expect(response, ContactList)

    async def get_contact_lists(self, service_id: str) -> list[ContactList]:
        """The service's contact lists."""
        response = await self._get("/service/{service_id}/contact-list", service_id=service_id)
        return expect(response, list[ContactList])

    async def get_contact_list(self, *, service_id: str, contact_list_id: str) -> ContactList:
        """One contact list."""
        response = await self._get(_ONE, service_id=service_id, contact_list_id=contact_list_id)
        return expect(response, ContactList)

    async def delete_contact_list(self, *, service_id: str, contact_list_id: str) -> JSONValue:
        """Delete a contact list (no request body); returns the API's answer as it is."""
        response: JSONValue = await self._delete(
            _ONE, service_id=service_id, contact_list_id=contact_list_id
        )
        return response
