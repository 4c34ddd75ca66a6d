"""``notify.template_folders``: async port of the admin app's ``TemplateFolderAPIClient``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from notify_async.cache import cached, invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import unwrap
from notify_async.errors import NotFoundError
from notify_async.types import IdOnly, RootFolder, TemplateFolder

_FOLDERS = "/service/{service_id}/template-folder"


def root_folder() -> RootFolder:
    """The synthetic top-level folder (a new dict each time, so callers may change it)."""
    return {"id": None, "name": "Templates", "parent_id": None}


class TemplateFolderAPIClient(BaseClient):
    """A service's template folders (``app/notify_client/template_folder_api_client.py``).

    Every method raises :class:`~notify_async.errors.HTTPError` (a status subclass such as
    :class:`~notify_async.errors.NotFoundError`) when the API answers with an error,
    :class:`~notify_async.errors.TransportError` when it cannot be reached, and
    :class:`~notify_async.errors.InvalidArgumentError` before sending when an id is not a valid
    path segment. Methods that change folders also raise
    :class:`~notify_async.errors.CacheInvalidationError` when the cache cannot be cleared.
    """

    @invalidates("service-{service_id}-template-folders")
    async def create_template_folder(
        self, service_id: str, name: str, parent_id: str | None = None
    ) -> str:
        """Create a folder (at the top level when ``parent_id`` is None); returns its id."""
        response = await self._post(
            _FOLDERS, {"name": name, "parent_id": parent_id}, service_id=service_id
        )
        return unwrap(unwrap(response, "data", IdOnly), "id", str)

    @cached("service-{service_id}-template-folders")
    async def get_template_folders(self, service_id: str) -> list[TemplateFolder]:
        """Every folder of the service (``response["template_folders"]``, cached)."""
        response = await self._get(_FOLDERS, service_id=service_id)
        return unwrap(response, "template_folders", list[TemplateFolder])

    async def get_template_folder(
        self, service_id: str, folder_id: str | None
    ) -> TemplateFolder | RootFolder:
        """One folder, found in :meth:`get_template_folders` (so possibly from the cache).

        ``folder_id`` None means the top level: the synthetic folder
        ``{"id": None, "name": "Templates", "parent_id": None}``, with no request. Raises
        :class:`~notify_async.errors.NotFoundError` when the service has no such folder (the
        original raised ``StopIteration``, which a coroutine cannot raise).
        """
        if folder_id is None:
            return root_folder()
        wanted = str(folder_id)
        for folder in await self.get_template_folders(service_id):
            if folder["id"] == wanted:
                return folder
        raise NotFoundError(
            "Template folder not found", status_code=404, method="GET",
            path="/service/{service_id}/template-folder/{folder_id}",
        )

    @invalidates("service-{service_id}-template-folders", "service-{service_id}-templates")
    async def move_to_folder(
        self,
        service_id: str,
        folder_id: str | None,
        template_ids: Iterable[str],
        folder_ids: Iterable[str],
    ) -> None:
        """Move templates and folders into ``folder_id`` (to the top level when it is empty).

        Afterwards the cached latest version of each moved template
        (``service-<service_id>-template-<id>-version-None``, ids as given) is deleted; a cache
        error there is only logged.
        """
        templates = list(template_ids)
        body = {"templates": templates, "folders": list(folder_ids)}
        if folder_id:
            await self._post(
                _FOLDERS + "/{folder_id}/contents", body,
                service_id=service_id, folder_id=folder_id,
            )
        else:
            await self._post(_FOLDERS + "/contents", body, service_id=service_id)
        if templates:
            await self._cache.delete_quietly(
                [f"service-{service_id}-template-{tid}-version-None" for tid in templates]
            )

    @invalidates("service-{service_id}-template-folders")
    async def update_template_folder(
        self,
        service_id: str,
        template_folder_id: str,
        name: str,
        users_with_permission: list[str] | None = None,
    ) -> None:
        """Rename the folder; ``users_with_permission`` (sent only when non-empty) sets who
        can see it."""
        body: dict[str, Any] = {"name": name}
        if users_with_permission:
            body["users_with_permission"] = users_with_permission
        await self._post(
            _FOLDERS + "/{template_folder_id}", body,
            service_id=service_id, template_folder_id=template_folder_id,
        )

    @invalidates("service-{service_id}-template-folders")
    async def delete_template_folder(self, service_id: str, template_folder_id: str) -> None:
        """Delete an (empty) folder. Sends an empty JSON object as the body, as the original."""
        await self._delete(
            _FOLDERS + "/{template_folder_id}", {},
            service_id=service_id, template_folder_id=template_folder_id,
        )
