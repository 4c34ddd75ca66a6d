"""Part of ``notify.services`` (ServiceAPIClient): a service's templates.

Reads are cached per service (``service-{service_id}-templates``) and per template
(``service-{service_id}-template-{template_id}-version-{version}``, ``...-versions``). Every
change to a template clears the service's template list and every cached entry of that template,
in the original's decorator order (list first, then the template's keys).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from notify_async.cache import cached, invalidates
from notify_async.clients._base import BaseClient, check_allowed
from notify_async.clients._shape import expect
from notify_async.types import (
    Template,
    TemplateResponse,
    TemplateSummariesResponse,
    TemplateVersionResponse,
    TemplateVersionsResponse,
)

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: What :meth:`ServiceTemplatesMixin.update_service_template` may change.
ALLOWED_TEMPLATE_ATTRIBUTES = frozenset({
    "content", "letter_languages", "name", "postage", "subject", "letter_welsh_subject",
    "letter_welsh_content", "has_unsubscribe_link", "archive_email_file_ids",
})

_TEMPLATE = "/service/{service_id}/template/{template_id}"


def _clears_template(
    template_param: str,
) -> Callable[[Callable[_P, Awaitable[_R]]], Callable[_P, Coroutine[Any, Any, _R]]]:
    """Invalidate ``service-{service_id}-templates`` (outer) and the pattern
    ``service-{service_id}-template-{<template_param>}*`` (inner) around the method's request,
    as the original's two stacked decorators did; see :func:`~notify_async.cache.invalidates`
    for what it raises."""

    def decorate(method: Callable[_P, Awaitable[_R]]) -> Callable[_P, Coroutine[Any, Any, _R]]:
        pattern = "service-{service_id}-template-{" + template_param + "}*"
        inner = invalidates(patterns=(pattern,))(method)
        return invalidates("service-{service_id}-templates")(inner)

    return decorate


class ServiceTemplatesMixin(BaseClient):
    """ServiceAPIClient methods for a service's templates.

    Every method raises :class:`~notify_async.errors.HTTPError` (a status subclass such as
    :class:`~notify_async.errors.NotFoundError`) when the API answers with an error, and
    :class:`~notify_async.errors.InvalidArgumentError` before sending when an id is not a valid
    path segment. Changes also raise :class:`~notify_async.errors.CacheInvalidationError` when
    the cache cannot be cleared and :class:`~notify_async.errors.MissingActingUserError` outside
    ``request_context(user_id=...)`` (the acting user is sent as ``created_by``).
    """

    async def _post_template_change(
        self, service_id: str, template_id: str, body: dict[str, Any]
    ) -> Any:
        """POST ``body`` (``created_by`` already attached) to the template's update endpoint;
        returns the API's answer as decoded."""
        return await self._post(_TEMPLATE, body, service_id=service_id, template_id=template_id)

    # --- reads --------------------------------------------------------------------------------

    @cached("service-{service_id}-templates")
    async def get_service_templates(self, service_id: str) -> TemplateSummariesResponse:
        """Every template of the service (``{"data": [...]}``), cached. Raises HTTPError."""
        response = await self._get("/service/{service_id}/template", service_id=service_id)
        return expect(response, TemplateSummariesResponse)

    @cached("service-{service_id}-template-{template_id}-version-{version}")
    async def get_service_template(
        self, service_id: str, template_id: str, version: int | str | None = None
    ) -> TemplateResponse | TemplateVersionResponse:
        """One template: its latest version when ``version`` is falsy, else that version (whose
        ``created_by`` is the author's ``{"id", "name", "email_address"}``).

        Cached per version; the latest is cached under the key suffix ``-version-None``, which
        other clients clear by that name. Raises HTTPError (NotFoundError).
        """
        if version:
            response = await self._get(
                _TEMPLATE + "/version/{version}",
                service_id=service_id, template_id=template_id, version=version,
            )
            return expect(response, TemplateVersionResponse)
        response = await self._get(_TEMPLATE, service_id=service_id, template_id=template_id)
        return expect(response, TemplateResponse)

    @cached("service-{service_id}-template-{template_id}-versions")
    async def get_service_template_versions(
        self, service_id: str, template_id: str
    ) -> TemplateVersionsResponse:
        """Every version of a template, cached. Raises HTTPError."""
        response = await self._get(
            _TEMPLATE + "/versions", service_id=service_id, template_id=template_id
        )
        return expect(response, TemplateVersionsResponse)

    @cached("service-{service_id}-template-precompiled")
    async def get_precompiled_template(self, service_id: str) -> Template:
        """The service's template for precompiled letters (the server creates it when missing),
        cached. Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/template/precompiled", service_id=service_id
        )
        return expect(response, Template)

    # --- changes ------------------------------------------------------------------------------

    @invalidates("service-{service_id}-templates")
    async def create_service_template(
        self,
        *,
        name: str,
        type_: str,
        content: str,
        service_id: str,
        subject: str | None = None,
        parent_folder_id: str | None = None,
        letter_languages: str | None = None,
        letter_welsh_subject: str | None = None,
        letter_welsh_content: str | None = None,
        has_unsubscribe_link: bool | None = None,
    ) -> TemplateResponse:
        """Create a template of type ``type_`` (``email``, ``sms``, ``letter``).

        ``subject`` and ``parent_folder_id`` are sent only when truthy; when ``letter_languages``
        is given (``english`` or ``welsh_then_english``) the Welsh subject and content are sent
        with it, even if None. Raises MissingActingUserError, HTTPError, CacheInvalidationError.
        """
        body: dict[str, Any] = {
            "name": name,
            "template_type": type_,
            "content": content,
            "service": service_id,
            "has_unsubscribe_link": has_unsubscribe_link,
        }
        if subject:
            body["subject"] = subject
        if parent_folder_id:
            body["parent_folder_id"] = parent_folder_id
        if letter_languages is not None:
            body |= {
                "letter_languages": letter_languages,
                "letter_welsh_subject": letter_welsh_subject,
                "letter_welsh_content": letter_welsh_content,
            }
        response = await self._post(
            "/service/{service_id}/template", self._with_created_by(body), service_id=service_id
        )
        return expect(response, TemplateResponse)

    @_clears_template("template_id")
    async def update_service_template(
        self, service_id: str, template_id: str, **kwargs: Any
    ) -> TemplateResponse:
        """Change the template's attributes given as keyword arguments.

        Raises InvalidArgumentError (before any request) for an attribute outside
        :data:`ALLOWED_TEMPLATE_ATTRIBUTES`, MissingActingUserError, HTTPError,
        CacheInvalidationError.
        """
        check_allowed(kwargs, ALLOWED_TEMPLATE_ATTRIBUTES, "template")
        response = await self._post_template_change(
            service_id, template_id, self._with_created_by(kwargs)
        )
        return expect(response, TemplateResponse)

    @_clears_template("id_")
    async def redact_service_template(self, service_id: str, id_: str) -> None:
        """Hide the personalisation of messages sent from the template from now on. Raises
        MissingActingUserError, HTTPError, CacheInvalidationError."""
        body = self._with_created_by({"redact_personalisation": True})
        await self._post_template_change(service_id, id_, body)

    @_clears_template("template_id")
    async def update_service_template_sender(
        self, service_id: str, template_id: str, reply_to: str | None
    ) -> TemplateResponse:
        """Set the template's sender (a reply-to address, SMS sender or letter contact id; None
        for the service default). Raises MissingActingUserError, HTTPError,
        CacheInvalidationError."""
        body = self._with_created_by({"reply_to": reply_to})
        response = await self._post_template_change(service_id, template_id, body)
        return expect(response, TemplateResponse)

    @_clears_template("template_id")
    async def delete_service_template(
        self, service_id: str, template_id: str
    ) -> TemplateResponse:
        """Archive the template (a soft delete). Raises MissingActingUserError, HTTPError,
        CacheInvalidationError."""
        body = self._with_created_by({"archived": True})
        response = await self._post_template_change(service_id, template_id, body)
        return expect(response, TemplateResponse)
