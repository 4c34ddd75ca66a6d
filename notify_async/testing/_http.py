"""Request, reply, error and routing primitives shared by the fake API's route modules.

Handlers are plain functions ``handler(store, call) -> Reply``: the whole request (path ids,
query, decoded JSON body) is read before the handler runs, and the store is changed without any
``await`` in between, so concurrent requests never see half an update.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
from starlette.datastructures import QueryParams

if TYPE_CHECKING:
    from notify_async.testing._state import Store

MISSING = "Missing data for required field."
UNKNOWN = "Unknown field."


class FakeError(Exception):
    """An error reply: ``{"result": "error", "message": message}`` with ``status``."""

    def __init__(self, status: int, message: Any) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


def not_found() -> FakeError:
    """The real API's 404 for an unknown id."""
    return FakeError(404, "No result found")


def field_error(field: str, message: str) -> FakeError:
    """A 400 naming one field, as the real API's schema errors do."""
    return FakeError(400, {field: [message]})


@attrs.frozen
class Reply:
    """A handler's answer: a status and a JSON value (204 sends no body at all)."""

    status: int
    body: Any = None


@attrs.frozen
class Call:
    """One request as a handler sees it."""

    method: str
    path: str
    ids: Mapping[str, str]
    query: QueryParams
    body: Any

    def data(self) -> dict[str, Any]:
        """The JSON body as an object; 400 when it is missing or not an object."""
        if not isinstance(self.body, dict):
            raise FakeError(400, "Invalid JSON: a JSON object is expected")
        return self.body

    def flag(self, name: str) -> bool:
        """A boolean query parameter, compared with the text ``True`` as the real API does."""
        return self.query.get(name) == "True"

    def int_arg(self, name: str, default: int) -> int:
        """An integer query parameter; 400 when it is not a number."""
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise field_error(name, "Not a valid integer.") from None


def require(data: Mapping[str, Any], *names: str) -> None:
    """400 listing every field of ``names`` missing from ``data``."""
    missing = {name: [MISSING] for name in names if data.get(name) is None}
    if missing:
        raise FakeError(400, missing)


def refuse_unknown(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """400 listing every field of ``data`` not in ``allowed``."""
    unknown = {name: [UNKNOWN] for name in sorted(set(data) - set(allowed))}
    if unknown:
        raise FakeError(400, unknown)


def check_choice(data: Mapping[str, Any], field: str, choices: Iterable[str]) -> None:
    """400 when ``data[field]`` is present and not one of ``choices``."""
    allowed = list(choices)
    if field in data and data[field] not in allowed:
        raise field_error(field, f"Must be one of: {', '.join(allowed)}.")


def page_of(items: list[Any], page: int, size: int) -> list[Any]:
    """One 1-based page of ``items``; 400 for a page below 1."""
    if page < 1:
        raise field_error("page", "Not a valid page.")
    return items[(page - 1) * size : page * size]


def page_links(path: str, page: int, size: int, total: int) -> dict[str, str]:
    """The ``links`` object of a paged list: ``prev`` / ``next`` / ``last`` when they exist."""
    last = max(1, -(-total // size))
    links: dict[str, str] = {}
    if page > 1:
        links["prev"] = f"{path}?page={page - 1}"
    if page < last:
        links["next"] = f"{path}?page={page + 1}"
        links["last"] = f"{path}?page={last}"
    return links


Handler = Callable[["Store", Call], Reply]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@attrs.frozen
class Route:
    """One implemented ``METHOD /path/{template}``."""

    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str]
    #: Answered without an admin token, as the real API's ``/_status`` endpoints are.
    public: bool = False

    @property
    def specificity(self) -> int:
        """Fewer placeholders win a tie (``/user/email`` beats ``/user/{user_id}``)."""
        return -self.template.count("{")


class RouteTable:
    """Routes registered with the :meth:`add` decorator, matched by method and decoded path."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, *,
            public: bool = False) -> Callable[[Handler], Handler]:
        """Register the decorated handler for ``method template`` (``public``: no admin token
        needed)."""

        def register(handler: Handler) -> Handler:
            parts = _PLACEHOLDER.split(template)  # literal, name, literal, name, ..., literal
            regex = "".join(
                f"(?P<{part}>[^/]+)" if i % 2 else re.escape(part) for i, part in enumerate(parts)
            )
            self.routes.append(
                Route(method, template, handler, re.compile(f"^{regex}$"), public=public)
            )
            return handler

        return register

    def extend(self, *tables: RouteTable) -> RouteTable:
        """Add every route of ``tables`` to this one; returns self."""
        for table in tables:
            self.routes.extend(table.routes)
        return self

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The most specific route for ``method path`` and its path ids, or None."""
        found: list[tuple[Route, dict[str, str]]] = []
        for route in self.routes:
            if route.method != method:
                continue
            matched = route.pattern.match(path)
            if matched:
                found.append((route, matched.groupdict()))
        if not found:
            return None
        return max(found, key=lambda item: item[0].specificity)
