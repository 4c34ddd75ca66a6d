"""Following the pages of a paged list, one item at a time.

The API pages its long lists in three ways: numbered pages with a ``links`` object that has a
``next`` entry while another page follows (jobs, uploads, notifications, complaints, a print
day's letters), numbered pages with a ``has_next`` flag (the latest inbound SMS per number), and
pages that continue ``older_than`` the last item seen (a service's notifications for a CSV
report). :func:`paginate` follows any of them, told how by a small ``following`` function
(:func:`next_page` for numbered pages).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from notify_async.errors import InvalidArgumentError

Page = TypeVar("Page")
Item = TypeVar("Item")
Cursor = TypeVar("Cursor")


async def paginate(
    fetch: Callable[[Cursor], Awaitable[Page]],
    first: Cursor,
    items: Callable[[Page], Sequence[Item]],
    following: Callable[[Page, Cursor], Cursor | None],
    *,
    max_items: int | None = None,
) -> AsyncIterator[Item]:
    """Yield the items of page ``fetch(first)``, then of each following page, lazily.

    ``following(page, cursor)`` gives the next page's cursor, or None after the last page; a
    page without items also ends the list (so a server that keeps saying "next" cannot loop
    for ever). Stops after ``max_items`` items when given. Each page is requested only once the
    previous one's items are used up, so an error on a later page (any exception ``fetch``
    raises, such as :class:`~notify_async.errors.HTTPError`) is raised after the items already
    yielded. Raises :class:`~notify_async.errors.InvalidArgumentError` for a negative
    ``max_items``.
    """
    if max_items is not None and max_items < 0:
        raise InvalidArgumentError(f"max_items must be 0 or more, got {max_items}")
    left = max_items
    cursor: Cursor | None = first
    while cursor is not None and left != 0:
        page = await fetch(cursor)
        found = items(page)
        for item in found[:left]:
            yield item
        if left is not None:
            left -= min(left, len(found))
        cursor = following(page, cursor) if found else None


def next_page(has_next: Callable[[Page], object]) -> Callable[[Page, int], int | None]:
    """Numbered pages: the page after ``number`` while ``has_next(page)`` is true."""

    def following(page: Page, number: int) -> int | None:
        return number + 1 if has_next(page) else None

    return following


def links_next(page: Mapping[str, object]) -> bool:
    """Whether a page's ``links`` object names a next page."""
    links = page.get("links")
    return isinstance(links, Mapping) and bool(links.get("next"))
