"""Shapes shared by several domains: free-form JSON, page links, small references."""

from __future__ import annotations

from notify_async.types._compat import TypeAliasType, TypedDict

JSONValue = TypeAliasType(
    "JSONValue", "dict[str, JSONValue] | list[JSONValue] | str | int | float | bool | None"
)
"""Any JSON value: used where the API's answer is free-form (or was never seen filled in)."""

JSONObject = TypeAliasType("JSONObject", dict[str, JSONValue])
"""A JSON object whose keys are not fixed (or not known from the real API's answers)."""


class PageLinks(TypedDict, total=False):
    """The ``links`` of one page of a list; a key is present only when that page exists.

    Numbered lists (jobs, uploads, complaints) give paths such as ``/service/<id>/job?page=3``;
    the service's notifications give ``true``.
    """

    prev: str | bool
    next: str | bool
    last: str


class UserRef(TypedDict):
    """The user who made something, as notifications, template versions and providers show
    them."""

    email_address: str
    id: str
    name: str


class IdName(TypedDict):
    """``{"id": ..., "name": ...}``: a service, or the user who changed something."""

    id: str
    name: str


class IdOnly(TypedDict):
    """``{"id": ...}``: what the API answers when it only names what it created."""

    id: str


class DataId(TypedDict):
    """``{"data": {"id": ...}}``."""

    data: IdOnly


class NoData(TypedDict):
    """An empty JSON object (``{}``): the API's answer when there is nothing to show."""
