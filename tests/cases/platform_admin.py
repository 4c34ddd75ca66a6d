"""Cases for ``notify.platform_admin``."""

from __future__ import annotations

from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "fetch_users_list": [
        Case(id="no-filters-sends-nulls"),
        Case(
            args=("2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", True),
            id="all-filters",
        ),
    ],
}
